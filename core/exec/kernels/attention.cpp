// scaled_dot_product_attention (iOS18): softmax(Q K^T / sqrt(d) + mask) V, with a bool mask
// (false = -inf) or an additive float mask.
#include <cmath>

#include "core/exec/kernels/gemm.h"
#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"

namespace mlscope::exec {

namespace {

Tensor fl(const Tensor& t) { return t.is_float() ? t : t.cast_to(ir::DType::Float32); }

void k_sdpa(KernelContext& ctx) {
  const Tensor q = fl(ctx.tensor("query")), k = fl(ctx.tensor("key")), v = fl(ctx.tensor("value"));
  if (q.rank() < 2 || k.rank() != q.rank() || v.rank() != q.rank()) ctx.fail("query/key/value ranks differ");
  const size_t r = q.rank();
  const int64_t L = q.shape()[r - 2], E = q.shape()[r - 1], S = k.shape()[r - 2], Ev = v.shape()[r - 1];
  if (k.shape()[r - 1] != E || v.shape()[r - 2] != S) ctx.fail("key/value shapes do not match query");
  Dims batch(q.shape().begin(), q.shape().end() - 2);
  const uint64_t nb = dims_count(batch);
  if (dims_count(Dims(k.shape().begin(), k.shape().end() - 2)) != nb || dims_count(Dims(v.shape().begin(), v.shape().end() - 2)) != nb)
    ctx.fail("batch dimensions differ (broadcasting is not supported)");
  std::optional<Tensor> mask = ctx.opt_tensor("attn_mask");
  std::vector<uint64_t> mi;
  Dims score_shape = batch;
  score_shape.push_back(L);
  score_shape.push_back(S);
  if (mask) mi = broadcast_index(mask->shape(), score_shape);
  Tensor out = float_output(ctx, [&] { Dims d = batch; d.push_back(L); d.push_back(Ev); return d; }());
  auto ov = out.mutable_floats();
  std::vector<float> scores(size_t(L * S));
  const float scale = 1.0f / std::sqrt(float(E));
  for (uint64_t b = 0; b < nb; ++b) {
    gemm(ctx.numerics(), L, S, E, q.floats().data() + b * uint64_t(L * E), E, false, k.floats().data() + b * uint64_t(S * E), E, true, scores.data(), S);
    for (int64_t i = 0; i < L; ++i) {
      float m = -INFINITY;
      for (int64_t j = 0; j < S; ++j) {
        float& s = scores[size_t(i * S + j)];
        s *= scale;
        if (mask) {
          const double mv = mask->at(mi[b * uint64_t(L * S) + uint64_t(i * S + j)]);
          if (mask->dtype() == ir::DType::Bool) { if (mv == 0) s = -INFINITY; }
          else s += float(mv);
        }
        m = std::max(m, s);
      }
      float sum = 0;
      for (int64_t j = 0; j < S; ++j) {
        float& s = scores[size_t(i * S + j)];
        s = std::isinf(m) && m < 0 ? 0.0f : std::exp(s - m);
        sum += s;
      }
      for (int64_t j = 0; j < S; ++j) scores[size_t(i * S + j)] = sum > 0 ? scores[size_t(i * S + j)] / sum : 0.0f;
    }
    gemm(ctx.numerics(), L, Ev, S, scores.data(), S, false, v.floats().data() + b * uint64_t(S * Ev), Ev, false, ov.data() + b * uint64_t(L * Ev), Ev);
  }
  ctx.set(out);
}

}  // namespace

void register_attention_kernels() { register_kernel("scaled_dot_product_attention", k_sdpa); }

}  // namespace mlscope::exec
