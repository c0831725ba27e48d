// Builds small ML programs in code for the interpreter's unit tests (no files involved).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/ir/model.h"

namespace mlscope::test {

class ProgramBuilder {
 public:
  ProgramBuilder() {
    fn_.name = "main";
    body_ = fn_.add_block(ir::kNone);
    fn_.specializations.push_back({"CoreML7", body_});
  }
  ir::ValueId input(const std::string& name, ir::Type t) {
    ir::ValueId v = fn_.add_value(name, std::move(t), body_);
    fn_.inputs.push_back(v);
    return v;
  }
  static ir::Binding lit(ir::Constant c) {
    ir::Binding b;
    b.literal = std::make_shared<const ir::Constant>(std::move(c));
    return b;
  }
  static ir::Binding ref(ir::ValueId v) {
    ir::Binding b;
    b.value = v;
    return b;
  }
  /// Adds op `type` with named inputs; returns its output values (types given).
  std::vector<ir::ValueId> op(const std::string& type, const std::string& name, std::vector<ir::NamedInput> inputs,
                              std::vector<ir::Type> out_types, std::vector<ir::Attribute> attributes = {}) {
    ir::Op o;
    o.type = type;
    o.name = name;
    o.inputs = std::move(inputs);
    o.attributes = std::move(attributes);
    std::vector<ir::ValueId> outs;
    for (size_t i = 0; i < out_types.size(); ++i)
      outs.push_back(fn_.add_value(name + (i ? "_" + std::to_string(i) : ""), out_types[i], body_));
    o.outputs = outs;
    fn_.add_op(body_, std::move(o));
    return outs;
  }
  void output(ir::ValueId v) { fn_.blocks[static_cast<size_t>(body_)].outputs.push_back(v); }
  ir::Model model() {
    ir::Model m;
    m.path = "in-memory test program";
    m.kind = "mlProgram";
    fn_.rebuild_uses();
    m.functions.push_back(fn_);
    return m;
  }

 private:
  ir::Function fn_;
  ir::BlockId body_;
};

inline ir::NamedInput in(const std::string& name, ir::Binding b) { return ir::NamedInput{name, {std::move(b)}}; }

}  // namespace mlscope::test
