// Elementwise MIL ops: binary arithmetic/comparison/logic with numpy broadcasting, unary math,
// cast, select. Float math in fp32 (the profile rounds outputs), integer math exact in int64.
#include <cmath>
#include <functional>

#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"
#include "core/exec/parallel.h"

namespace mlscope::exec {

namespace {

enum class Bin { Add, Sub, Mul, Div, FloorDiv, Mod, Pow, Max, Min, Eq, Ne, Lt, Le, Gt, Ge, And, Or, Xor };

bool is_compare(Bin b) { return b >= Bin::Eq; }

float fbin(Bin b, float x, float y) {
  switch (b) {
    case Bin::Add: return x + y;
    case Bin::Sub: return x - y;
    case Bin::Mul: return x * y;
    case Bin::Div: return x / y;
    case Bin::FloorDiv: return std::floor(x / y);
    case Bin::Mod: { float m = std::fmod(x, y); return (m != 0 && ((m < 0) != (y < 0))) ? m + y : m; }
    case Bin::Pow: return std::pow(x, y);
    case Bin::Max: return std::isnan(x) || std::isnan(y) ? NAN : std::max(x, y);
    case Bin::Min: return std::isnan(x) || std::isnan(y) ? NAN : std::min(x, y);
    case Bin::Eq: return x == y;
    case Bin::Ne: return x != y;
    case Bin::Lt: return x < y;
    case Bin::Le: return x <= y;
    case Bin::Gt: return x > y;
    case Bin::Ge: return x >= y;
    case Bin::And: return (x != 0) && (y != 0);
    case Bin::Or: return (x != 0) || (y != 0);
    case Bin::Xor: return (x != 0) != (y != 0);
  }
  return 0;
}

int64_t ibin(const KernelContext& ctx, Bin b, int64_t x, int64_t y) {
  switch (b) {
    case Bin::Add: return x + y;
    case Bin::Sub: return x - y;
    case Bin::Mul: return x * y;
    case Bin::Div:
    case Bin::FloorDiv: {
      if (y == 0) ctx.fail("integer division by zero");
      int64_t q = x / y;
      return (q * y != x && ((x < 0) != (y < 0))) ? q - 1 : q;
    }
    case Bin::Mod: {
      if (y == 0) ctx.fail("integer modulo by zero");
      int64_t m = x % y;
      return (m != 0 && ((m < 0) != (y < 0))) ? m + y : m;
    }
    case Bin::Pow: {
      int64_t r = 1;
      for (int64_t i = 0; i < y && i < 64; ++i) r *= x;
      return y < 0 ? 0 : r;
    }
    case Bin::Max: return std::max(x, y);
    case Bin::Min: return std::min(x, y);
    case Bin::Eq: return x == y;
    case Bin::Ne: return x != y;
    case Bin::Lt: return x < y;
    case Bin::Le: return x <= y;
    case Bin::Gt: return x > y;
    case Bin::Ge: return x >= y;
    case Bin::And: return (x != 0) && (y != 0);
    case Bin::Or: return (x != 0) || (y != 0);
    case Bin::Xor: return (x != 0) != (y != 0);
  }
  return 0;
}

// Float x op float y into x's own storage, when x dies at this op (take_dying_input) and the
// output has x's shape (y the same shape, or one value): one activation-sized buffer less at
// a scale or residual add. The values are those of the general path below.
template <Bin B>
bool binary_in_place(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  const Tensor& y = ctx.tensor("y");
  const bool y_one = y.size() == 1 && y.rank() <= x.rank();
  if (is_compare(B) || !x.is_float() || !y.is_float() || !(y_one || y.shape() == x.shape())) return false;
  const ir::DType out_dt = ctx.out_dtype(0, ir::DType::Float32);
  if (storage_of(out_dt) != Storage::Float) return false;
  std::optional<Tensor> dying = ctx.take_dying_input("x");  // x's slot is empty from here on
  if (!dying) return false;
  std::span<float> v = dying->mutable_floats();
  auto ys = y.floats();
  parallel_for(v.size(), [&](uint64_t b, uint64_t e) {
    for (uint64_t k = b; k < e; ++k) v[k] = fbin(B, v[k], ys[y_one ? 0 : k]);
  });
  ctx.set(dying->relabeled(out_dt));
  return true;
}

template <Bin B>
void binary(KernelContext& ctx) {
  if (binary_in_place<B>(ctx)) return;
  const Tensor& x = ctx.tensor("x");
  const Tensor& y = ctx.tensor("y");
  const Dims shape = x.shape() == y.shape() ? x.shape() : broadcast_shapes(ctx, x.shape(), y.shape());
  const uint64_t n = dims_count(shape);
  const bool floats = x.is_float() || y.is_float();
  ir::DType out_dt = ctx.out_dtype(0, is_compare(B) ? ir::DType::Bool : (floats ? ir::DType::Float32 : x.dtype()));
  std::vector<uint64_t> ix, iy;
  const bool same = x.shape() == shape && y.shape() == shape;
  const bool y_scalar = x.shape() == shape && y.size() == 1;
  if (!same && !y_scalar) {
    ix = broadcast_index(x.shape(), shape);
    iy = broadcast_index(y.shape(), shape);
  }
  auto xi = [&](uint64_t k) { return same || y_scalar ? k : ix[k]; };
  auto yi = [&](uint64_t k) { return same ? k : y_scalar ? 0 : iy[k]; };
  if (floats) {
    std::vector<float> xf, yf;
    std::span<const float> xs, ys;
    if (x.is_float()) xs = x.floats(); else { xf.resize(x.size()); for (uint64_t i = 0; i < x.size(); ++i) xf[i] = float(x.at(i)); xs = xf; }
    if (y.is_float()) ys = y.floats(); else { yf.resize(y.size()); for (uint64_t i = 0; i < y.size(); ++i) yf[i] = float(y.at(i)); ys = yf; }
    if (storage_of(out_dt) == Storage::Float) {
      std::vector<float> out = take_float_buffer(n);
      parallel_for(n, [&](uint64_t b, uint64_t e) {
        for (uint64_t k = b; k < e; ++k) out[k] = fbin(B, xs[xi(k)], ys[yi(k)]);
      });
      ctx.set(Tensor::from_floats(out_dt, shape, std::move(out)));
    } else {
      std::vector<int64_t> out = take_int_buffer(n);
      for (uint64_t k = 0; k < n; ++k) out[k] = static_cast<int64_t>(fbin(B, xs[xi(k)], ys[yi(k)]));
      ctx.set(Tensor::from_ints(out_dt, shape, std::move(out)));
    }
    return;
  }
  auto xs = x.ints(), ys = y.ints();
  if (storage_of(out_dt) == Storage::Float) {
    std::vector<float> out = take_float_buffer(n);
    for (uint64_t k = 0; k < n; ++k) out[k] = B == Bin::Div ? float(xs[xi(k)]) / float(ys[yi(k)]) : float(ibin(ctx, B, xs[xi(k)], ys[yi(k)]));
    ctx.set(Tensor::from_floats(out_dt, shape, std::move(out)));
    return;
  }
  std::vector<int64_t> out(n);
  for (uint64_t k = 0; k < n; ++k) out[k] = ibin(ctx, B, xs[xi(k)], ys[yi(k)]);
  ctx.set(Tensor::from_ints(out_dt, shape, std::move(out)).cast_to(out_dt));
}

// Unary float op: f(x) with optional scalar parameters read by the lambda maker.
template <typename F>
void unary_apply(KernelContext& ctx, F f) {
  const Tensor& x = ctx.tensor("x");
  if (!x.is_float()) {
    Tensor xf = x.cast_to(ir::DType::Float32);
    std::vector<float> out = take_float_buffer(xf.size());
    auto in = xf.floats();
    for (uint64_t i = 0; i < out.size(); ++i) out[i] = f(in[i]);
    ir::DType dt = ctx.out_dtype(0, x.dtype());
    Tensor r = Tensor::from_floats(ir::DType::Float32, x.shape(), std::move(out));
    ctx.set(storage_of(dt) == Storage::Float ? r.relabeled(dt) : r.cast_to(dt));
    return;
  }
  std::vector<float> out = take_float_buffer(x.size());
  auto in = x.floats();
  parallel_for(out.size(), [&](uint64_t b, uint64_t e) {
    for (uint64_t i = b; i < e; ++i) out[i] = f(in[i]);
  });
  ir::DType dt = ctx.out_dtype(0, x.dtype());
  ctx.set(Tensor::from_floats(storage_of(dt) == Storage::Float ? dt : ir::DType::Float32, x.shape(), std::move(out)));
}

#define UNARY(NAME, EXPR) \
  void NAME(KernelContext& ctx) { unary_apply(ctx, [](float v) -> float { return EXPR; }); }

UNARY(k_abs, std::fabs(v))
UNARY(k_acos, std::acos(v))
UNARY(k_asin, std::asin(v))
UNARY(k_atan, std::atan(v))
UNARY(k_atanh, std::atanh(v))
UNARY(k_ceil, std::ceil(v))
UNARY(k_cos, std::cos(v))
UNARY(k_cosh, std::cosh(v))
UNARY(k_erf, std::erf(v))
UNARY(k_exp, std::exp(v))
UNARY(k_exp2, std::exp2(v))
UNARY(k_floor, std::floor(v))
UNARY(k_round, std::nearbyint(v))
UNARY(k_sign, float((v > 0) - (v < 0)))
UNARY(k_sin, std::sin(v))
UNARY(k_sinh, std::sinh(v))
UNARY(k_sqrt, std::sqrt(v))
UNARY(k_square, v * v)
UNARY(k_tan, std::tan(v))

void k_rsqrt(KernelContext& ctx) {
  const float eps = float(ctx.float_param("epsilon", 1e-12));
  unary_apply(ctx, [eps](float v) { return 1.0f / std::sqrt(v + eps); });
}
void k_inverse(KernelContext& ctx) {
  const float eps = float(ctx.float_param("epsilon", 1e-4));
  unary_apply(ctx, [eps](float v) { return 1.0f / (v + eps); });
}
void k_log(KernelContext& ctx) {
  const float eps = float(ctx.float_param("epsilon", 1e-45));
  unary_apply(ctx, [eps](float v) { return std::log(v + eps); });
}
void k_clip(KernelContext& ctx) {
  const float a = float(ctx.float_param("alpha", -INFINITY)), b = float(ctx.float_param("beta", INFINITY));
  unary_apply(ctx, [a, b](float v) { return std::min(std::max(v, a), b); });
}
void k_threshold(KernelContext& ctx) {
  const float a = float(ctx.float_param("alpha", 0));
  unary_apply(ctx, [a](float v) { return std::max(v, a); });
}

void k_logical_not(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  std::vector<int64_t> out(x.size());
  for (uint64_t i = 0; i < x.size(); ++i) out[i] = x.at(i) == 0;
  ctx.set(Tensor::from_ints(ir::DType::Bool, x.shape(), std::move(out)));
}

void k_identity(KernelContext& ctx) { ctx.set_output(0, ctx.value("x")); }

void k_cast(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  std::string dt = ctx.string_param("dtype", "");
  auto parsed = ir::dtype_from_name(dt == "int64" ? "int64" : dt);
  if (!parsed) ctx.fail("unknown dtype '" + dt + "'");
  ctx.set(x.cast_to(*parsed));
}

void k_select(KernelContext& ctx) {
  const Tensor& c = ctx.tensor("cond");
  const Tensor& a = ctx.tensor("a");
  const Tensor& b = ctx.tensor("b");
  Dims shape = broadcast_shapes(ctx, broadcast_shapes(ctx, c.shape(), a.shape()), b.shape());
  auto ic = broadcast_index(c.shape(), shape), ia = broadcast_index(a.shape(), shape), ib = broadcast_index(b.shape(), shape);
  const uint64_t n = dims_count(shape);
  if (a.is_float() || b.is_float()) {
    Tensor af = a.cast_to(a.is_float() ? a.dtype() : ir::DType::Float32), bf = b.cast_to(b.is_float() ? b.dtype() : ir::DType::Float32);
    std::vector<float> out = take_float_buffer(n);
    for (uint64_t k = 0; k < n; ++k) out[k] = c.at(ic[k]) != 0 ? af.floats()[ia[k]] : bf.floats()[ib[k]];
    ctx.set(Tensor::from_floats(ctx.out_dtype(0, a.is_float() ? a.dtype() : b.dtype()), shape, std::move(out)));
  } else {
    std::vector<int64_t> out(n);
    for (uint64_t k = 0; k < n; ++k) out[k] = c.at(ic[k]) != 0 ? a.ints()[ia[k]] : b.ints()[ib[k]];
    ctx.set(Tensor::from_ints(ctx.out_dtype(0, a.dtype()), shape, std::move(out)));
  }
}

}  // namespace

void register_elementwise_kernels() {
  register_kernel("add", binary<Bin::Add>);
  register_kernel("sub", binary<Bin::Sub>);
  register_kernel("mul", binary<Bin::Mul>);
  register_kernel("real_div", binary<Bin::Div>);
  register_kernel("floor_div", binary<Bin::FloorDiv>);
  register_kernel("mod", binary<Bin::Mod>);
  register_kernel("pow", binary<Bin::Pow>);
  register_kernel("maximum", binary<Bin::Max>);
  register_kernel("minimum", binary<Bin::Min>);
  register_kernel("equal", binary<Bin::Eq>);
  register_kernel("not_equal", binary<Bin::Ne>);
  register_kernel("less", binary<Bin::Lt>);
  register_kernel("less_equal", binary<Bin::Le>);
  register_kernel("greater", binary<Bin::Gt>);
  register_kernel("greater_equal", binary<Bin::Ge>);
  register_kernel("logical_and", binary<Bin::And>);
  register_kernel("logical_or", binary<Bin::Or>);
  register_kernel("logical_xor", binary<Bin::Xor>);
  register_kernel("abs", k_abs);
  register_kernel("acos", k_acos);
  register_kernel("asin", k_asin);
  register_kernel("atan", k_atan);
  register_kernel("atanh", k_atanh);
  register_kernel("ceil", k_ceil);
  register_kernel("cos", k_cos);
  register_kernel("cosh", k_cosh);
  register_kernel("erf", k_erf);
  register_kernel("exp", k_exp);
  register_kernel("exp2", k_exp2);
  register_kernel("floor", k_floor);
  register_kernel("round", k_round);
  register_kernel("sign", k_sign);
  register_kernel("sin", k_sin);
  register_kernel("sinh", k_sinh);
  register_kernel("sqrt", k_sqrt);
  register_kernel("square", k_square);
  register_kernel("tan", k_tan);
  register_kernel("rsqrt", k_rsqrt);
  register_kernel("inverse", k_inverse);
  register_kernel("log", k_log);
  register_kernel("clip", k_clip);
  register_kernel("threshold", k_threshold);
  register_kernel("logical_not", k_logical_not);
  register_kernel("identity", k_identity);
  register_kernel("cast", k_cast);
  register_kernel("select", k_select);
}

}  // namespace mlscope::exec
