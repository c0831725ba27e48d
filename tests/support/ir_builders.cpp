#include "tests/support/ir_builders.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mlscope::fixtures {
namespace {

using namespace mlscope::ir;

Type vec8() { return Type::tensor(DType::Float32, Shape{1, 8}); }

struct Builder {
  Function fn;
  BlockId body;
  int counter = 0;
  Builder() {
    fn.name = "main";
    fn.opset = "CoreML6";
    body = fn.add_block(kNone);
    fn.specializations.push_back({"CoreML6", body});
  }
  ValueId input(const std::string& name) {
    ValueId v = fn.add_value(name, vec8(), body);
    fn.inputs.push_back(v);
    fn.blocks[static_cast<size_t>(body)].inputs.push_back(v);
    return v;
  }
  ValueId constant(BlockId b, float value) {
    Op op;
    op.type = "const";
    op.name = "c" + std::to_string(counter++);
    op.attributes.push_back({"val", std::make_shared<Constant>(Constant::from_floats({value}, Shape{}))});
    op.outputs.push_back(fn.add_value(op.name, Type::scalar(DType::Float32), b));
    const ValueId out = op.outputs.front();
    fn.add_op(b, std::move(op));
    return out;
  }
  ValueId op(BlockId b, const std::string& type, std::vector<ValueId> ins) {
    Op op;
    op.type = type;
    op.name = type + "_" + std::to_string(counter++);
    for (size_t i = 0; i < ins.size(); ++i) op.inputs.push_back({i == 0 ? "x" : "y" + std::to_string(i), {{ins[i], nullptr}}});
    op.outputs.push_back(fn.add_value(op.name, vec8(), b));
    const ValueId out = op.outputs.front();
    fn.add_op(b, std::move(op));
    return out;
  }
  Function finish(std::vector<ValueId> outs) {
    fn.blocks[static_cast<size_t>(body)].outputs = std::move(outs);
    fn.rebuild_uses();
    return std::move(fn);
  }
};

}  // namespace

ir::Function chain_program(int blocks) {
  Builder b;
  ValueId x = b.input("x");
  for (int i = 0; i < blocks; ++i) {
    ValueId w = b.constant(b.body, 0.1f), bias = b.constant(b.body, 0.0f);
    ValueId lin = b.op(b.body, "linear", {x, w, bias});
    ValueId r = b.op(b.body, "relu", {lin});
    ValueId a = b.op(b.body, "add", {x, r});
    ValueId s = b.constant(b.body, 0.5f);
    x = b.op(b.body, "mul", {a, s});
  }
  return b.finish({x});
}

ir::Function random_dag(int ops, uint32_t seed) {
  Builder b;
  uint32_t state = seed * 2654435761u + 1;
  auto next = [&](uint32_t n) { state = state * 1664525u + 1013904223u; return (state >> 8) % n; };
  std::vector<ValueId> values{b.input("x"), b.input("y")};
  static const char* kTypes[] = {"conv", "relu", "add", "mul", "linear", "softmax", "concat"};
  for (int i = 0; i < ops; ++i) {
    std::vector<ValueId> ins;
    const uint32_t fan_in = 1 + next(3);
    for (uint32_t k = 0; k < fan_in; ++k) {
      // Mostly recent values, sometimes a long skip connection.
      const uint32_t back = next(10) < 8 ? 1 + next(4) : 1 + next(static_cast<uint32_t>(values.size()));
      ins.push_back(values[values.size() - std::min<size_t>(back, values.size())]);
    }
    if (next(3) == 0) ins.push_back(b.constant(b.body, 1.0f));
    values.push_back(b.op(b.body, kTypes[next(7)], ins));
  }
  return b.finish({values.back(), values[values.size() / 2]});
}

ir::Function program_with_cond() {
  Builder b;
  ValueId x = b.input("x");
  ValueId pred = b.op(b.body, "reduce_any", {x});
  Op cond;
  cond.type = "cond";
  cond.name = "cond_0";
  cond.inputs.push_back({"pred", {{pred, nullptr}}});
  cond.outputs.push_back(b.fn.add_value("cond_0", vec8(), b.body));
  const OpId cond_id = b.fn.add_op(b.body, std::move(cond));
  const ValueId cond_out = static_cast<ValueId>(b.fn.values.size() - 1);
  BlockId then_b = b.fn.add_block(cond_id), else_b = b.fn.add_block(cond_id);
  ValueId r = b.op(then_b, "relu", {x});
  ValueId t = b.op(then_b, "add", {r, x});
  b.fn.blocks[static_cast<size_t>(then_b)].outputs = {t};
  ValueId c = b.constant(else_b, 2.0f);
  ValueId m = b.op(else_b, "mul", {x, c});
  b.fn.blocks[static_cast<size_t>(else_b)].outputs = {m};
  ValueId s = b.op(b.body, "sigmoid", {cond_out});
  return b.finish({s});
}

