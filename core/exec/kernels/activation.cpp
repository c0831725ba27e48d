// Activation ops (MIL iOS15+ definitions) and softmax.
#include <algorithm>
#include <cmath>

#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"
#include "core/exec/parallel.h"
#include "core/exec/kernels/vector_math.h"

namespace mlscope::exec {

namespace {

// x as floats into a recycled output buffer (or x's own, when it dies here): ranges(in, out, b, e)
// fills out[b, e) on every core; in and out may be the same array.
template <typename Ranges>
void map_ranges(KernelContext& ctx, Ranges ranges) {
  if (std::optional<Tensor> dying = ctx.take_dying_input("x")) {  // in place: x is not read again
    std::span<float> v = dying->mutable_floats();
    parallel_for(v.size(), [&](uint64_t b, uint64_t e) { ranges(v.data(), v.data(), b, e); });
    ctx.set(dying->relabeled(ctx.out_dtype(0, dying->dtype())));
    return;
  }
  const Tensor& x = ctx.tensor("x");
  Tensor xf = x.is_float() ? x : x.cast_to(ir::DType::Float32);
  auto in = xf.floats();
  std::vector<float> out = take_float_buffer(in.size());
  parallel_for(in.size(), [&](uint64_t b, uint64_t e) { ranges(in.data(), out.data(), b, e); });
  ctx.set(Tensor::from_floats(ctx.out_dtype(0, xf.dtype()), x.shape(), std::move(out)));
}

template <typename F>
void apply(KernelContext& ctx, F f) {
  map_ranges(ctx, [&](const float* in, float* out, uint64_t b, uint64_t e) {
    for (uint64_t i = b; i < e; ++i) out[i] = f(in[i]);
  });
}

float sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }

// f(v, exp(-v)) over x, exp taken a block at a time by exp_array (vectorized).
template <typename F>
void apply_with_exp_neg(KernelContext& ctx, F f) {
  map_ranges(ctx, [&](const float* in, float* out, uint64_t b, uint64_t e) {
    constexpr uint64_t kBlock = 1024;  // stays in L1 between the two passes
    float neg_exp[kBlock];
    for (uint64_t i0 = b; i0 < e; i0 += kBlock) {
      const uint64_t n = std::min(kBlock, e - i0);
      for (uint64_t i = 0; i < n; ++i) neg_exp[i] = -in[i0 + i];
      exp_array(neg_exp, neg_exp, n);
      for (uint64_t i = 0; i < n; ++i) out[i0 + i] = f(in[i0 + i], neg_exp[i]);
    }
  });
}

void k_relu(KernelContext& c) { apply(c, [](float v) { return v > 0 ? v : 0.0f; }); }
void k_relu6(KernelContext& c) { apply(c, [](float v) { return std::min(std::max(v, 0.0f), 6.0f); }); }
void k_sigmoid(KernelContext& c) { apply_with_exp_neg(c, [](float, float e) { return 1.0f / (1.0f + e); }); }
void k_tanh(KernelContext& c) { apply(c, [](float v) { return std::tanh(v); }); }
void k_silu(KernelContext& c) { apply_with_exp_neg(c, [](float v, float e) { return v * (1.0f / (1.0f + e)); }); }
void k_softsign(KernelContext& c) { apply(c, [](float v) { return v / (1 + std::fabs(v)); }); }
void k_softplus(KernelContext& c) { apply(c, [](float v) { return v > 20 ? v : std::log1p(std::exp(v)); }); }
void k_gelu(KernelContext& c) {
  std::string mode = c.string_param("mode", "EXACT");
  if (mode == "TANH_APPROXIMATION")
    apply(c, [](float v) { return 0.5f * v * (1 + std::tanh(0.7978845608f * (v + 0.044715f * v * v * v))); });
  else if (mode == "SIGMOID_APPROXIMATION")
    apply(c, [](float v) { return v * sigmoid(1.702f * v); });
  else
    apply(c, [](float v) { return 0.5f * v * (1 + std::erf(v * 0.70710678118f)); });
}
void k_leaky_relu(KernelContext& c) {
  float a = float(c.float_param("alpha", 0.01));
  apply(c, [a](float v) { return v >= 0 ? v : a * v; });
}
void k_elu(KernelContext& c) {
  float a = float(c.float_param("alpha", 1.0));
  apply(c, [a](float v) { return v > 0 ? v : a * (std::exp(v) - 1); });
}
void k_clamped_relu(KernelContext& c) {
  float a = float(c.float_param("alpha", 0)), b = float(c.float_param("beta", 6));
  apply(c, [a, b](float v) { return std::min(v >= 0 ? v : a * v, b); });
}
void k_linear_activation(KernelContext& c) {
  float a = float(c.float_param("alpha", 1)), b = float(c.float_param("beta", 0));
  apply(c, [a, b](float v) { return a * v + b; });
}
void k_scaled_tanh(KernelContext& c) {
  float a = float(c.float_param("alpha", 1)), b = float(c.float_param("beta", 1));
  apply(c, [a, b](float v) { return a * std::tanh(b * v); });
}
void k_sigmoid_hard(KernelContext& c) {
  float a = float(c.float_param("alpha", 0.2)), b = float(c.float_param("beta", 0.5));
  apply(c, [a, b](float v) { return std::min(std::max(a * v + b, 0.0f), 1.0f); });
}
void k_thresholded_relu(KernelContext& c) {
  float a = float(c.float_param("alpha", 1));
  apply(c, [a](float v) { return v >= a ? v : 0.0f; });
}

// prelu / softplus_parametric: per-channel parameters along axis 1 (rank >= 3).
void per_channel(KernelContext& c, bool prelu) {
  const Tensor& x = c.tensor("x");
  if (x.rank() < 2) c.fail("input must have a channel axis (rank >= 2)");
  const Tensor alpha = c.tensor("alpha").cast_to(ir::DType::Float32);
  const Tensor beta = prelu ? Tensor() : c.tensor("beta").cast_to(ir::DType::Float32);
  const int64_t C = x.shape()[1];
  if (int64_t(alpha.size()) != C && alpha.size() != 1) c.fail("alpha must have one value per channel");
  int64_t inner = 1;
  for (size_t i = 2; i < x.rank(); ++i) inner *= x.shape()[i];
  auto in = x.floats();
  std::vector<float> out = take_float_buffer(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    size_t ch = alpha.size() == 1 ? 0 : size_t((int64_t(i) / inner) % C);
    float a = alpha.floats()[ch], v = in[i];
    out[i] = prelu ? (v >= 0 ? v : a * v) : a * std::log1p(std::exp(beta.floats()[ch] * v));
  }
  c.set(Tensor::from_floats(c.out_dtype(0, x.dtype()), x.shape(), std::move(out)));
}
void k_prelu(KernelContext& c) { per_channel(c, true); }
void k_softplus_parametric(KernelContext& c) { per_channel(c, false); }

}  // namespace

