#include "core/weights/params.h"

namespace mlscope::weights {

const ir::Constant* const_op_value(const ir::Op& op) {
  if (!op.is_const()) return nullptr;
  if (const ir::Constant* c = op.attribute_value("val")) return c;
  return op.attribute_value("value");
}

ParamRef find_param(const ir::Function& f, ir::OpId o, std::string_view name) {
  ParamRef r;
  const ir::Op& op = f.op(o);
  if (const ir::NamedInput* in = op.input(name); in && !in->bindings.empty()) {
    const ir::Binding& b = in->bindings.front();
    if (b.is_literal()) {
      r.constant = b.literal.get();
      return r;
    }
    r.value = b.value;
    if (b.value >= 0 && static_cast<size_t>(b.value) < f.values.size()) {
      const ir::Value& v = f.value(b.value);
      r.producer = v.producer;
      r.producer_output = v.producer_output;
      if (v.producer != ir::kNone) r.constant = const_op_value(f.op(v.producer));
    }
    return r;
  }
  r.constant = op.attribute_value(name);
  return r;
}

std::optional<int64_t> param_int(const ir::Function& f, ir::OpId o, std::string_view name) {
  ParamRef p = find_param(f, o, name);
  if (!p.constant) return std::nullopt;
  try {
    return p.constant->scalar_int();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::string> param_string(const ir::Function& f, ir::OpId o, std::string_view name) {
  ParamRef p = find_param(f, o, name);
  if (!p.constant) return std::nullopt;
  return p.constant->scalar_string();
}

std::vector<int64_t> param_ints(const ir::Function& f, ir::OpId o, std::string_view name) {
  ParamRef p = find_param(f, o, name);
  if (!p.constant || !p.constant->is_tensor()) return {};
  try {
    return p.constant->to_ints();
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace mlscope::weights
