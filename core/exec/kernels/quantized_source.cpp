#include "core/exec/kernels/quantized_source.h"

#include <cmath>

#include "core/exec/buffer_pool.h"
#include "core/exec/parallel.h"
#include "core/util/simd_clones.h"

namespace mlscope::exec {

namespace {

// The constant behind a binding: a literal, or the `val` of a const op producing the value.
const ir::Constant* constant_of(const ir::Function& fn, const ir::Op& op, const std::string& input) {
  const ir::NamedInput* in = op.input(input);
  if (in && !in->bindings.empty()) {
    const ir::Binding& b = in->bindings[0];
    if (b.is_literal()) return b.literal.get();
    const ir::Value& v = fn.value(b.value);
    if (v.producer == ir::kNone) return nullptr;
    const ir::Op& p = fn.op(v.producer);
    return p.type == "const" ? p.attribute_value("val") : nullptr;
  }
  return op.attribute_value(input);  // iOS16/17 constexpr parameters are attributes
}

// out[i] = nearbyint(in[i] / s) (round half to even) for i in [b, e): below 2^23 by adding and
// subtracting 2^23 to the magnitude, which rounds exactly; larger magnitudes and NaN are already
// what nearbyint returns. A loop of plain IEEE operations, so every clone gives the same codes.
// `in` and `out` may be the same array (each element is read before it is written).
MLSCOPE_SIMD_CLONES void round_quotients(const float* in, float* out, uint64_t b, uint64_t e, float s) {
  for (uint64_t i = b; i < e; ++i) {
    const float v = in[i] / s, a = std::fabs(v);
    out[i] = a < 8388608.0f ? std::copysign((a + 8388608.0f) - 8388608.0f, v) : v;
  }
}

}  // namespace

void round_to_codes(std::span<float> v, float scale) { round_quotients(v.data(), v.data(), 0, v.size(), scale); }

std::optional<QuantizedOperand> quantized_source(const KernelContext& ctx, const std::string& name, const Tensor& value,
                                                 bool activation_codes) {
  const ir::NamedInput* in = ctx.op().input(name);
  if (!in || in->bindings.empty() || in->bindings[0].is_literal()) return std::nullopt;
  const ir::Function& fn = ctx.function();
  const ir::Value& v = fn.value(in->bindings[0].value);
  if (v.producer == ir::kNone) return std::nullopt;
  const ir::Op& p = fn.op(v.producer);
  const bool act = p.type == "dequantize";
  const bool weight = p.type == "constexpr_affine_dequantize";
  if (!act && !weight) return std::nullopt;
  const ir::Constant* scale = constant_of(fn, p, "scale");
  const ir::Constant* zp = constant_of(fn, p, "zero_point");
  if (!scale) return std::nullopt;
  QuantizedOperand q;
  q.scale = scale->to_floats();
  std::vector<int64_t> zero = zp ? zp->to_ints() : std::vector<int64_t>{0};
  if (zp && ir::dtype_is_float(zp->dtype())) return std::nullopt;  // float zero point: not an integer grid
  if (q.scale.size() > 1) {
    const ir::Constant* axis = constant_of(fn, p, "axis");
    if (!axis || !axis->scalar_int()) return std::nullopt;
    int64_t a = *axis->scalar_int();
    q.axis = a < 0 ? a + int64_t(value.rank()) : a;
    if (q.axis < 0 || q.axis >= int64_t(value.rank()) || value.shape()[size_t(q.axis)] != int64_t(q.scale.size())) return std::nullopt;
  }
  if (weight) {
    const ir::Constant* data = constant_of(fn, p, "quantized_data");
    if (!data || (data->dtype() != ir::DType::Int8 && data->dtype() != ir::DType::UInt8)) return std::nullopt;
    // One byte per code once validated: read in place, not through an int64 copy.
    data->validate();
    const std::span<const uint8_t> codes = data->raw();
    if (codes.size() != value.size()) return std::nullopt;
    const bool is_signed = data->dtype() == ir::DType::Int8;
    q.codes.resize(value.size());
    int64_t inner = 1, C = int64_t(q.scale.size());
    for (size_t d = size_t(std::max<int64_t>(q.axis, 0)) + 1; q.axis >= 0 && d < value.rank(); ++d) inner *= value.shape()[d];
    int64_t max_abs = 0;
    for (size_t i = 0; i < q.codes.size(); ++i) {
      const size_t c = q.axis < 0 ? 0 : size_t((int64_t(i) / inner) % C);
      const int64_t code = is_signed ? int64_t(int8_t(codes[i])) : int64_t(codes[i]);
      const int64_t centered = code - zero[zero.size() == 1 ? 0 : c];
      q.codes[i] = float(centered);
      max_abs = std::max(max_abs, centered < 0 ? -centered : centered);
    }
    q.max_abs_code = float(max_abs);
    return q;
  }
  // Activation: recover q - zp = round(x / scale) (exact: |q - zp| <= 255 survives fp16 storage).
  const ir::NamedInput* src = p.input("input");
  if (!src || src->bindings.empty()) return std::nullopt;
  ir::DType qdt = src->bindings[0].is_literal() ? src->bindings[0].literal->dtype() : fn.value(src->bindings[0].value).type.dtype;
  if (qdt != ir::DType::Int8 && qdt != ir::DType::UInt8) return std::nullopt;
  if (q.scale.size() != 1) return std::nullopt;  // per-tensor activation scales only (NE rule)
  if (zero.size() != 1) return std::nullopt;
  const int64_t lo = qdt == ir::DType::Int8 ? -128 : 0, z = zero[0];
  q.max_abs_code = float(std::max(std::abs(lo - z), std::abs(lo + 255 - z)));
  if (!activation_codes) return q;
  auto x = value.floats();
  q.codes = take_float_buffer(x.size());  // the conv hands it back (an activation-sized buffer)
  parallel_for(x.size(), [&](uint64_t b, uint64_t e) { round_quotients(x.data(), q.codes.data(), b, e, q.scale[0]); });
  return q;
}

}  // namespace mlscope::exec
