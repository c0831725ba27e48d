// lstm (gate layout i, f, o, z — coremltools ops/defs/iOS15/recurrent.py), gru (r, o, z) and rnn.
// Each step's matrix products go through gemm() so profiles apply to them. The LSTM recurrence
// (lstm_direction, recurrent.h) is shared with the NeuralNetwork LSTM layers.
#include <algorithm>
#include <cmath>

#include "core/exec/kernels/gemm.h"
#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"
#include "core/exec/kernels/recurrent.h"

namespace mlscope::exec {

float RecurrentActivation::operator()(float v) const {
  switch (kind) {
    case Kind::Sigmoid: return 1.0f / (1.0f + std::exp(-v));
    case Kind::Tanh: return std::tanh(v);
    case Kind::Relu: return v > 0 ? v : 0;
    case Kind::Linear: return alpha * v + beta;
    case Kind::SigmoidHard: return std::min(std::max(alpha * v + beta, 0.0f), 1.0f);
    case Kind::ScaledTanh: return alpha * std::tanh(beta * v);
  }
  return v;
}

void lstm_direction(const KernelContext& ctx, const float* x, int64_t T, int64_t B, int64_t I, int64_t H, const LstmWeights& w,
                    const LstmOptions& opt, float* h, float* c, float* seq, int64_t seq_stride, int64_t seq_offset) {
  std::vector<float> gx(size_t(B * 4 * H)), gh(size_t(B * 4 * H));
  const float gcl = opt.gate_clip, ccl = opt.cell_clip;
  auto gate_clip = [gcl](float v) { return gcl > 0 ? std::clamp(v, -gcl, gcl) : v; };
  for (int64_t s = 0; s < T; ++s) {
    const int64_t t = opt.reverse ? T - 1 - s : s;
    gemm(ctx.numerics(), B, 4 * H, I, x + t * B * I, I, false, w.w_ih, I, true, gx.data(), 4 * H);
    gemm(ctx.numerics(), B, 4 * H, H, h, H, false, w.w_hh, H, true, gh.data(), 4 * H);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t k = 0; k < H; ++k) {
        auto pre = [&](int q) {
          float v = gx[size_t(b * 4 * H + q * H + k)] + gh[size_t(b * 4 * H + q * H + k)];
          if (w.bias) v += w.bias[size_t(q * H + k)];
          return v;
        };
        float& cc = c[size_t(b * H + k)];
        float pi = pre(0), pf = pre(1), po = pre(2), pz = pre(3);
        if (w.peephole) {
          pi += w.peephole[size_t(k)] * cc;
          pf += w.peephole[size_t(H + k)] * cc;
        }
        const float i = opt.recurrent(gate_clip(pi)), z = opt.cell(gate_clip(pz));
        const float f = opt.coupled_input_forget ? 1.0f - i : opt.recurrent(gate_clip(pf));
        cc = f * cc + i * z;
        if (ccl > 0) cc = std::clamp(cc, -ccl, ccl);
        if (w.peephole) po += w.peephole[size_t(2 * H + k)] * cc;
        const float o = opt.recurrent(gate_clip(po));
        h[size_t(b * H + k)] = o * opt.output(cc);
      }
    for (int64_t b = 0; b < B; ++b)
      for (int64_t k = 0; k < H; ++k) seq[size_t((t * B + b) * seq_stride + seq_offset + k)] = h[size_t(b * H + k)];
  }
}

