// Tiny IR builder for the analysis unit tests: builds ML-program functions in code (no files).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/ir/function.h"

namespace mlscope::test {

struct IrBuilder {
  ir::Function f;
  ir::BlockId body;

  explicit IrBuilder(std::string opset = "CoreML8") {
    f.name = "main";
    f.opset = opset;
    body = f.add_block(ir::kNone);
    f.specializations.push_back({opset, body});
  }

  ir::ValueId input(const std::string& name, ir::Type t) {
    ir::ValueId v = f.add_value(name, std::move(t), body);
    f.inputs.push_back(v);
    return v;
  }

  /// A `const` op holding `c`; returns its output value.
  ir::ValueId constant(const std::string& name, ir::Constant c) {
    ir::Op op;
    op.type = "const";
    op.name = name;
    ir::Type t = c.type;
    op.attributes.push_back({"val", std::make_shared<const ir::Constant>(std::move(c))});
    ir::ValueId v = f.add_value(name, t, body);
    op.outputs = {v};
    f.add_op(body, std::move(op));
    return v;
  }

  /// An op with value inputs, constant attributes and typed outputs; returns its output values.
  std::vector<ir::ValueId> op(const std::string& type, const std::string& name,
                              const std::vector<std::pair<std::string, ir::ValueId>>& inputs,
                              const std::vector<std::pair<std::string, ir::Constant>>& attrs,
                              const std::vector<ir::Type>& outs) {
    ir::Op o;
    o.type = type;
    o.name = name;
    for (const auto& [n, v] : inputs) o.inputs.push_back({n, {ir::Binding{v, nullptr}}});
    for (const auto& [n, c] : attrs) o.attributes.push_back({n, std::make_shared<const ir::Constant>(c)});
    std::vector<ir::ValueId> vs;
    for (size_t i = 0; i < outs.size(); ++i)
      vs.push_back(f.add_value(outs.size() == 1 ? name : name + "_" + std::to_string(i), outs[i], body));
    o.outputs = vs;
    f.add_op(body, std::move(o));
    return vs;
  }
  ir::ValueId op1(const std::string& type, const std::string& name,
                  const std::vector<std::pair<std::string, ir::ValueId>>& inputs,
                  const std::vector<std::pair<std::string, ir::Constant>>& attrs, ir::Type out) {
    return op(type, name, inputs, attrs, {std::move(out)}).front();
  }
  ir::OpId producer(ir::ValueId v) const { return f.value(v).producer; }
  void output(ir::ValueId v) { f.blocks[static_cast<size_t>(body)].outputs.push_back(v); }
};

inline ir::Type ft(ir::Shape s, ir::DType d = ir::DType::Float32) { return ir::Type::tensor(d, std::move(s)); }
inline ir::Constant ints(std::vector<int64_t> v, ir::Shape s, ir::DType d) { return ir::Constant::from_ints(v, std::move(s), d); }
inline ir::Constant floats(std::vector<float> v, ir::Shape s, ir::DType d = ir::DType::Float32) {
  return ir::Constant::from_floats(v, std::move(s), d);
}
inline ir::Constant scalar_int(int64_t v) { return ir::Constant::from_ints({v}, ir::Shape{}, ir::DType::Int32); }

}  // namespace mlscope::test
