// linear, matmul, einsum: BLAS sgemm under fp32 accumulation, the profile's rounding rules
// otherwise (gemm.h); ane-w8a8 int8 × int8 linear accumulates exactly.
#include <cmath>
#include <map>

#include "core/exec/kernels/gemm.h"
#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"
#include "core/exec/kernels/quantized_source.h"

namespace mlscope::exec {

void saturate_outputs(const OpNumerics& num, std::span<float> v) {
  if (num.saturate <= 0) return;
  for (float& x : v) x = std::min(std::max(x, -num.saturate), num.saturate);
}

namespace {

Tensor as_float(const Tensor& t) { return t.is_float() ? t : t.cast_to(ir::DType::Float32); }

void k_linear(KernelContext& ctx) {
  const Tensor x = as_float(ctx.tensor("x"));
  const Tensor w = as_float(ctx.tensor("weight"));
  if (w.rank() != 2) ctx.fail("weight must be rank 2, got " + dims_str(w.shape()));
  if (x.rank() < 1 || x.shape().back() != w.shape()[1])
    ctx.fail("input " + dims_str(x.shape()) + " does not match weight " + dims_str(w.shape()));
  const int64_t out_f = w.shape()[0], in_f = w.shape()[1];
  const int64_t rows = in_f ? int64_t(x.size()) / in_f : 0;
  Dims shape = x.shape();
  shape.back() = out_f;
  Tensor y = float_output(ctx, shape);
  auto yv = y.mutable_floats();
  const OpNumerics& num = ctx.numerics();
  std::optional<QuantizedOperand> qx, qw;
  if (num.int8_accumulation) {
    qx = quantized_source(ctx, "x", x);
    qw = qx ? quantized_source(ctx, "weight", w) : std::nullopt;
  }
  if (qx && qw && (qw->axis < 0 || qw->axis == 0)) {
    // int8 x int8: exact integer dot products on sgemm (gemm_integer_codes_exact, the weight
    // read transposed as stored), scaled in double before the one rounding to fp32.
    std::vector<double> acc(size_t(rows * out_f));
    gemm_integer_codes_exact(rows, out_f, in_f, qx->codes.data(), in_f, qw->codes.data(), in_f, /*transB=*/true, acc.data(),
                             double(qx->max_abs_code) * double(qw->max_abs_code));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t o = 0; o < out_f; ++o) {
        const float sw = qw->scale.size() == 1 ? qw->scale[0] : qw->scale[size_t(o)];
        yv[size_t(r * out_f + o)] = float(acc[size_t(r * out_f + o)] * double(qx->scale[0]) * double(sw));
      }
  } else {
    gemm(num, rows, out_f, in_f, x.floats().data(), in_f, false, w.floats().data(), in_f, true, yv.data(), out_f);
  }
  if (auto b = ctx.opt_tensor("bias")) {
    Tensor bf = as_float(*b);
    if (int64_t(bf.size()) != out_f) ctx.fail("bias has " + std::to_string(bf.size()) + " values for " + std::to_string(out_f) + " outputs");
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t o = 0; o < out_f; ++o) yv[size_t(r * out_f + o)] += bf.floats()[size_t(o)];
  }
  saturate_outputs(num, yv);
  ctx.set(y);
}