ir::Function single_op_function(const std::string& type, const std::string& name, const std::string& output, ir::DType dt,
                                size_t n) {
  ir::Function fn;
  fn.name = "main";
  const ir::BlockId body = fn.add_block(ir::kNone);
  fn.specializations.push_back({"CoreML7", body});
  ir::Op op;
  op.type = type;
  op.name = name;
  op.outputs.push_back(fn.add_value(output, ir::Type::tensor(dt, ir::Shape{int64_t(n)}), body));
  fn.add_op(body, std::move(op));
  return fn;
}

ir::Function int8_linear_program(const Int8LinearSpec& k) {
  ir::Function fn;
  fn.name = "main";
  fn.opset = "CoreML7";
  const BlockId body = fn.add_block(kNone);
  fn.specializations.push_back({"CoreML7", body});
  auto lit = [](Constant c) { return NamedInput{"", {{kNone, std::make_shared<const Constant>(std::move(c))}}}; };
  auto named = [](const std::string& name, NamedInput input) { input.name = name; return input; };
  auto ref = [](const std::string& name, ValueId v) { return NamedInput{name, {{v, nullptr}}}; };
  auto attribute = [](const std::string& name, Constant c) { return Attribute{name, std::make_shared<const Constant>(std::move(c))}; };
  auto add = [&](const std::string& type, const std::string& name, std::vector<NamedInput> inputs, std::vector<Attribute> attributes,
                 Type out) {
    Op op;
    op.type = type;
    op.name = name;
    op.inputs = std::move(inputs);
    op.attributes = std::move(attributes);
    op.outputs.push_back(fn.add_value(op.name, std::move(out), body));
    const ValueId v = op.outputs.front();
    fn.add_op(body, std::move(op));
    return v;
  };
  const Type activation = Type::tensor(DType::Float32, Shape{k.rows, k.in});
  const ValueId x = fn.add_value("x", activation, body);
  fn.inputs.push_back(x);
  const NamedInput scale = lit(Constant::from_floats({k.activation_scale}, Shape{}));
  const NamedInput zero = lit(Constant::from_ints({0}, Shape{}, DType::Int8));
  const ValueId q = add("quantize", "q",
                        {ref("input", x), named("scale", scale), named("zero_point", zero),
                         named("output_dtype", lit(Constant::from_string("int8")))},
                        {}, Type::tensor(DType::Int8, Shape{k.rows, k.in}));
  const ValueId dq = add("dequantize", "dq", {ref("input", q), named("scale", scale), named("zero_point", zero)}, {}, activation);
  std::vector<int64_t> codes;
  codes.reserve(size_t(k.out * k.in));
  std::vector<float> scales, biases;
  for (int64_t o = 0; o < k.out; ++o) {
    for (int64_t i = 0; i < k.in; ++i) codes.push_back(k.weight_code(o, i));
    scales.push_back(k.weight_scale(o));
    biases.push_back(k.bias(o));
  }
  const ValueId w = add("constexpr_affine_dequantize", "w", {},
                        {attribute("quantized_data", Constant::from_ints(codes, Shape{k.out, k.in}, DType::Int8)),
                         attribute("scale", Constant::from_floats(scales, Shape{k.out})),
                         attribute("zero_point", Constant::from_ints(std::vector<int64_t>(size_t(k.out), 0), Shape{k.out}, DType::Int8)),
                         attribute("axis", Constant::from_ints({0}, Shape{}, DType::Int32))},
                        Type::tensor(DType::Float32, Shape{k.out, k.in}));
  const ValueId y = add("linear", "y", {ref("x", dq), ref("weight", w), named("bias", lit(Constant::from_floats(biases, Shape{k.out})))}, {},
                        Type::tensor(DType::Float32, Shape{k.rows, k.out}));
  fn.blocks[static_cast<size_t>(body)].outputs = {y};
  fn.rebuild_uses();
  return fn;
}

}  // namespace mlscope::fixtures
