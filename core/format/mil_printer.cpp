#include "core/format/mil_printer.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/format/mil_lexer.h"

namespace mlscope::format {

namespace {

using ir::Constant;
using ir::DType;
using ir::Type;

int opset_number(const std::string& opset) {
  auto num = [&](size_t from) {
    int v = 0;
    bool any = false;
    for (size_t i = from; i < opset.size() && std::isdigit(static_cast<unsigned char>(opset[i])); ++i) {
      v = v * 10 + (opset[i] - '0');
      any = true;
    }
    return any ? v : -1;
  };
  if (opset.rfind("ios", 0) == 0 || opset.rfind("iOS", 0) == 0) return num(3);
  if (opset.rfind("CoreML", 0) == 0) {
    int n = num(6);
    return n < 0 ? -1 : n + 10;  // CoreML5 = iOS15 ... CoreML8 = iOS18
  }
  return -1;
}

std::string type_text(const Type& t, MilLiteralStyle style) {
  if (style == MilLiteralStyle::BareScalars) {
    if (t.is_scalar()) return std::string(ir::dtype_name(t.dtype));
    if (t.kind == Type::Kind::Dict && t.elements.size() == 2)
      return "dict<" + type_text(t.elements[0], style) + ", " + type_text(t.elements[1], style) + ">";
  }
  return t.str();
}

void append_element(std::string& out, const Constant& c, const uint8_t* data, uint64_t i) {
  char buf[64];
  DType dt = c.dtype();
  if (dt == DType::Bool) {
    out += data[i] ? "true" : "false";
  } else if (ir::dtype_is_float(dt)) {
    std::snprintf(buf, sizeof buf, "%a", ir::decode_element(dt, data, i));
    out += buf;
  } else if (dt == DType::UInt64) {
    uint64_t v;
    std::memcpy(&v, data + i * 8, 8);
    std::snprintf(buf, sizeof buf, "%" PRIu64, v);
    out += buf;
  } else if (dt == DType::Int64) {
    int64_t v;
    std::memcpy(&v, data + i * 8, 8);
    std::snprintf(buf, sizeof buf, "%" PRId64, v);
    out += buf;
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", ir::decode_element(dt, data, i));
    out += buf;
  }
}

/// Row-major elements as nested lists: [[a, b], [c, d]].
void append_nested(std::string& out, const Constant& c, const uint8_t* data, size_t dim, uint64_t& index) {
  const auto& dims = c.shape().dims;
  out += '[';
  for (int64_t k = 0; k < dims[dim]; ++k) {
    if (k) out += ", ";
    if (dim + 1 < dims.size()) {
      append_nested(out, c, data, dim + 1, index);
    } else if (c.dtype() == DType::String) {
      out += encode_mil_string(index < c.strings.size() ? c.strings[index] : std::string());
      ++index;
    } else {
      append_element(out, c, data, index++);
    }
  }
  out += ']';
}

void append_payload(std::string& out, const Constant& c, MilLiteralStyle style);

void append_literal(std::string& out, const Constant& c, MilLiteralStyle style) {
  out += type_text(c.type, style);
  out += '(';
  append_payload(out, c, style);
  out += ')';
}

void append_payload(std::string& out, const Constant& c, MilLiteralStyle style) {
  switch (c.type.kind) {
    case Type::Kind::Dict:
      out += '{';
      for (size_t i = 0; i + 1 < c.elements.size(); i += 2) {
        out += i ? ", {" : "{";
        append_payload(out, c.elements[i], style);
        out += ", ";
        append_payload(out, c.elements[i + 1], style);
        out += '}';
      }
      out += '}';
      return;
    case Type::Kind::List:
    case Type::Kind::Tuple:
      out += '[';
      for (size_t i = 0; i < c.elements.size(); ++i) {
        if (i) out += ", ";
        append_payload(out, c.elements[i], style);
      }
      out += ']';
      return;
    case Type::Kind::Tensor:
      break;
    default:
      out += "?";
      return;
  }
  if (c.is_blob()) {
    std::string path = "@model_path/weights/" + std::filesystem::path(c.blob->file->path()).filename().string();
    out += "BLOBFILE(path = ";
    append_literal(out, Constant::from_string(path), style);
    out += ", offset = ";
    out += style == MilLiteralStyle::BareScalars ? "uint64(" : "tensor<uint64, []>(";
    out += std::to_string(c.blob->record.record_offset);
    out += "))";
    return;
  }
  auto n = c.shape().element_count();
  // Dynamic or inconsistent constants cannot be spelled as a literal list; show what is there.
  bool ok = n.has_value() && (c.dtype() == DType::String ? c.strings.size() == *n
                                                         : ir::dtype_storage_bytes(c.dtype(), *n) == c.bytes.size());
  if (!ok) {
    out += "[]";
    return;
  }
  if (c.shape().rank() == 0) {
    if (c.dtype() == DType::String) out += encode_mil_string(c.strings[0]);
    else append_element(out, c, c.bytes.data(), 0);
    return;
  }
  uint64_t index = 0;
  append_nested(out, c, c.bytes.data(), 0, index);
}

struct Printer {
  const ir::Function& f;
  MilLiteralStyle style;
  std::string& out;
  int& line;
  std::vector<int>& op_line;

  void newline() {
    out += '\n';
    ++line;
  }
  const std::string& name_of(ir::ValueId v) const { return f.value(v).name; }

  void block(ir::BlockId b, int indent) {
    for (ir::OpId o : f.block(b).ops) op(o, indent);
  }

  void outputs(ir::BlockId b) {
    out += "-> (";
    const auto& outs = f.block(b).outputs;
    for (size_t i = 0; i < outs.size(); ++i) out += (i ? ", " : "") + name_of(outs[i]);
    out += ')';
  }