void k_matmul(KernelContext& ctx) {
  Tensor x = as_float(ctx.tensor("x")), y = as_float(ctx.tensor("y"));
  const bool tx = ctx.bool_param("transpose_x", false), ty = ctx.bool_param("transpose_y", false);
  if (x.rank() == 1) x = x.reshaped({1, x.shape()[0]});
  const bool y_vec = y.rank() == 1;
  if (y_vec) y = y.reshaped({y.shape()[0], 1});
  const int64_t M = tx ? x.shape()[x.rank() - 1] : x.shape()[x.rank() - 2];
  const int64_t Kx = tx ? x.shape()[x.rank() - 2] : x.shape()[x.rank() - 1];
  const int64_t Ky = ty ? y.shape()[y.rank() - 1] : y.shape()[y.rank() - 2];
  const int64_t N = ty ? y.shape()[y.rank() - 2] : y.shape()[y.rank() - 1];
  if (Kx != Ky) ctx.fail("inner dimensions differ: " + dims_str(x.shape()) + " x " + dims_str(y.shape()));
  Dims bx(x.shape().begin(), x.shape().end() - 2), by(y.shape().begin(), y.shape().end() - 2);
  Dims batch = broadcast_shapes(ctx, bx, by);
  auto ix = broadcast_index(bx, batch), iy = broadcast_index(by, batch);
  Dims out_shape = batch;
  out_shape.push_back(M);
  out_shape.push_back(N);
  Tensor out = float_output(ctx, out_shape);
  auto ov = out.mutable_floats();
  const uint64_t nb = dims_count(batch);
  const int64_t xs = M * Kx, ys = Kx * N;
  for (uint64_t b = 0; b < nb; ++b)
    gemm(ctx.numerics(), M, N, Kx, x.floats().data() + ix[b] * uint64_t(xs), tx ? M : Kx, tx, y.floats().data() + iy[b] * uint64_t(ys),
         ty ? Kx : N, ty, ov.data() + b * uint64_t(M * N), N);
  saturate_outputs(ctx.numerics(), ov);
  if (y_vec) out_shape.pop_back();
  ctx.set(out.reshaped(out_shape));
}

// einsum: generic naive contraction over the labelled indices (MIL einsum has two operands).
void k_einsum(KernelContext& ctx) {
  std::string eq = ctx.string_param("equation", "");
  eq.erase(std::remove(eq.begin(), eq.end(), ' '), eq.end());
  const size_t arrow = eq.find("->"), comma = eq.find(',');
  if (arrow == std::string::npos || comma == std::string::npos || comma > arrow) ctx.fail("unsupported equation '" + eq + "'");
  const std::string la = eq.substr(0, comma), lb = eq.substr(comma + 1, arrow - comma - 1), lo = eq.substr(arrow + 2);
  const Tensor a = as_float(ctx.tensor("values", 0)), b = as_float(ctx.tensor("values", 1));
  if (la.size() != a.rank() || lb.size() != b.rank()) ctx.fail("equation '" + eq + "' does not match operand ranks");
  std::map<char, int64_t> size;
  auto bind = [&](const std::string& l, const Tensor& t) {
    for (size_t i = 0; i < l.size(); ++i) {
      auto [it, fresh] = size.emplace(l[i], t.shape()[i]);
      if (!fresh && it->second != t.shape()[i] && t.shape()[i] != 1 && it->second != 1) ctx.fail("label '" + std::string(1, l[i]) + "' has two sizes");
      it->second = std::max(it->second, t.shape()[i]);
    }
  };
  bind(la, a);
  bind(lb, b);
  std::string labels;
  for (auto& [c, n] : size) labels += c;
  Dims out_shape;
  for (char c : lo) {
    if (!size.count(c)) ctx.fail("output label '" + std::string(1, c) + "' not in the inputs");
    out_shape.push_back(size[c]);
  }
  Tensor out = float_output(ctx, out_shape);
  auto ov = out.mutable_floats();
  std::vector<int64_t> idx(labels.size(), 0);
  auto pos = [&](char c) { return labels.find(c); };
  auto flat = [&](const std::string& l, const Tensor& t) {
    uint64_t f = 0;
    for (size_t i = 0; i < l.size(); ++i) f = f * uint64_t(t.shape()[i]) + uint64_t(t.shape()[i] == 1 ? 0 : idx[pos(l[i])]);
    return f;
  };
  std::vector<double> acc(ov.size(), 0.0);
  while (true) {
    uint64_t o = 0;
    for (size_t i = 0; i < lo.size(); ++i) o = o * uint64_t(out_shape[i]) + uint64_t(idx[pos(lo[i])]);
    acc[o] += double(a.floats()[flat(la, a)]) * b.floats()[flat(lb, b)];
    size_t d = labels.size();
    while (d-- > 0) {
      if (++idx[d] < size[labels[d]]) break;
      idx[d] = 0;
    }
    if (d == size_t(-1)) break;
  }
  for (size_t i = 0; i < ov.size(); ++i) ov[i] = float(acc[i]);
  saturate_outputs(ctx.numerics(), ov);
  ctx.set(out);
}

}  // namespace

void register_linear_kernels() {
  register_kernel("linear", k_linear);
  register_kernel("matmul", k_matmul);
  register_kernel("einsum", k_einsum);
}

}  // namespace mlscope::exec
