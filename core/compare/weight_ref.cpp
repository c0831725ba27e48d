#include "core/compare/weight_ref.h"

#include "core/util/error.h"
#include "core/weights/nn_weights.h"
#include "core/weights/params.h"

namespace mlscope::compare {

namespace {

// A value known at compile time: a const or constexpr_* output, or a dequantize / cast of one —
// what weights::materialize_value can decode.
bool compile_time(const ir::Function& f, ir::ValueId v, int depth) {
  if (v == ir::kNone || depth > 16) return false;
  const ir::Value& val = f.value(v);
  if (val.producer == ir::kNone) return false;
  const ir::Op& p = f.op(val.producer);
  if (weights::is_materializable(p.type)) return true;
  if (p.type != "dequantize" && p.type != "cast") return false;
  weights::ParamRef x = weights::find_param(f, val.producer, p.type == "cast" ? "x" : "input");
  if (x.value == ir::kNone) return x.constant != nullptr;
  return compile_time(f, x.value, depth + 1);
}

bool is_float_tensor(const ir::Type& t) {
  return t.is_tensor() && ir::dtype_is_float(t.dtype) && (t.shape.rank() >= 1 || t.shape.unknown_rank);
}

bool is_float_weight(const WeightRef& w) {
  if (w.kind == WeightRef::Kind::Value) return is_float_tensor(w.function->value(w.value).type);
  if (w.kind == WeightRef::Kind::Literal) return is_float_tensor(w.literal->type);
  return w.kind == WeightRef::Kind::NnAttribute;
}

std::string dtype_text(ir::DType d) { return std::string(ir::dtype_name(d)); }

// A plain ML-program weight: the const it comes from, through casts.
const ir::Constant* root_const(const ir::Function& f, ir::ValueId v) {
  for (int guard = 0; guard < 16 && v != ir::kNone; ++guard) {
    const ir::OpId p = f.value(v).producer;
    if (p == ir::kNone) return nullptr;
    const ir::Op& op = f.op(p);
    if (op.is_const()) return weights::const_op_value(op);
    if (op.type != "cast") return nullptr;
    v = weights::find_param(f, p, "x").value;
  }
  return nullptr;
}

uint64_t tensor_bytes(const ir::Constant* c) {
  return c && c->is_tensor() && c->dtype() != ir::DType::String ? c->stored_bytes() : 0;
}

// The lineage counts only the codes of quantized WeightParams; the scale, bias and lookup table
// are stored too.
uint64_t nn_quantized_bytes(const ir::Op& op, const std::string& name) {
  uint64_t n = tensor_bytes(op.attribute_value(name));
  for (const char* part : {".quantization.scale", ".quantization.bias", ".quantization.lut"})
    n += tensor_bytes(op.attribute_value(name + part));
  return n;
}

}  // namespace

WeightSchemes::WeightSchemes(const ir::Function& f) {
  analysis::QuantReport r;
  analysis::QuantOptions opt;
  opt.validate_by_decoding = false;  // schemes need no decoding; the diff decodes each weight itself
  try {
    analysis::analyze_function_quantization(f, r, opt);
  } catch (const std::exception&) {
    return;  // no schemes: weights are described by their producers instead
  }
  for (analysis::TensorLineage& t : r.tensors) {
    if (t.kind != "weight") continue;
    index_.emplace(std::make_tuple(t.op, t.input, t.value), weights_.size());
    weights_.push_back(std::move(t));
  }
}

const analysis::TensorLineage* WeightSchemes::find(const std::string& op, const std::string& input,
                                                   const std::string& value) const {
  auto it = index_.find(std::make_tuple(op, input, value));
  return it == index_.end() ? nullptr : &weights_[it->second];
}

std::string scheme_text(const analysis::TensorLineage& t) {
  if (t.scheme == "cast") return t.stored_dtype.empty() ? "cast" : t.stored_dtype;  // stored narrower, widened at load
  const bool nn = t.chain == std::vector<std::string>{"WeightParams"};
  std::string text = nn && t.scheme == "affine" ? "linear" : t.scheme;
  // LUT codes are indices, so their width says more than their dtype; affine codes keep the
  // dtype, whose signedness decides the zero point.
  const bool lut = t.scheme.find("lut") != std::string::npos;
  const std::string codes = lut ? (t.bits > 0 ? std::to_string(t.bits) + "-bit" : "") : t.stored_dtype;
  if (!codes.empty()) text += " " + codes;
  if (!t.granularity.empty() && t.scheme != "sparse") text += " " + t.granularity;
  return text;
}

std::string WeightRef::param() const { return binding == 0 ? input : input + "[" + std::to_string(binding) + "]"; }

WeightRef op_param(const ir::Function& f, ir::OpId o, const std::string& input, size_t binding) {
  WeightRef w;
  w.function = &f;
  w.op = o;
  w.input = input;
  w.binding = binding;
  const ir::Op& op = f.op(o);
  if (op.dialect == ir::Dialect::NeuralNetwork) {
    if (binding == 0 && op.attribute_value(input)) w.kind = WeightRef::Kind::NnAttribute;
    return w;
  }
  const ir::NamedInput* in = op.input(input);
  if (!in || binding >= in->bindings.size()) return w;
  const ir::Binding& b = in->bindings[binding];
  if (b.is_literal()) {
    w.kind = WeightRef::Kind::Literal;
    w.literal = b.literal.get();
    return w;
  }
  w.value = b.value;
  w.kind = compile_time(f, b.value, 0) ? WeightRef::Kind::Value : WeightRef::Kind::Runtime;
  return w;
}

std::vector<WeightRef> op_weights(const ir::Function& f, ir::OpId o) {
  const ir::Op& op = f.op(o);
  std::vector<WeightRef> out;
  if (op.dialect == ir::Dialect::NeuralNetwork) {
    for (const std::string& name : weights::nn_weight_names(op)) out.push_back(op_param(f, o, name, 0));
    return out;
  }
  if (!analysis::is_real_op(op)) return out;
  for (const ir::NamedInput& in : op.inputs)
    for (size_t i = 0; i < in.bindings.size(); ++i) {
      WeightRef w = op_param(f, o, in.name, i);
      if (is_float_weight(w)) out.push_back(std::move(w));
    }
  return out;
}

std::string counterpart_input(const std::string& input, ir::Dialect from, ir::Dialect to) {
  if (from == to) return input;
  if (from == ir::Dialect::NeuralNetwork && input == "weights") return "weight";
  if (from == ir::Dialect::MIL && input == "weight") return "weights";
  return input;
}

std::string weight_name(const WeightRef& w) {
  const ir::Op& op = w.function->op(w.op);
  switch (w.kind) {
    case WeightRef::Kind::Value:
    case WeightRef::Kind::Runtime: return w.function->value(w.value).name;
    case WeightRef::Kind::Literal: return op.name + "." + w.param();
    case WeightRef::Kind::NnAttribute: return op.name + "." + w.input;
    case WeightRef::Kind::Missing: break;
  }
  return {};
}

std::optional<uint64_t> declared_elements(const WeightRef& w) {
  switch (w.kind) {
    case WeightRef::Kind::Value: return w.function->value(w.value).type.shape.element_count();
    case WeightRef::Kind::Literal: return w.literal->shape().element_count();
    case WeightRef::Kind::NnAttribute:
      try {
        if (auto s = weights::nn_weight_shape(w.function->op(w.op), w.input)) return s->element_count();
      } catch (const std::exception&) {
      }
      return std::nullopt;
    default: return std::nullopt;
  }
}

WeightStorage weight_storage(const WeightRef& w, const WeightSchemes& schemes) {
  const ir::Function& f = *w.function;
  const ir::Op& op = f.op(w.op);
  WeightStorage s;
  if (w.kind == WeightRef::Kind::Literal) {
    s.scheme = dtype_text(w.literal->dtype());
    s.bytes = tensor_bytes(w.literal);
  } else if (w.kind == WeightRef::Kind::NnAttribute) {
    const ir::Constant* c = op.attribute_value(w.input);
    if (!op.attribute_value(w.input + ".quantization.bits")) {
      s.scheme = dtype_text(c->dtype());
      s.bytes = tensor_bytes(c);
    } else {
      const analysis::TensorLineage* t = schemes.find(op.name, w.input, w.input);
      s.scheme = t ? scheme_text(*t) : "quantized";
      s.bytes = nn_quantized_bytes(op, w.input);
    }
  } else if (w.kind == WeightRef::Kind::Value) {
    if (const analysis::TensorLineage* t = schemes.find(op.name, w.input, f.value(w.value).name)) {
      s.scheme = scheme_text(*t);
      s.bytes = t->stored_bytes;
    } else if (const ir::Constant* c = root_const(f, w.value)) {
      s.scheme = dtype_text(c->dtype());
      s.bytes = tensor_bytes(c);
    } else {
      s.scheme = f.op(f.value(w.value).producer).type;  // compressed, but the lineage did not describe it
    }
  }
  return s;
}

weights::DenseTensor decode_weight(const WeightRef& w, const std::string& file) {
  const ir::Op& op = w.function->op(w.op);
  switch (w.kind) {
    case WeightRef::Kind::Value: return weights::materialize_value(*w.function, w.value, file);
    case WeightRef::Kind::Literal: return weights::dense_from_constant(*w.literal);
    case WeightRef::Kind::NnAttribute: {
      auto shape = weights::nn_weight_shape(op, w.input);
      if (!shape)
        throw Error(Location::at_op(file, op.name), op.type + ": weights '" + w.input + "': no layout from the layer parameters");
      return weights::nn_layer_weight(op, w.input, *shape, file);
    }
    default: break;
  }
  throw Error(Location::at_op(file, op.name), "'" + w.param() + "' is not a compile-time weight");
}

}  // namespace mlscope::compare
