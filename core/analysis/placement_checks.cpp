// Per-op rule checks. Each check looks only at the op's own inputs/outputs and constants; the
// estimator applies them in placement_rules() order.
#include "core/analysis/placement_checks.h"

#include <algorithm>
#include <string_view>

namespace mlscope::analysis::detail {

using ir::Binding;
using ir::Constant;
using ir::DType;
using ir::Function;
using ir::Op;
using ir::Type;
using ir::ValueId;

bool is_constant_op(const Op& op) { return op.is_const() || op.is_constexpr(); }

const Constant* binding_constant(const Function& fn, const Binding& b) {
  if (b.is_literal()) return b.literal.get();
  if (b.value < 0 || static_cast<size_t>(b.value) >= fn.values.size()) return nullptr;
  const auto& v = fn.value(b.value);
  if (v.producer == ir::kNone) return nullptr;
  const Op& p = fn.op(v.producer);
  return p.is_const() ? p.attribute_value("val") : nullptr;
}

bool binding_is_constant(const Function& fn, const Binding& b) {
  if (b.is_literal()) return true;
  if (b.value < 0 || static_cast<size_t>(b.value) >= fn.values.size()) return false;
  const auto& v = fn.value(b.value);
  return v.producer != ir::kNone && is_constant_op(fn.op(v.producer));
}

namespace {

/// A tensor the op reads or writes at runtime (not a compile-time constant).
struct RuntimeTensor {
  std::string_view role;  ///< "input" or "output"
  const std::string* name;
  const Type* type;
  ValueId value;
};

std::vector<RuntimeTensor> runtime_tensors(const Function& fn, const Op& op) {
  std::vector<RuntimeTensor> out;
  for (const auto& in : op.inputs)
    for (const auto& b : in.bindings) {
      if (binding_is_constant(fn, b) || b.value < 0 || static_cast<size_t>(b.value) >= fn.values.size()) continue;
      const auto& v = fn.value(b.value);
      if (v.type.kind == Type::Kind::Tensor) out.push_back({"input", &v.name, &v.type, b.value});
    }
  for (ValueId o : op.outputs) {
    if (o < 0 || static_cast<size_t>(o) >= fn.values.size()) continue;
    const auto& v = fn.value(o);
    if (v.type.kind == Type::Kind::Tensor) out.push_back({"output", &v.name, &v.type, o});
  }
  return out;
}

std::string describe(const RuntimeTensor& t) {
  return std::string(t.role) + " '" + *t.name + "' is " + t.type->str();
}

/// Integer list of a constant input ("strides", "dilations"), empty if absent or not constant.
std::vector<int64_t> const_ints(const Function& fn, const Op& op, std::string_view input) {
  const auto* in = op.input(input);
  if (!in || in->bindings.size() != 1) return {};
  const Constant* c = binding_constant(fn, in->bindings[0]);
  if (!c || !c->is_tensor() || !ir::dtype_is_integer(c->dtype())) return {};
  try {
    return c->to_ints();
  } catch (...) {
    return {};  // undecodable constant: the rule simply does not apply
  }
}

/// Type of the single value bound to `input`, or nullptr.
const Type* input_type(const Function& fn, const Op& op, std::string_view input) {
  const auto* in = op.input(input);
  if (!in || in->bindings.size() != 1) return nullptr;
  const Binding& b = in->bindings[0];
  if (b.is_literal()) return &b.literal->type;
  if (b.value < 0 || static_cast<size_t>(b.value) >= fn.values.size()) return nullptr;
  return &fn.value(b.value).type;
}

/// The op producing `input` (e.g. the constexpr that decompresses a conv weight), or nullptr.
const Op* input_producer(const Function& fn, const Op& op, std::string_view input) {
  const auto* in = op.input(input);
  if (!in || in->bindings.size() != 1 || in->bindings[0].is_literal()) return nullptr;
  ValueId v = in->bindings[0].value;
  if (v < 0 || static_cast<size_t>(v) >= fn.values.size() || fn.value(v).producer == ir::kNone) return nullptr;
  return &fn.op(fn.value(v).producer);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::optional<std::string> check_custom(const OpContext& c) {
  if (c.op.type == "custom" || c.op.type == "custom_layer" || c.op.type == "customLayer")
    return "custom layer '" + c.op.type + "'";
  return std::nullopt;
}

std::optional<std::string> check_recurrent(const OpContext& c) {
  static const std::vector<std::string_view> kinds = {
      "lstm", "gru", "rnn",                                                   // MIL
      "uniDirectionalLSTM", "biDirectionalLSTM", "simpleRecurrent"};          // NeuralNetwork ("gru" shared)
  if (std::find(kinds.begin(), kinds.end(), c.op.type) != kinds.end()) return "recurrent op '" + c.op.type + "'";
  return std::nullopt;
}

std::optional<std::string> check_dynamic(const OpContext& c, const std::vector<RuntimeTensor>& ts) {
  for (const auto& t : ts) {
    if (t.role == "input" && std::find(c.flexible_inputs.begin(), c.flexible_inputs.end(), t.value) != c.flexible_inputs.end())
      return "input '" + *t.name + "' has a flexible (range) shape in the model description";
    if (!t.type->shape.is_static()) return describe(t) + " (dynamic shape)";
  }
  return std::nullopt;
}

std::optional<std::string> check_fp32(const OpContext& c, const std::vector<RuntimeTensor>& ts) {
  // NeuralNetwork layers are typed fp32 in the file but Core ML runs them in fp16 on the NE.
  if (c.op.dialect != ir::Dialect::MIL) return std::nullopt;
  for (const auto& t : ts)
    if (t.type->dtype == DType::Float32) return describe(t);
  for (const auto& in : c.op.inputs)
    for (const auto& b : in.bindings) {
      if (!binding_is_constant(c.fn, b)) continue;
      const Type* type = b.is_literal() ? &b.literal->type : &c.fn.value(b.value).type;
      if (type->kind == Type::Kind::Tensor && type->dtype == DType::Float32)
        return "fp32 constant for input '" + in.name + "'";
    }
  return std::nullopt;
}

std::optional<std::string> check_int_tensor(const OpContext& c, const std::vector<RuntimeTensor>& ts) {
  for (const auto& t : ts)
    if (t.type->dtype == DType::Int32 || t.type->dtype == DType::Int64 || t.type->dtype == DType::UInt32 ||
        t.type->dtype == DType::UInt64)
      return describe(t);
  return std::nullopt;
}

std::optional<std::string> check_rank(const OpContext& c, const std::vector<RuntimeTensor>& ts) {
  for (const auto& t : ts)
    if (!t.type->shape.unknown_rank && static_cast<int>(t.type->shape.rank()) > c.t.max_rank)
      return describe(t) + " (rank " + std::to_string(t.type->shape.rank()) + " > " + std::to_string(c.t.max_rank) + ")";
  return std::nullopt;
}

std::optional<std::string> check_axes(const OpContext& c, const std::vector<RuntimeTensor>& ts) {
  // Axes are named from the right (W, H, D), the leading two of a rank-4/5 tensor are N, C.
  for (const auto& t : ts) {
    const auto& d = t.type->shape.dims;
    const size_t r = d.size();
    for (size_t i = 0; i < r; ++i) {
      const size_t from_right = r - 1 - i;
      const bool spatial = from_right < (r >= 5 ? 3u : 2u);
      const int64_t limit = spatial ? c.t.max_spatial_axis : c.t.max_batch_channel_axis;
      if (d[i] > limit)
        return describe(t) + " (axis " + std::to_string(i) + " = " + std::to_string(d[i]) + " > " + std::to_string(limit) +
               (spatial ? " for D/H/W" : " for N/C") + ")";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_op_kind(const OpContext& c) {
  const std::string& ty = c.op.type;
  if (c.op.dialect == ir::Dialect::MIL) {
    if (ty == "slice_update") return "standalone slice_update";
    if (ty == "gather" || ty == "gather_nd" || ty == "gather_along_axis") return "'" + ty + "' (often off the Neural Engine)";
    if (ty == "conv" || ty == "conv_transpose")
      for (int64_t d : const_ints(c.fn, c.op, "dilations"))
        if (d > 1) return "dilated conv (dilation " + std::to_string(d) + ")";
    return std::nullopt;
  }
  if (ends_with(ty, "ND") || ends_with(ty, "Broadcastable")) return "NeuralNetwork ND/broadcastable layer '" + ty + "'";
  return std::nullopt;
}

std::optional<std::string> check_kernel(const OpContext& c) {
  const std::string& ty = c.op.type;
  if (c.op.dialect != ir::Dialect::MIL) return std::nullopt;
  if (ty == "conv" || ty == "conv_transpose") {
    const Type* w = input_type(c.fn, c.op, "weight");
    if (w && w->is_tensor() && w->shape.rank() >= 3 && w->shape.dims.back() > c.t.conv_max_kernel_width)
      return "conv kernel width " + std::to_string(w->shape.dims.back()) + " > " + std::to_string(c.t.conv_max_kernel_width);
    const Op* producer = input_producer(c.fn, c.op, "weight");
    if (producer && producer->type == "constexpr_lut_to_dense")
      for (int64_t s : const_ints(c.fn, c.op, "strides"))
        if (s > c.t.palettized_conv_max_stride)
          return "palettized conv stride " + std::to_string(s) + " > " + std::to_string(c.t.palettized_conv_max_stride);
  }
  if (ty == "max_pool" || ty == "avg_pool" || ty == "l2_pool") {
    for (int64_t k : const_ints(c.fn, c.op, "kernel_sizes"))
      if (k > c.t.pool_max_kernel) return "pooling kernel " + std::to_string(k) + " > " + std::to_string(c.t.pool_max_kernel);
    for (int64_t s : const_ints(c.fn, c.op, "strides"))
      if (s > c.t.pool_max_stride) return "pooling stride " + std::to_string(s) + " > " + std::to_string(c.t.pool_max_stride);
  }
  return std::nullopt;
}

std::optional<std::string> check_tiny(const OpContext& c) {
  if (c.op.dialect != ir::Dialect::MIL) return std::nullopt;
  if (c.op.type == "matmul") {
    const Type* x = input_type(c.fn, c.op, "x");
    if (!x || !x->is_tensor() || x->shape.rank() == 0 || !x->shape.is_static()) return std::nullopt;
    bool transpose_x = false;
    if (const auto* in = c.op.input("transpose_x"); in && in->bindings.size() == 1)
      if (const Constant* k = binding_constant(c.fn, in->bindings[0])) transpose_x = k->scalar_bool().value_or(false);
    const auto& d = x->shape.dims;
    const int64_t k = (transpose_x && d.size() >= 2) ? d[d.size() - 2] : d.back();
    const bool int8 = x->dtype == DType::Int8 || x->dtype == DType::UInt8;
    const int64_t min_k = int8 ? c.t.matmul_min_k_int8 : c.t.matmul_min_k_fp16;
    if (k < min_k) return "matmul contraction k = " + std::to_string(k) + " < " + std::to_string(min_k);
  }
  if (c.op.type == "scaled_dot_product_attention") {
    for (std::string_view name : {"query", "key", "value"}) {
      const Type* t = input_type(c.fn, c.op, name);
      if (!t || !t->is_tensor()) continue;
      auto n = t->shape.element_count();
      if (n && static_cast<int64_t>(*n) < c.t.sdpa_min_elements)
        return "SDPA " + std::string(name) + " has " + std::to_string(*n) + " elements < " + std::to_string(c.t.sdpa_min_elements);
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<RuleHit> check_op(const OpContext& c) {
  std::vector<RuleHit> hits;
  const auto ts = runtime_tensors(c.fn, c.op);
  auto add = [&](std::string_view key, std::optional<std::string> detail) {
    if (detail) hits.push_back({key, std::move(*detail)});
  };
  add("custom-layer", check_custom(c));
  add("recurrent", check_recurrent(c));
  add("dynamic-shape", check_dynamic(c, ts));
  add("fp32", check_fp32(c, ts));
  add("int-tensor", check_int_tensor(c, ts));
  add("rank", check_rank(c, ts));
  add("axis-limit", check_axes(c, ts));
  add("op-kind", check_op_kind(c));
  add("kernel-limit", check_kernel(c));
  add("tiny-op", check_tiny(c));
  return hits;
}

}  // namespace mlscope::analysis::detail