namespace {

using Act = RecurrentActivation;

Act activation(const KernelContext& ctx, const std::string& name, const char* fallback) {
  std::string n = ctx.string_param(name, fallback);
  for (auto& c : n) c = char(std::tolower(c));
  if (n == "sigmoid") return {Act::Kind::Sigmoid, 1, 0};
  if (n == "tanh") return {Act::Kind::Tanh, 1, 0};
  if (n == "relu") return {Act::Kind::Relu, 1, 0};
  if (n == "linear") return {Act::Kind::Linear, 1, 0};
  if (n == "sigmoid_hard") return {Act::Kind::SigmoidHard, 0.2f, 0.5f};
  ctx.fail("unsupported activation '" + n + "'");
}

Tensor fl(const Tensor& t) { return t.is_float() ? t : t.cast_to(ir::DType::Float32); }

// Per-step pre-activations out[b, g] = sum_i x[b, i] * w[g, i] for w [G, I], via gemm.
void project(const KernelContext& ctx, const float* x, int64_t B, int64_t I, const Tensor& w, float* out) {
  const int64_t G = w.shape()[0];
  gemm(ctx.numerics(), B, G, I, x, I, false, w.floats().data(), I, true, out, G);
}

void k_lstm(KernelContext& ctx) {
  const Tensor x = fl(ctx.tensor("x"));
  if (x.rank() != 3) ctx.fail("x must be rank 3 [T, B, I]");
  const std::string direction = ctx.string_param("direction", "forward");
  const int64_t dirs = direction == "bidirectional" ? 2 : 1;
  const Tensor wih = fl(ctx.tensor("weight_ih")), whh = fl(ctx.tensor("weight_hh"));
  if (wih.rank() != 2 || whh.rank() != 2) ctx.fail("weights must be rank 2");
  const int64_t T = x.shape()[0], B = x.shape()[1], I = x.shape()[2], H = whh.shape()[1];
  const Tensor h0 = fl(ctx.tensor("initial_h")), c0 = fl(ctx.tensor("initial_c"));
  if (h0.size() != uint64_t(B * dirs * H) || c0.size() != uint64_t(B * dirs * H)) ctx.fail("initial state shape does not match [B, DIRECTION*H]");
  const bool out_seq = ctx.bool_param("output_sequence", false);
  LstmOptions opt;
  opt.recurrent = activation(ctx, "recurrent_activation", "sigmoid");
  opt.cell = activation(ctx, "cell_activation", "tanh");
  opt.output = activation(ctx, "activation", "tanh");
  opt.gate_clip = float(ctx.float_param("clip", 0));
  std::vector<float> seq(size_t(T * B * dirs * H)), hout(size_t(B * dirs * H)), cout_(size_t(B * dirs * H));
  for (int64_t d = 0; d < dirs; ++d) {
    std::vector<float> h(size_t(B * H)), c(size_t(B * H));
    for (int64_t b = 0; b < B; ++b)
      for (int64_t k = 0; k < H; ++k) {
        h[size_t(b * H + k)] = h0.floats()[size_t(b * dirs * H + d * H + k)];
        c[size_t(b * H + k)] = c0.floats()[size_t(b * dirs * H + d * H + k)];
      }
    const bool back = d == 1;
    auto opt_tensor = [&](const char* n) { return ctx.has(n) ? std::optional<Tensor>(fl(ctx.tensor(n))) : std::nullopt; };
    const Tensor w_ih = back ? fl(ctx.tensor("weight_ih_back")) : wih, w_hh = back ? fl(ctx.tensor("weight_hh_back")) : whh;
    const std::optional<Tensor> bias = opt_tensor(back ? "bias_back" : "bias"), peep = opt_tensor(back ? "peephole_back" : "peephole");
    if (w_ih.rank() != 2 || w_hh.rank() != 2 || w_ih.shape()[0] != 4 * H || w_ih.shape()[1] != I || w_hh.shape()[0] != 4 * H || w_hh.shape()[1] != H)
      ctx.fail("weight shapes do not match input/hidden sizes");
    if (bias && bias->size() != uint64_t(4 * H)) ctx.fail("bias holds " + std::to_string(bias->size()) + " values, expected 4*H = " + std::to_string(4 * H));
    if (peep && peep->size() != uint64_t(3 * H)) ctx.fail("peephole holds " + std::to_string(peep->size()) + " values, expected 3*H = " + std::to_string(3 * H));
    LstmWeights w{w_ih.floats().data(), w_hh.floats().data(), bias ? bias->floats().data() : nullptr, peep ? peep->floats().data() : nullptr};
    opt.reverse = back || direction == "reverse";
    lstm_direction(ctx, x.floats().data(), T, B, I, H, w, opt, h.data(), c.data(), seq.data(), dirs * H, d * H);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t k = 0; k < H; ++k) {
        hout[size_t(b * dirs * H + d * H + k)] = h[size_t(b * H + k)];
        cout_[size_t(b * dirs * H + d * H + k)] = c[size_t(b * H + k)];
      }
  }
  const ir::DType dt = ctx.out_dtype(0, x.dtype());
  if (out_seq) {
    ctx.set(Tensor::from_floats(dt, {T, B, dirs * H}, std::move(seq)), 0);
  } else {
    ctx.set(Tensor::from_floats(dt, {1, B, dirs * H}, hout), 0);
  }
  ctx.set(Tensor::from_floats(ctx.out_dtype(1, dt), {B, dirs * H}, hout), 1);
  ctx.set(Tensor::from_floats(ctx.out_dtype(2, dt), {B, dirs * H}, std::move(cout_)), 2);
}

