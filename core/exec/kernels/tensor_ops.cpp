// Tensor-producing and ordering ops: fill, fill_like, range_1d, topk, argsort, band_part,
// cumsum, one_hot, non_zero, upsample/resize nearest-neighbor and bilinear.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"

namespace mlscope::exec {

namespace {

Tensor filled(const KernelContext& ctx, const Dims& shape, const Tensor& value) {
  ir::DType dt = ctx.out_dtype(0, value.dtype());
  if (storage_of(dt) == Storage::Float) return Tensor::from_floats(dt, shape, std::vector<float>(dims_count(shape), float(value.at(0))));
  return Tensor::from_ints(dt, shape, std::vector<int64_t>(dims_count(shape), int64_t(value.at(0))));
}

void k_fill(KernelContext& ctx) {
  auto shape = ctx.ints_param("shape");
  if (dims_count(shape) > (uint64_t(1) << 32)) ctx.fail("fill of " + dims_str(shape) + " is too large");
  Tensor v = ctx.has("value") ? ctx.tensor("value") : Tensor::scalar_float(0);
  ctx.set(filled(ctx, shape, v));
}

void k_fill_like(KernelContext& ctx) {
  Tensor v = ctx.has("value") ? ctx.tensor("value") : Tensor::scalar_float(0);
  ctx.set(filled(ctx, ctx.tensor("ref_tensor").shape(), v));
}

void k_range_1d(KernelContext& ctx) {
  const Tensor& s = ctx.tensor("start");
  const double start = s.at(0), end = ctx.tensor("end").at(0), step = ctx.tensor("step").at(0);
  if (step == 0) ctx.fail("step is 0");
  const double n = std::ceil((end - start) / step);
  if (n > double(1u << 30)) ctx.fail("range too long");
  const int64_t count = n > 0 ? int64_t(n) : 0;
  if (s.is_float()) {
    std::vector<float> v(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) v[size_t(i)] = float(start + double(i) * step);
    ctx.set(Tensor::from_floats(ctx.out_dtype(0, ir::DType::Float32), {count}, std::move(v)));
  } else {
    std::vector<int64_t> v(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) v[size_t(i)] = int64_t(start) + i * int64_t(step);
    ctx.set(Tensor::from_ints(ctx.out_dtype(0, ir::DType::Int32), {count}, std::move(v)));
  }
}

// Sorted positions along an axis; returns per-slice index orders.
void sort_axis(KernelContext& ctx, bool topk) {
  const Tensor& x = ctx.tensor("x");
  const int64_t axis = norm_axis(ctx, ctx.int_param("axis", -1), x.rank());
  const bool asc = ctx.bool_param("ascending", false);
  const int64_t n = x.shape()[size_t(axis)];
  int64_t k = topk ? ctx.int_param("k", 1) : n;
  if (k < 0) k += n;  // iOS16 topk allows -1 = all
  if (k > n || k < 0) ctx.fail("k = " + std::to_string(k) + " exceeds the axis length " + std::to_string(n));
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape()[size_t(d)];
  for (size_t d = size_t(axis) + 1; d < x.rank(); ++d) inner *= x.shape()[d];
  Dims out = x.shape();
  out[size_t(axis)] = k;
  std::vector<uint64_t> src(dims_count(out));
  std::vector<int64_t> pos(dims_count(out));
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      std::iota(order.begin(), order.end(), 0);
      auto val = [&](int64_t j) { return x.at(uint64_t((o * n + j) * inner + i)); };
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return asc ? val(a) < val(b) : val(a) > val(b); });
      for (int64_t j = 0; j < k; ++j) {
        const size_t t = size_t((o * k + j) * inner + i);
        src[t] = uint64_t((o * n + order[size_t(j)]) * inner + i);
        pos[t] = order[size_t(j)];
      }
    }
  if (topk) {
    ctx.set(take(x, out, src), 0);
    if (ctx.output_count() > 1) ctx.set(Tensor::from_ints(ctx.out_dtype(1, ir::DType::Int32), out, std::move(pos)), 1);
  } else {
    ctx.set(Tensor::from_ints(ctx.out_dtype(0, ir::DType::Int32), out, std::move(pos)));
  }
}
void k_topk(KernelContext& c) { sort_axis(c, true); }
void k_argsort(KernelContext& c) { sort_axis(c, false); }

