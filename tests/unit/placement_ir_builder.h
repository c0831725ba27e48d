// Tiny IR builder for placement tests: one function with typed inputs, consts and ops.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/ir/model.h"

namespace mlscope::test {

class PlacementIr {
 public:
  explicit PlacementIr(ir::Dialect dialect = ir::Dialect::MIL) {
    model.kind = dialect == ir::Dialect::MIL ? "mlProgram" : "neuralNetwork";
    ir::Function f;
    f.name = "main";
    f.dialect = dialect;
    f.opset = "CoreML7";
    body = f.add_block(ir::kNone);
    f.specializations.push_back({"CoreML7", body});
    model.functions.push_back(std::move(f));
  }
  ir::Function& fn() { return model.functions[0]; }

  ir::ValueId input(const std::string& name, ir::Type t) {
    ir::ValueId v = fn().add_value(name, std::move(t), body);
    fn().inputs.push_back(v);
    return v;
  }
  ir::ValueId constant(const std::string& name, ir::Constant c) {
    ir::Op op;
    op.type = "const";
    op.name = name;
    op.outputs.push_back(fn().add_value(name, c.type, body));
    op.attributes.push_back({"val", std::make_shared<const ir::Constant>(std::move(c))});
    fn().add_op(body, std::move(op));
    return fn().ops.back().outputs[0];
  }
  /// Adds op `type` reading `inputs` (name, value) and producing one output of type `out`.
  ir::ValueId op(const std::string& type, const std::string& name,
                 std::vector<std::pair<std::string, ir::ValueId>> inputs, ir::Type out) {
    ir::Op o;
    o.type = type;
    o.name = name;
    o.dialect = fn().dialect;
    for (auto& [n, v] : inputs) {
      ir::NamedInput in;
      in.name = n;
      in.bindings.push_back({v, nullptr});
      o.inputs.push_back(std::move(in));
    }
    o.outputs.push_back(fn().add_value(name, std::move(out), body));
    fn().add_op(body, std::move(o));
    return fn().ops.back().outputs[0];
  }
  ir::Model done() {
    fn().rebuild_uses();
    return model;
  }

  ir::Model model;
  ir::BlockId body = ir::kNone;
};

inline ir::Type fp16(ir::Shape s) { return ir::Type::tensor(ir::DType::Float16, std::move(s)); }
inline ir::Type fp32(ir::Shape s) { return ir::Type::tensor(ir::DType::Float32, std::move(s)); }

}  // namespace mlscope::test
