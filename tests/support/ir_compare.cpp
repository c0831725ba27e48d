#include "support/ir_compare.h"

#include <filesystem>

namespace mlscope::test {

std::string diff_constants(const ir::Constant& a, const ir::Constant& b) {
  if (!(a.type == b.type)) return "type " + a.type.str() + " vs " + b.type.str();
  if (a.is_blob() != b.is_blob()) return "blob vs inline";
  if (a.is_blob()) {
    if (a.blob->record.record_offset != b.blob->record.record_offset) return "blob offset differs";
    namespace fs = std::filesystem;
    if (fs::path(a.blob->file->path()).filename() != fs::path(b.blob->file->path()).filename()) return "blob file differs";
    return "";
  }
  if (a.bytes != b.bytes) return "bytes differ (" + a.summary() + " vs " + b.summary() + ")";
  if (a.strings != b.strings) return "strings differ";
  if (a.elements.size() != b.elements.size()) return "element count differs";
  for (size_t i = 0; i < a.elements.size(); ++i)
    if (auto d = diff_constants(a.elements[i], b.elements[i]); !d.empty()) return "element " + std::to_string(i) + ": " + d;
  return "";
}

namespace {

std::string diff_value(const ir::Function& fa, ir::ValueId a, const ir::Function& fb, ir::ValueId b) {
  const auto& va = fa.value(a);
  const auto& vb = fb.value(b);
  if (va.name != vb.name) return "value name " + va.name + " vs " + vb.name;
  if (!(va.type == vb.type)) return "type of " + va.name + ": " + va.type.str() + " vs " + vb.type.str();
  return "";
}

std::string diff_block(const ir::Function& fa, ir::BlockId ba, const ir::Function& fb, ir::BlockId bb);

std::string diff_op(const ir::Function& fa, ir::OpId ia, const ir::Function& fb, ir::OpId ib) {
  const ir::Op& a = fa.op(ia);
  const ir::Op& b = fb.op(ib);
  std::string where = "op '" + a.name + "' (" + a.type + "): ";
  if (a.type != b.type) return where + "type vs " + b.type;
  if (a.name != b.name) return where + "name vs " + b.name;
  if (a.outputs.size() != b.outputs.size()) return where + "output count";
  for (size_t i = 0; i < a.outputs.size(); ++i)
    if (auto d = diff_value(fa, a.outputs[i], fb, b.outputs[i]); !d.empty()) return where + d;
  if (a.inputs.size() != b.inputs.size()) return where + "input count";
  for (const auto& in : a.inputs) {
    const ir::NamedInput* other = b.input(in.name);
    if (!other) return where + "missing input " + in.name;
    if (other->bindings.size() != in.bindings.size()) return where + "binding count of " + in.name;
    for (size_t k = 0; k < in.bindings.size(); ++k) {
      const auto& x = in.bindings[k];
      const auto& y = other->bindings[k];
      if (x.is_literal() != y.is_literal()) return where + "literal vs name in " + in.name;
      if (x.is_literal()) {
        if (auto d = diff_constants(*x.literal, *y.literal); !d.empty()) return where + in.name + ": " + d;
      } else if (fa.value(x.value).name != fb.value(y.value).name) {
        return where + in.name + " bound to " + fa.value(x.value).name + " vs " + fb.value(y.value).name;
      }
    }
  }
  if (a.attributes.size() != b.attributes.size()) return where + "attribute count";
  for (const auto& at : a.attributes) {
    const ir::Constant* other = b.attribute_value(at.name);
    if (!other) return where + "missing attribute " + at.name;
    if (auto d = diff_constants(*at.value, *other); !d.empty()) return where + at.name + ": " + d;
  }
  if (a.blocks.size() != b.blocks.size()) return where + "block count";
  for (size_t i = 0; i < a.blocks.size(); ++i)
    if (auto d = diff_block(fa, a.blocks[i], fb, b.blocks[i]); !d.empty()) return where + "block " + std::to_string(i) + ": " + d;
  return "";
}

std::string diff_block(const ir::Function& fa, ir::BlockId ba, const ir::Function& fb, ir::BlockId bb) {
  const ir::Block& a = fa.block(ba);
  const ir::Block& b = fb.block(bb);
  if (a.inputs.size() != b.inputs.size()) return "block input count";
  for (size_t i = 0; i < a.inputs.size(); ++i)
    if (auto d = diff_value(fa, a.inputs[i], fb, b.inputs[i]); !d.empty()) return d;
  if (a.ops.size() != b.ops.size()) return "op count " + std::to_string(a.ops.size()) + " vs " + std::to_string(b.ops.size());
  for (size_t i = 0; i < a.ops.size(); ++i)
    if (auto d = diff_op(fa, a.ops[i], fb, b.ops[i]); !d.empty()) return d;
  if (a.outputs.size() != b.outputs.size()) return "block output count";
  for (size_t i = 0; i < a.outputs.size(); ++i)
    if (fa.value(a.outputs[i]).name != fb.value(b.outputs[i]).name) return "block output " + std::to_string(i);
  return "";
}

}  // namespace

std::string diff_functions(const ir::Function& a, const ir::Function& b) {
  if (a.name != b.name) return "function name " + a.name + " vs " + b.name;
  if (a.inputs.size() != b.inputs.size()) return "parameter count";
  for (size_t i = 0; i < a.inputs.size(); ++i)
    if (auto d = diff_value(a, a.inputs[i], b, b.inputs[i]); !d.empty()) return "parameter: " + d;
  return diff_block(a, a.body(), b, b.body());
}

std::string diff_programs(const ir::Model& a, const ir::Model& b) {
  if (a.functions.size() != b.functions.size()) return "function count";
  for (size_t i = 0; i < a.functions.size(); ++i)
    if (auto d = diff_functions(a.functions[i], b.functions[i]); !d.empty()) return a.functions[i].name + ": " + d;
  if (a.program_attributes != b.program_attributes) return "program attributes differ";
  return "";
}

}  // namespace mlscope::test