void k_gru(KernelContext& ctx) {
  const Tensor x = fl(ctx.tensor("x"));
  if (x.rank() != 3) ctx.fail("x must be rank 3 [T, B, I]");
  const Tensor wih = fl(ctx.tensor("weight_ih")), whh = fl(ctx.tensor("weight_hh"));
  const int64_t T = x.shape()[0], B = x.shape()[1], I = x.shape()[2], H = whh.shape()[1];
  if (wih.shape()[0] != 3 * H || wih.shape()[1] != I || whh.shape()[0] != 3 * H) ctx.fail("weight shapes do not match input/hidden sizes");
  std::optional<Tensor> bias = ctx.has("bias") ? std::optional<Tensor>(fl(ctx.tensor("bias"))) : std::nullopt;
  const Tensor h0 = fl(ctx.tensor("initial_h"));
  if (h0.size() != uint64_t(B * H)) ctx.fail("initial_h shape does not match [B, H]");
  Act ra = activation(ctx, "recurrent_activation", "sigmoid"), oa = activation(ctx, "activation", "tanh");
  const bool reverse = ctx.string_param("direction", "forward") == "reverse";
  std::vector<float> h(h0.floats().begin(), h0.floats().end()), seq(size_t(T * B * H)), gx(size_t(B * 3 * H)), gh(size_t(B * 3 * H));
  for (int64_t s = 0; s < T; ++s) {
    const int64_t t = reverse ? T - 1 - s : s;
    project(ctx, x.floats().data() + t * B * I, B, I, wih, gx.data());
    project(ctx, h.data(), B, H, whh, gh.data());
    for (int64_t b = 0; b < B; ++b)
      for (int64_t k = 0; k < H; ++k) {
        auto at = [&](const std::vector<float>& v, int q) { return v[size_t(b * 3 * H + q * H + k)]; };
        auto bb = [&](int q) { return bias ? bias->floats()[size_t(q * H + k)] : 0.0f; };
        const float r = ra(at(gx, 0) + at(gh, 0) + bb(0));
        const float z = ra(at(gx, 2) + at(gh, 2) + bb(2));
        const float o = oa(at(gx, 1) + r * at(gh, 1) + bb(1));
        float& hh = h[size_t(b * H + k)];
        hh = (1 - z) * o + z * hh;
        seq[size_t((t * B + b) * H + k)] = hh;
      }
  }
  const ir::DType dt = ctx.out_dtype(0, x.dtype());
  if (ctx.bool_param("output_sequence", false)) ctx.set(Tensor::from_floats(dt, {T, B, H}, std::move(seq)), 0);
  else ctx.set(Tensor::from_floats(dt, {1, B, H}, h), 0);
  ctx.set(Tensor::from_floats(ctx.out_dtype(1, dt), {B, H}, h), 1);
}

void k_rnn(KernelContext& ctx) {
  const Tensor x = fl(ctx.tensor("x"));
  if (x.rank() != 3) ctx.fail("x must be rank 3 [T, B, I]");
  const Tensor wih = fl(ctx.tensor("weight_ih")), whh = fl(ctx.tensor("weight_hh"));
  const int64_t T = x.shape()[0], B = x.shape()[1], I = x.shape()[2], H = whh.shape()[1];
  if (wih.shape()[0] != H || wih.shape()[1] != I || whh.shape()[0] != H) ctx.fail("weight shapes do not match input/hidden sizes");
  std::optional<Tensor> bias = ctx.has("bias") ? std::optional<Tensor>(fl(ctx.tensor("bias"))) : std::nullopt;
  const Tensor h0 = fl(ctx.tensor("initial_h"));
  if (h0.size() != uint64_t(B * H)) ctx.fail("initial_h shape does not match [B, H]");
  Act act = activation(ctx, "activation", "tanh");
  const bool reverse = ctx.string_param("direction", "forward") == "reverse";
  std::vector<float> h(h0.floats().begin(), h0.floats().end()), seq(size_t(T * B * H)), gx(size_t(B * H)), gh(size_t(B * H));
  for (int64_t s = 0; s < T; ++s) {
    const int64_t t = reverse ? T - 1 - s : s;
    project(ctx, x.floats().data() + t * B * I, B, I, wih, gx.data());
    project(ctx, h.data(), B, H, whh, gh.data());
    for (int64_t i = 0; i < B * H; ++i) {
      h[size_t(i)] = act(gx[size_t(i)] + gh[size_t(i)] + (bias ? bias->floats()[size_t(i % H)] : 0.0f));
      seq[size_t(t * B * H + i)] = h[size_t(i)];
    }
  }
  const ir::DType dt = ctx.out_dtype(0, x.dtype());
  if (ctx.bool_param("output_sequence", false)) ctx.set(Tensor::from_floats(dt, {T, B, H}, std::move(seq)), 0);
  else ctx.set(Tensor::from_floats(dt, {1, B, H}, h), 0);
  ctx.set(Tensor::from_floats(ctx.out_dtype(1, dt), {B, H}, h), 1);
}

}  // namespace

void register_recurrent_kernels() {
  register_kernel("lstm", k_lstm);
  register_kernel("gru", k_gru);
  register_kernel("rnn", k_rnn);
}

}  // namespace mlscope::exec
