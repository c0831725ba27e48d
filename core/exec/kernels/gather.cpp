// gather / gather_along_axis / gather_nd and the scatter family. Indices are bounds-checked
// (negative indices count from the end); out-of-range indices are an Error naming the op.
#include <cmath>

#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"

namespace mlscope::exec {

namespace {

int64_t fix_index(const KernelContext& ctx, int64_t i, int64_t n) {
  if (i < 0) i += n;
  if (i < 0 || i >= n) ctx.fail("index " + std::to_string(i) + " out of range [0, " + std::to_string(n) + ")");
  return i;
}

void k_gather(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  const Tensor& ind = ctx.tensor("indices");
  const int64_t axis = norm_axis(ctx, ctx.int_param("axis", 0), x.rank());
  const int64_t bd = ctx.int_param("batch_dims", 0);
  if (bd != 0) ctx.fail("batch_dims > 0 is not supported");
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape()[size_t(d)];
  for (size_t d = size_t(axis) + 1; d < x.rank(); ++d) inner *= x.shape()[d];
  const int64_t n = x.shape()[size_t(axis)];
  Dims out(x.shape().begin(), x.shape().begin() + axis);
  out.insert(out.end(), ind.shape().begin(), ind.shape().end());
  out.insert(out.end(), x.shape().begin() + axis + 1, x.shape().end());
  std::vector<uint64_t> idx;
  idx.reserve(dims_count(out));
  const uint64_t ni = ind.size();
  for (int64_t o = 0; o < outer; ++o)
    for (uint64_t j = 0; j < ni; ++j) {
      const int64_t i = fix_index(ctx, int64_t(ind.at(j)), n);
      for (int64_t k = 0; k < inner; ++k) idx.push_back(uint64_t((o * n + i) * inner + k));
    }
  ctx.set(take(x, out, idx));
}

void k_gather_along_axis(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  const Tensor& ind = ctx.tensor("indices");
  const int64_t axis = norm_axis(ctx, ctx.int_param("axis", 0), x.rank());
  if (ind.rank() != x.rank()) ctx.fail("indices rank differs from x rank");
  auto xs = strides_of(x.shape());
  std::vector<uint64_t> idx(ind.size());
  std::vector<int64_t> pos(ind.rank(), 0);
  for (uint64_t k = 0; k < ind.size(); ++k) {
    int64_t f = 0;
    for (size_t d = 0; d < x.rank(); ++d) {
      const int64_t p = int64_t(d) == axis ? fix_index(ctx, int64_t(ind.at(k)), x.shape()[d]) : pos[d];
      if (p >= x.shape()[d]) ctx.fail("indices shape exceeds x off the axis");
      f += p * xs[d];
    }
    idx[k] = uint64_t(f);
    for (size_t d = ind.rank(); d-- > 0;) {
      if (++pos[d] < ind.shape()[d]) break;
      pos[d] = 0;
    }
  }
  ctx.set(take(x, ind.shape(), idx));
}

void k_gather_nd(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  const Tensor& ind = ctx.tensor("indices");
  if (ind.rank() < 1) ctx.fail("indices must have rank >= 1");
  const size_t k = size_t(ind.shape().back());
  if (k > x.rank()) ctx.fail("index depth exceeds x rank");
  Dims out(ind.shape().begin(), ind.shape().end() - 1);
  out.insert(out.end(), x.shape().begin() + int64_t(k), x.shape().end());
  int64_t inner = 1;
  for (size_t d = k; d < x.rank(); ++d) inner *= x.shape()[d];
  auto xs = strides_of(x.shape());
  std::vector<uint64_t> idx;
  idx.reserve(dims_count(out));
  for (uint64_t g = 0; g * k < ind.size() || (k == 0 && g == 0); ++g) {
    int64_t f = 0;
    for (size_t d = 0; d < k; ++d) f += fix_index(ctx, int64_t(ind.at(g * k + d)), x.shape()[d]) * xs[d];
    for (int64_t j = 0; j < inner; ++j) idx.push_back(uint64_t(f + j));
    if (k == 0) break;
  }
  ctx.set(take(x, out, idx));
}

float combine(const KernelContext& ctx, const std::string& mode, float a, float b) {
  if (mode == "update") return b;
  if (mode == "add") return a + b;
  if (mode == "sub") return a - b;
  if (mode == "mul") return a * b;
  if (mode == "div") return a / b;
  if (mode == "max") return std::max(a, b);
  if (mode == "min") return std::min(a, b);
  ctx.fail("unknown scatter mode '" + mode + "'");
}

// Generic scatter: for each update element u at position k, its destination flat index.
template <typename DestFn>
void scatter_generic(KernelContext& ctx, const Tensor& data, const Tensor& upd, DestFn dest) {
  const std::string mode = ctx.string_param("mode", "add");
  const Tensor d = data.is_float() ? data : data.cast_to(ir::DType::Float32);
  const Tensor u = upd.cast_to(d.dtype());
  std::vector<float> out(d.floats().begin(), d.floats().end());
  for (uint64_t k = 0; k < u.size(); ++k) {
    const uint64_t t = dest(k);
    out[t] = combine(ctx, mode, out[t], u.floats()[k]);
  }
  Tensor r = Tensor::from_floats(d.dtype(), d.shape(), std::move(out));
  ctx.set(data.is_float() ? r : r.cast_to(data.dtype()));
}

void k_scatter(KernelContext& ctx) {
  const Tensor& data = ctx.tensor("data");
  const Tensor& ind = ctx.tensor("indices");
  const Tensor& upd = ctx.tensor("updates");
  const int64_t axis = norm_axis(ctx, ctx.int_param("axis", 0), data.rank());
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= data.shape()[size_t(d)];
  for (size_t d = size_t(axis) + 1; d < data.rank(); ++d) inner *= data.shape()[d];
  const int64_t n = data.shape()[size_t(axis)];
  const uint64_t ni = ind.size();
  if (upd.size() != uint64_t(outer) * ni * uint64_t(inner)) ctx.fail("updates shape does not match data and indices");
  scatter_generic(ctx, data, upd, [&](uint64_t k) {
    const uint64_t o = k / (ni * uint64_t(inner)), j = (k / uint64_t(inner)) % ni, r = k % uint64_t(inner);
    return uint64_t((int64_t(o) * n + fix_index(ctx, int64_t(ind.at(j)), n)) * inner + int64_t(r));
  });
}

void k_scatter_along_axis(KernelContext& ctx) {
  const Tensor& data = ctx.tensor("data");
  const Tensor& ind = ctx.tensor("indices");
  const Tensor& upd = ctx.tensor("updates");
  const int64_t axis = norm_axis(ctx, ctx.int_param("axis", 0), data.rank());
  if (ind.shape() != upd.shape() || ind.rank() != data.rank()) ctx.fail("indices/updates shapes do not match");
  auto ds = strides_of(data.shape());
  auto is = strides_of(ind.shape());
  scatter_generic(ctx, data, upd, [&](uint64_t k) {
    int64_t f = 0, rem = int64_t(k);
    for (size_t d = 0; d < ind.rank(); ++d) {
      int64_t p = rem / is[d];
      rem %= is[d];
      if (int64_t(d) == axis) p = fix_index(ctx, int64_t(ind.at(k)), data.shape()[d]);
      f += p * ds[d];
    }
    return uint64_t(f);
  });
}

void k_scatter_nd(KernelContext& ctx) {
  const Tensor& data = ctx.tensor("data");
  const Tensor& ind = ctx.tensor("indices");
  const Tensor& upd = ctx.tensor("updates");
  const size_t k = size_t(ind.shape().back());
  int64_t inner = 1;
  for (size_t d = k; d < data.rank(); ++d) inner *= data.shape()[d];
  auto ds = strides_of(data.shape());
  if (upd.size() != ind.size() / std::max<size_t>(k, 1) * uint64_t(inner)) ctx.fail("updates shape does not match");
  scatter_generic(ctx, data, upd, [&](uint64_t e) {
    const uint64_t g = e / uint64_t(inner), r = e % uint64_t(inner);
    int64_t f = 0;
    for (size_t d = 0; d < k; ++d) f += fix_index(ctx, int64_t(ind.at(g * k + d)), data.shape()[d]) * ds[d];
    return uint64_t(f) + r;
  });
}

}  // namespace

void register_gather_kernels() {
  register_kernel("gather", k_gather);
  register_kernel("gather_along_axis", k_gather_along_axis);
  register_kernel("gather_nd", k_gather_nd);
  register_kernel("scatter", k_scatter);
  register_kernel("scatter_along_axis", k_scatter_along_axis);
  register_kernel("scatter_nd", k_scatter_nd);
}

}  // namespace mlscope::exec
