// lstm (gate layout i, f, o, z — coremltools ops/defs/iOS15/recurrent.py), gru (r, o, z) and rnn.
// Each step's matrix products go through gemm() so profiles apply to them.
#include <cmath>

#include "core/exec/gemm.h"
#include "core/exec/kernel_families.h"
#include "core/exec/kernel_util.h"

namespace mlscope::exec {

namespace {

using Act = float (*)(float);
float a_sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }
float a_tanh(float v) { return std::tanh(v); }
float a_relu(float v) { return v > 0 ? v : 0; }
float a_linear(float v) { return v; }
float a_hard_sigmoid(float v) { return std::min(std::max(0.2f * v + 0.5f, 0.0f), 1.0f); }

Act activation(const KernelContext& ctx, const std::string& name, const char* fallback) {
  std::string n = ctx.string_param(name, fallback);
  for (auto& c : n) c = char(std::tolower(c));
  if (n == "sigmoid") return a_sigmoid;
  if (n == "tanh") return a_tanh;
  if (n == "relu") return a_relu;
  if (n == "linear") return a_linear;
  if (n == "sigmoid_hard") return a_hard_sigmoid;
  ctx.fail("unsupported activation '" + n + "'");
}

Tensor fl(const Tensor& t) { return t.is_float() ? t : t.cast_to(ir::DType::Float32); }

// Per-step pre-activations: gates[b, G*H] = x_t W_ih^T + h W_hh^T (+ bias), via gemm.
struct Cell {
  const Tensor &wih, &whh;
  std::vector<float> bias;
};

void project(const KernelContext& ctx, const float* x, int64_t B, int64_t I, const Tensor& w, float* out) {
  const int64_t G = w.shape()[0];
  gemm(ctx.numerics(), B, G, I, x, I, false, w.floats().data(), I, true, out, G);
}

void run_lstm_dir(KernelContext& ctx, const Tensor& x, int64_t dir_index, bool reverse, const Tensor& wih, const Tensor& whh,
                  const std::optional<Tensor>& bias, const std::optional<Tensor>& peep, std::vector<float>& h, std::vector<float>& c,
                  std::vector<float>& seq, int64_t dirs) {
  const int64_t T = x.shape()[0], B = x.shape()[1], I = x.shape()[2], H = whh.shape()[1];
  if (wih.shape()[0] != 4 * H || wih.shape()[1] != I || whh.shape()[0] != 4 * H) ctx.fail("weight shapes do not match input/hidden sizes");
  Act ra = activation(ctx, "recurrent_activation", "sigmoid"), ca = activation(ctx, "cell_activation", "tanh"), oa = activation(ctx, "activation", "tanh");
  const double clip = ctx.float_param("clip", 0);
  std::vector<float> gx(size_t(B * 4 * H)), gh(size_t(B * 4 * H));
  for (int64_t s = 0; s < T; ++s) {
    const int64_t t = reverse ? T - 1 - s : s;
    project(ctx, x.floats().data() + t * B * I, B, I, wih, gx.data());
    project(ctx, h.data(), B, H, whh, gh.data());
    for (int64_t b = 0; b < B; ++b)
      for (int64_t k = 0; k < H; ++k) {
        auto g = [&](int q) {
          float v = gx[size_t(b * 4 * H + q * H + k)] + gh[size_t(b * 4 * H + q * H + k)];
          if (bias) v += bias->floats()[size_t(q * H + k)];
          return v;
        };
        float& cc = c[size_t(b * H + k)];
        float gi = g(0), gf = g(1), go = g(2), gz = g(3);
        if (peep) {
          gi += peep->floats()[size_t(k)] * cc;
          gf += peep->floats()[size_t(H + k)] * cc;
        }
        if (clip > 0) {
          const float cl = float(clip);
          gi = std::clamp(gi, -cl, cl); gf = std::clamp(gf, -cl, cl); go = std::clamp(go, -cl, cl); gz = std::clamp(gz, -cl, cl);
        }
        const float i = ra(gi), f = ra(gf), z = ca(gz);
        cc = f * cc + i * z;
        if (peep) go += peep->floats()[size_t(2 * H + k)] * cc;
        const float o = ra(go);
        h[size_t(b * H + k)] = o * oa(cc);
      }
    for (int64_t b = 0; b < B; ++b)
      for (int64_t k = 0; k < H; ++k) seq[size_t((t * B + b) * dirs * H + dir_index * H + k)] = h[size_t(b * H + k)];
  }
}

void k_lstm(KernelContext& ctx) {
  const Tensor x = fl(ctx.tensor("x"));
  if (x.rank() != 3) ctx.fail("x must be rank 3 [T, B, I]");
  const std::string direction = ctx.string_param("direction", "forward");
  const int64_t dirs = direction == "bidirectional" ? 2 : 1;
  const Tensor wih = fl(ctx.tensor("weight_ih")), whh = fl(ctx.tensor("weight_hh"));
  if (wih.rank() != 2 || whh.rank() != 2) ctx.fail("weights must be rank 2");
  const int64_t T = x.shape()[0], B = x.shape()[1], H = whh.shape()[1];
  const Tensor h0 = fl(ctx.tensor("initial_h")), c0 = fl(ctx.tensor("initial_c"));
  if (h0.size() != uint64_t(B * dirs * H) || c0.size() != uint64_t(B * dirs * H)) ctx.fail("initial state shape does not match [B, DIRECTION*H]");
  const bool out_seq = ctx.bool_param("output_sequence", false);
  std::vector<float> seq(size_t(T * B * dirs * H)), hout(size_t(B * dirs * H)), cout_(size_t(B * dirs * H));
  for (int64_t d = 0; d < dirs; ++d) {
    std::vector<float> h(size_t(B * H)), c(size_t(B * H));
    for (int64_t b = 0; b < B; ++b)
      for (int64_t k = 0; k < H; ++k) {
        h[size_t(b * H + k)] = h0.floats()[size_t(b * dirs * H + d * H + k)];
        c[size_t(b * H + k)] = c0.floats()[size_t(b * dirs * H + d * H + k)];
      }
    const bool back = d == 1;
    auto opt = [&](const char* n) { return ctx.has(n) ? std::optional<Tensor>(fl(ctx.tensor(n))) : std::nullopt; };
    run_lstm_dir(ctx, x, d, back || direction == "reverse", back ? fl(ctx.tensor("weight_ih_back")) : wih, back ? fl(ctx.tensor("weight_hh_back")) : whh,
                 back ? opt("bias_back") : opt("bias"), back ? opt("peephole_back") : opt("peephole"), h, c, seq, dirs);
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