void k_band_part(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  if (x.rank() < 2) ctx.fail("input rank must be >= 2");
  const int64_t lower = ctx.int_param("lower", -1), upper = ctx.int_param("upper", -1);
  const int64_t M = x.shape()[x.rank() - 2], N = x.shape()[x.rank() - 1];
  Tensor xf = x.is_float() ? x : x.cast_to(ir::DType::Float32);
  std::vector<float> v(xf.floats().begin(), xf.floats().end());
  for (size_t k = 0; k < v.size(); ++k) {
    const int64_t n = int64_t(k) % N, m = (int64_t(k) / N) % M;
    const bool keep = (lower < 0 || m - n <= lower) && (upper < 0 || n - m <= upper);
    if (!keep) v[k] = 0;
  }
  Tensor r = Tensor::from_floats(xf.dtype(), x.shape(), std::move(v));
  ctx.set(x.is_float() ? r : r.cast_to(x.dtype()));
}

void k_cumsum(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  const int64_t axis = norm_axis(ctx, ctx.int_param("axis", 0), x.rank());
  const bool excl = ctx.bool_param("exclusive", false), rev = ctx.bool_param("reverse", false);
  int64_t outer = 1, inner = 1;
  const int64_t n = x.shape()[size_t(axis)];
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape()[size_t(d)];
  for (size_t d = size_t(axis) + 1; d < x.rank(); ++d) inner *= x.shape()[d];
  Tensor xf = x.is_float() ? x : x.cast_to(ir::DType::Float32);
  std::vector<float> v(xf.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      Accumulator acc(ctx.numerics().reduction_accumulation, 0);
      float run = 0;
      for (int64_t j0 = 0; j0 < n; ++j0) {
        const int64_t j = rev ? n - 1 - j0 : j0;
        const size_t t = size_t((o * n + j) * inner + i);
        const float val = xf.floats()[t];
        if (excl) v[t] = run;
        acc.add(val);
        run = acc.result();
        acc = Accumulator(ctx.numerics().reduction_accumulation, 0);
        acc.add(run);
        if (!excl) v[t] = run;
      }
    }
  Tensor r = Tensor::from_floats(xf.dtype(), x.shape(), std::move(v));
  ctx.set(x.is_float() ? r : r.cast_to(x.dtype()));
}

void k_one_hot(KernelContext& ctx) {
  const Tensor& ind = ctx.tensor("indices");
  const int64_t depth = ctx.int_param("one_hot_vector_size");
  const int64_t axis = norm_axis(ctx, ctx.int_param("axis", -1), ind.rank() + 1);
  const float on = float(ctx.float_param("on_value", 1)), off = float(ctx.float_param("off_value", 0));
  Dims out = ind.shape();
  out.insert(out.begin() + axis, depth);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= out[size_t(d)];
  for (size_t d = size_t(axis) + 1; d < out.size(); ++d) inner *= out[d];
  std::vector<float> v(dims_count(out), off);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t c = int64_t(ind.at(uint64_t(o * inner + i)));
      if (c >= 0 && c < depth) v[size_t((o * depth + c) * inner + i)] = on;
    }
  Tensor r = Tensor::from_floats(ir::DType::Float32, out, std::move(v));
  ir::DType dt = ctx.out_dtype(0, ir::DType::Float32);
  ctx.set(storage_of(dt) == Storage::Float ? r.relabeled(dt) : r.cast_to(dt));
}

void k_non_zero(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  auto st = strides_of(x.shape());
  std::vector<int64_t> v;
  int64_t count = 0;
  for (uint64_t k = 0; k < x.size(); ++k) {
    if (x.at(k) == 0) continue;
    ++count;
    int64_t rem = int64_t(k);
    for (size_t d = 0; d < x.rank(); ++d) {
      v.push_back(rem / st[d]);
      rem %= st[d];
    }
  }
  ctx.set(Tensor::from_ints(ctx.out_dtype(0, ir::DType::Int32), {count, int64_t(x.rank())}, std::move(v)));
}