/// Softmax along `axis` (max-subtracted; sums in fp32, or fp16 under fp16 reduction accumulation).
Tensor softmax_along(const KernelContext& ctx, const Tensor& x, int64_t axis_in, ir::DType out_dt) {
  const int64_t axis = norm_axis(ctx, axis_in, x.rank());
  int64_t outer = 1, inner = 1, n = x.shape()[size_t(axis)];
  for (int64_t i = 0; i < axis; ++i) outer *= x.shape()[size_t(i)];
  for (size_t i = size_t(axis) + 1; i < x.rank(); ++i) inner *= x.shape()[i];
  Tensor xf = x.is_float() ? x : x.cast_to(ir::DType::Float32);
  auto in = xf.floats();
  std::vector<float> out = take_float_buffer(in.size());
  const auto& num = ctx.numerics();
  AccumulationTally* tally = ctx.accumulation_tally();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < inner; ++k) {
      const size_t base = size_t(o * n * inner + k);
      float m = -INFINITY;
      for (int64_t j = 0; j < n; ++j) m = std::max(m, in[base + size_t(j * inner)]);
      Accumulator acc(num, SumGeometry::line(), tally);
      for (int64_t j = 0; j < n; ++j) {
        float e = std::exp(in[base + size_t(j * inner)] - m);
        out[base + size_t(j * inner)] = e;
        acc.add(e);
      }
      float s = acc.result();
      for (int64_t j = 0; j < n; ++j) out[base + size_t(j * inner)] /= s;
    }
  return Tensor::from_floats(out_dt, x.shape(), std::move(out));
}

namespace {
void k_softmax(KernelContext& c) {
  const Tensor& x = c.tensor("x");
  c.set(softmax_along(c, x, c.int_param("axis", -1), c.out_dtype(0, x.is_float() ? x.dtype() : ir::DType::Float32)));
}
}  // namespace

void register_activation_kernels() {
  register_kernel("relu", k_relu);
  register_kernel("relu6", k_relu6);
  register_kernel("sigmoid", k_sigmoid);
  register_kernel("tanh", k_tanh);
  register_kernel("silu", k_silu);
  register_kernel("softsign", k_softsign);
  register_kernel("softplus", k_softplus);
  register_kernel("gelu", k_gelu);
  register_kernel("leaky_relu", k_leaky_relu);
  register_kernel("elu", k_elu);
  register_kernel("clamped_relu", k_clamped_relu);
  register_kernel("linear_activation", k_linear_activation);
  register_kernel("scaled_tanh", k_scaled_tanh);
  register_kernel("sigmoid_hard", k_sigmoid_hard);
  register_kernel("thresholded_relu", k_thresholded_relu);
  register_kernel("prelu", k_prelu);
  register_kernel("softplus_parametric", k_softplus_parametric);
  register_kernel("softmax", k_softmax);
}

}  // namespace mlscope::exec