  void op(ir::OpId id, int indent) {
    const ir::Op& o = f.op(id);
    op_line[static_cast<size_t>(id)] = line;
    out.append(static_cast<size_t>(indent), ' ');
    for (size_t i = 0; i < o.outputs.size(); ++i) {
      if (i) out += ", ";
      out += f.value(o.outputs[i]).type.str();
      out += ' ';
      out += name_of(o.outputs[i]);
    }
    if (!o.outputs.empty()) out += " = ";
    out += o.dialect == ir::Dialect::NeuralNetwork ? o.qualified_type() : o.type;
    out += '(';
    std::vector<const ir::NamedInput*> ins;
    for (const auto& in : o.inputs) ins.push_back(&in);
    std::sort(ins.begin(), ins.end(), [](auto* a, auto* b) { return a->name < b->name; });
    for (size_t i = 0; i < ins.size(); ++i) {
      if (i) out += ", ";
      out += ins[i]->name;
      out += " = ";
      bool variadic = ins[i]->bindings.size() != 1;
      if (variadic) out += '(';
      for (size_t k = 0; k < ins[i]->bindings.size(); ++k) {
        if (k) out += ", ";
        const ir::Binding& bnd = ins[i]->bindings[k];
        if (bnd.is_literal() && bnd.literal) append_literal(out, *bnd.literal, style);
        else if (!bnd.is_literal()) out += name_of(bnd.value);
      }
      if (variadic) out += ')';
    }
    out += ')';
    std::vector<std::pair<std::string, const Constant*>> attrs;
    Constant name_const;
    if (!o.name.empty()) {
      name_const = Constant::from_string(o.name);
      attrs.emplace_back("name", &name_const);
    }
    for (const auto& a : o.attributes)
      if (a.value) attrs.emplace_back(a.name, a.value.get());
    std::sort(attrs.begin(), attrs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    if (!attrs.empty()) {
      out += '[';
      for (size_t i = 0; i < attrs.size(); ++i) {
        if (i) out += ", ";
        out += attrs[i].first;
        out += " = ";
        append_literal(out, *attrs[i].second, style);
      }
      out += ']';
    }
    for (ir::BlockId b : o.blocks) {
      const ir::Block& blk = f.block(b);
      out += ' ';
      if (!blk.inputs.empty()) {
        out += '(';
        for (size_t i = 0; i < blk.inputs.size(); ++i)
          out += (i ? ", " : "") + f.value(blk.inputs[i]).type.str() + " " + name_of(blk.inputs[i]);
        out += ") ";
      }
      out += '{';
      newline();
      block(b, indent + 4);
      out.append(static_cast<size_t>(indent), ' ');
      out += "} ";
      outputs(b);
    }
    out += ';';
    newline();
  }

  void function() {
    out += "func " + f.name + "<" + mil_text_opset(f.opset) + ">(";
    for (size_t i = 0; i < f.inputs.size(); ++i)
      out += (i ? ", " : "") + f.value(f.inputs[i]).type.str() + " " + name_of(f.inputs[i]);
    out += ") {";
    newline();
    ir::BlockId body = f.body();
    if (body != ir::kNone) block(body, 12);
    out += "        } ";
    if (body != ir::kNone) outputs(body);
    else out += "-> ()";
    out += ';';
  }
};

}  // namespace

std::string mil_text_opset(const std::string& opset) {
  if (opset.empty()) return "unknown";
  if (opset.rfind("CoreML", 0) == 0) {
    int n = opset_number(opset);
    if (n > 0) return "ios" + std::to_string(n);
  }
  return opset;
}

MilLiteralStyle mil_style_for_opset(const std::string& opset) {
  return opset_number(opset) >= 18 ? MilLiteralStyle::BareScalars : MilLiteralStyle::TensorScalars;
}

std::string print_mil_literal(const Constant& c, MilLiteralStyle style) {
  std::string s;
  append_literal(s, c, style);
  return s;
}

MilText print_mil_function(const ir::Function& f) {
  MilText t;
  t.op_line.emplace_back(f.ops.size(), 0);
  int line = 1;
  Printer{f, mil_style_for_opset(f.opset), t.text, line, t.op_line[0]}.function();
  t.text += '\n';
  return t;
}

MilText print_mil_text(const ir::Model& model) {
  MilText t;
  MilLiteralStyle style = MilLiteralStyle::TensorScalars;
  for (const auto& f : model.functions)
    if (mil_style_for_opset(f.opset) == MilLiteralStyle::BareScalars) style = MilLiteralStyle::BareScalars;
  std::string& out = t.text;
  int line = 1;
  out += style == MilLiteralStyle::BareScalars ? "program(1.3)\n" : "program(1.0)\n";
  ++line;
  if (!model.program_attributes.empty()) {
    Constant info;
    info.type = Type::dict(Type::scalar(DType::String), Type::scalar(DType::String));
    for (const auto& [k, v] : model.program_attributes) {
      info.elements.push_back(Constant::from_string(k));
      info.elements.push_back(Constant::from_string(v));
    }
    out += "[buildInfo = ";
    append_literal(out, info, style);
    out += "]\n";
    ++line;
  }
  out += "{\n";
  ++line;
  for (size_t i = 0; i < model.functions.size(); ++i) {
    const ir::Function& f = model.functions[i];
    t.op_line.emplace_back(f.ops.size(), 0);
    if (i) {
      out += '\n';
      ++line;
    }
    out += "    ";
    Printer{f, mil_style_for_opset(f.opset), out, line, t.op_line.back()}.function();
    out += '\n';
    ++line;
  }
  out += "}\n";
  return t;
}

std::string print_mil(const ir::Model& model) { return print_mil_text(model).text; }

}  // namespace mlscope::format