// Nearest / bilinear resampling of the last two axes.
void resample(KernelContext& ctx, int64_t oh, int64_t ow, bool bilinear, bool align_corners, double sh, double sw) {
  const Tensor xin = ctx.tensor("x");
  const Tensor x = xin.is_float() ? xin : xin.cast_to(ir::DType::Float32);
  if (x.rank() < 2) ctx.fail("input rank must be >= 2");
  const int64_t H = x.shape()[x.rank() - 2], W = x.shape()[x.rank() - 1];
  if (oh < 1 || ow < 1 || oh * ow > (int64_t(1) << 30)) ctx.fail("bad output size");
  Dims out = x.shape();
  out[out.size() - 2] = oh;
  out[out.size() - 1] = ow;
  const int64_t planes = (H * W) != 0 ? int64_t(x.size()) / (H * W) : 0;
  Tensor y = float_output(ctx, out);
  auto yv = y.mutable_floats();
  auto xv = x.floats();
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        float r;
        if (!bilinear) {
          const int64_t si = std::min<int64_t>(H - 1, int64_t(std::floor(double(i) / sh)));
          const int64_t sj = std::min<int64_t>(W - 1, int64_t(std::floor(double(j) / sw)));
          r = xv[size_t((p * H + si) * W + sj)];
        } else {
          double fy = align_corners ? (oh > 1 ? double(i) * double(H - 1) / double(oh - 1) : 0) : (double(i) + 0.5) / sh - 0.5;
          double fx = align_corners ? (ow > 1 ? double(j) * double(W - 1) / double(ow - 1) : 0) : (double(j) + 0.5) / sw - 0.5;
          fy = std::clamp(fy, 0.0, double(H - 1));
          fx = std::clamp(fx, 0.0, double(W - 1));
          const int64_t y0 = int64_t(fy), x0 = int64_t(fx), y1 = std::min(y0 + 1, H - 1), x1 = std::min(x0 + 1, W - 1);
          const double dy = fy - double(y0), dx = fx - double(x0);
          auto at = [&](int64_t a, int64_t b) { return double(xv[size_t((p * H + a) * W + b)]); };
          r = float((1 - dy) * ((1 - dx) * at(y0, x0) + dx * at(y0, x1)) + dy * ((1 - dx) * at(y1, x0) + dx * at(y1, x1)));
        }
        yv[size_t((p * oh + i) * ow + j)] = r;
      }
  ctx.set(y);
}

void k_upsample_nn(KernelContext& ctx) {
  const double sh = ctx.float_param("scale_factor_height", 1), sw = ctx.float_param("scale_factor_width", 1);
  const Tensor& x = ctx.tensor("x");
  resample(ctx, int64_t(std::floor(double(x.shape()[x.rank() - 2]) * sh)), int64_t(std::floor(double(x.shape()[x.rank() - 1]) * sw)), false, false, sh, sw);
}
void k_upsample_bilinear(KernelContext& ctx) {
  const double sh = ctx.float_param("scale_factor_height", 1), sw = ctx.float_param("scale_factor_width", 1);
  const Tensor& x = ctx.tensor("x");
  resample(ctx, int64_t(std::floor(double(x.shape()[x.rank() - 2]) * sh)), int64_t(std::floor(double(x.shape()[x.rank() - 1]) * sw)), true,
           ctx.bool_param("align_corners", true), sh, sw);
}
void k_resize_nn(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  const int64_t oh = ctx.int_param("target_size_height"), ow = ctx.int_param("target_size_width");
  resample(ctx, oh, ow, false, false, double(oh) / double(x.shape()[x.rank() - 2]), double(ow) / double(x.shape()[x.rank() - 1]));
}

}  // namespace

void register_tensor_kernels() {
  register_kernel("fill", k_fill);
  register_kernel("fill_like", k_fill_like);
  register_kernel("range_1d", k_range_1d);
  register_kernel("topk", k_topk);
  register_kernel("argsort", k_argsort);
  register_kernel("band_part", k_band_part);
  register_kernel("cumsum", k_cumsum);
  register_kernel("one_hot", k_one_hot);
  register_kernel("non_zero", k_non_zero);
  register_kernel("upsample_nearest_neighbor", k_upsample_nn);
  register_kernel("upsample_bilinear", k_upsample_bilinear);
  register_kernel("resize_nearest_neighbor", k_resize_nn);
}

}  // namespace mlscope::exec
