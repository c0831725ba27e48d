// Normalizations: batch_norm, instance_norm, layer_norm, l2_norm, local_response_norm.
// Means/variances are sums under the profile's reduction rules (accumulator.h).
#include <cmath>

#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"

namespace mlscope::exec {

namespace {

Tensor fl(const Tensor& t) { return t.is_float() ? t : t.cast_to(ir::DType::Float32); }

std::vector<float> per_channel(const KernelContext& ctx, const char* name, int64_t C, float fallback) {
  auto t = ctx.opt_tensor(name);
  if (!t) return std::vector<float>(size_t(C), fallback);
  Tensor f = fl(*t);
  if (int64_t(f.size()) != C) ctx.fail(std::string(name) + " has " + std::to_string(f.size()) + " values for " + std::to_string(C) + " channels");
  return std::vector<float>(f.floats().begin(), f.floats().end());
}

void k_batch_norm(KernelContext& ctx) {
  const Tensor x = fl(ctx.tensor("x"));
  if (x.rank() < 2) ctx.fail("input must have a channel axis");
  const int64_t C = x.shape()[1];
  int64_t inner = 1;
  for (size_t i = 2; i < x.rank(); ++i) inner *= x.shape()[i];
  auto mean = per_channel(ctx, "mean", C, 0), var = per_channel(ctx, "variance", C, 1);
  auto gamma = per_channel(ctx, "gamma", C, 1), beta = per_channel(ctx, "beta", C, 0);
  const float eps = float(ctx.float_param("epsilon", 1e-5));
  Tensor y = float_output(ctx, x.shape());
  auto yv = y.mutable_floats();
  auto xv = x.floats();
  for (size_t i = 0; i < xv.size(); ++i) {
    const size_t c = size_t((int64_t(i) / inner) % C);
    yv[i] = (xv[i] - mean[c]) / std::sqrt(var[c] + eps) * gamma[c] + beta[c];
  }
  ctx.set(y);
}

// Normalizes groups of `inner` consecutive elements (outer groups), with per-element affine.
// `group` is the shape of the normalized trailing dims (their last two are the plane of a tiled sum).
void normalize_groups(const KernelContext& ctx, std::span<const float> x, std::span<float> y, const Dims& group, float eps,
                      const std::vector<float>& gamma, const std::vector<float>& beta, uint64_t affine_period) {
  const uint64_t inner = dims_count(group);
  const SumGeometry geom = group.size() >= 2 ? SumGeometry::plane(uint64_t(group[group.size() - 2]), uint64_t(group.back()))
                                             : SumGeometry::line();
  const bool fp16_storage = stores_fp16(ctx);
  for (uint64_t g = 0; g * inner < x.size(); ++g) {
    const float* a = x.data() + g * inner;
    Accumulator s = reduction_sum(ctx, geom);
    s.begin_mean(inner, fp16_storage);
    for (uint64_t i = 0; i < inner; ++i) s.add(a[i]);
    const float mean = s.mean(inner);
    Accumulator v = reduction_sum(ctx, geom);
    v.begin_mean(inner, fp16_storage);
    for (uint64_t i = 0; i < inner; ++i) v.add((a[i] - mean) * (a[i] - mean));
    const float inv = 1.0f / std::sqrt(v.mean(inner) + eps);
    for (uint64_t i = 0; i < inner; ++i) {
      const uint64_t k = affine_period ? i % affine_period : 0;
      y[g * inner + i] = (a[i] - mean) * inv * (gamma.empty() ? 1.0f : gamma[k]) + (beta.empty() ? 0.0f : beta[k]);
    }
  }
}

void k_layer_norm(KernelContext& ctx) {
  const Tensor x = fl(ctx.tensor("x"));
  std::vector<int64_t> axes = ctx.ints_param("axes", {});
  if (axes.empty()) for (size_t i = 0; i < x.rank(); ++i) axes.push_back(int64_t(i));
  std::vector<bool> red(x.rank(), false);
  for (int64_t a : axes) red[size_t(norm_axis(ctx, a, x.rank()))] = true;
  // Supported layout: the normalized axes are the trailing ones (what converters emit).
  size_t first = x.rank();
  while (first > 0 && red[first - 1]) --first;
  for (size_t i = 0; i < first; ++i)
    if (red[i]) ctx.fail("layer_norm over non-trailing axes is not supported");
  uint64_t inner = 1;
  for (size_t i = first; i < x.rank(); ++i) inner *= uint64_t(x.shape()[i]);
  const Dims group(x.shape().begin() + int64_t(first), x.shape().end());
  std::vector<float> gamma, beta;
  if (auto g = ctx.opt_tensor("gamma")) { Tensor f = fl(*g); gamma.assign(f.floats().begin(), f.floats().end()); }
  if (auto b = ctx.opt_tensor("beta")) { Tensor f = fl(*b); beta.assign(f.floats().begin(), f.floats().end()); }
  if ((!gamma.empty() && gamma.size() != inner) || (!beta.empty() && beta.size() != inner)) ctx.fail("gamma/beta shape does not match the normalized axes");
  Tensor y = float_output(ctx, x.shape());
  normalize_groups(ctx, x.floats(), y.mutable_floats(), group, float(ctx.float_param("epsilon", 1e-5)), gamma, beta, inner);
  ctx.set(y);
}

void k_instance_norm(KernelContext& ctx) {
  const Tensor x = fl(ctx.tensor("x"));
  if (x.rank() < 3) ctx.fail("input rank must be >= 3");
  const int64_t C = x.shape()[1];
  uint64_t inner = 1;
  for (size_t i = 2; i < x.rank(); ++i) inner *= uint64_t(x.shape()[i]);
  auto gamma = per_channel(ctx, "gamma", C, 1), beta = per_channel(ctx, "beta", C, 0);
  Tensor y = float_output(ctx, x.shape());
  auto yv = y.mutable_floats();
  std::vector<float> none;
  normalize_groups(ctx, x.floats(), yv, Dims(x.shape().begin() + 2, x.shape().end()), float(ctx.float_param("epsilon", 1e-5)), none, none, 0);
  for (size_t i = 0; i < yv.size(); ++i) {
    const size_t c = size_t((i / inner) % uint64_t(C));
    yv[i] = yv[i] * gamma[c] + beta[c];
  }
  ctx.set(y);
}

void k_l2_norm(KernelContext& ctx) {
  const Tensor x = fl(ctx.tensor("x"));
  const float eps = float(ctx.float_param("epsilon", 1e-6));
  const size_t last = std::min<size_t>(3, x.rank() > 1 ? x.rank() - 1 : 1);
  uint64_t inner = 1;
  for (size_t i = x.rank() - last; i < x.rank(); ++i) inner *= uint64_t(x.shape()[i]);
  Tensor y = float_output(ctx, x.shape());
  auto yv = y.mutable_floats();
  auto xv = x.floats();
  const SumGeometry geom = last >= 2 ? SumGeometry::plane(uint64_t(x.shape()[x.rank() - 2]), uint64_t(x.shape().back())) : SumGeometry::line();
  for (uint64_t g = 0; g * inner < xv.size(); ++g) {
    Accumulator s = reduction_sum(ctx, geom);
    for (uint64_t i = 0; i < inner; ++i) s.add(xv[g * inner + i] * xv[g * inner + i]);
    const float d = std::sqrt(std::max(s.result(), eps));
    for (uint64_t i = 0; i < inner; ++i) yv[g * inner + i] = xv[g * inner + i] / d;
  }
  ctx.set(y);
}

void k_local_response_norm(KernelContext& ctx) {
  const Tensor x = fl(ctx.tensor("x"));
  if (x.rank() < 3) ctx.fail("input rank must be >= 3");
  const int64_t size = ctx.int_param("size");
  const float alpha = float(ctx.float_param("alpha", 1e-4)), beta = float(ctx.float_param("beta", 0.75)), k = float(ctx.float_param("k", 1));
  const int64_t C = x.shape()[1];
  int64_t inner = 1;
  for (size_t i = 2; i < x.rank(); ++i) inner *= x.shape()[i];
  Tensor y = float_output(ctx, x.shape());
  auto yv = y.mutable_floats();
  auto xv = x.floats();
  for (int64_t n = 0; n < x.shape()[0]; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t p = 0; p < inner; ++p) {
        float s = 0;
        for (int64_t j = std::max<int64_t>(0, c - (size - 1) / 2); j <= std::min(C - 1, c + size / 2); ++j) {
          const float v = xv[size_t((n * C + j) * inner + p)];
          s += v * v;
        }
        const size_t i = size_t((n * C + c) * inner + p);
        yv[i] = xv[i] / std::pow(k + alpha / float(size) * s, beta);
      }
  ctx.set(y);
}

}  // namespace

void register_norm_kernels() {
  register_kernel("batch_norm", k_batch_norm);
  register_kernel("layer_norm", k_layer_norm);
  register_kernel("instance_norm", k_instance_norm);
  register_kernel("l2_norm", k_l2_norm);
  register_kernel("local_response_norm", k_local_response_norm);
}

}  // namespace mlscope::exec
