#include "support/hazard_programs.h"

#include <memory>
#include <string>
#include <utility>

namespace mlscope::fixtures {
namespace {

using namespace mlscope::ir;

struct Program {
  Function fn;
  BlockId body;
  Program() {
    fn.name = "main";
    fn.opset = "CoreML7";
    body = fn.add_block(kNone);
    fn.specializations.push_back({"CoreML7", body});
  }
  ValueId input(const std::string& name, Type t) {
    ValueId v = fn.add_value(name, std::move(t), body);
    fn.inputs.push_back(v);
    return v;
  }
  static NamedInput lit(const std::string& name, Constant c) {
    return NamedInput{name, {{kNone, std::make_shared<const Constant>(std::move(c))}}};
  }
  static NamedInput ref(const std::string& name, ValueId v) { return NamedInput{name, {{v, nullptr}}}; }
  ValueId op(const std::string& type, const std::string& name, std::vector<NamedInput> inputs, Type out,
             std::vector<Attribute> attributes = {}) {
    Op o;
    o.type = type;
    o.name = name;
    o.inputs = std::move(inputs);
    o.attributes = std::move(attributes);
    o.outputs.push_back(fn.add_value(name, std::move(out), body));
    const ValueId v = o.outputs.front();
    fn.add_op(body, std::move(o));
    return v;
  }
  Function done(ValueId out) {
    fn.blocks[static_cast<size_t>(body)].outputs = {out};
    fn.rebuild_uses();
    return std::move(fn);
  }
};

Type f32(Shape s) { return Type::tensor(DType::Float32, std::move(s)); }
Attribute attribute(const std::string& name, Constant c) { return Attribute{name, std::make_shared<const Constant>(std::move(c))}; }

Feature feature(const Function& fn, ValueId v) {
  Feature f;
  f.name = fn.value(v).name;
  f.type.kind = FeatureType::Kind::MultiArray;
  const Type& t = fn.value(v).type;
  f.type.array_dtype = t.dtype == DType::Float16 ? ArrayDType::Float16 : ArrayDType::Float32;
  f.type.shape = t.shape.dims;
  return f;
}

}  // namespace

Model program_model(Function fn) {
  Model m;
  m.path = "in-memory hazards program";
  m.kind = "mlProgram";
  m.specification_version = 8;
  m.default_function = fn.name;
  for (ValueId v : fn.inputs) m.inputs.push_back(feature(fn, v));
  for (ValueId v : fn.outputs()) m.outputs.push_back(feature(fn, v));
  m.functions.push_back(std::move(fn));
  return m;
}

Function reduction_overflow_program(int64_t side) {
  Program p;
  const Shape xs{1, 1, side, side}, hs{1, 3, side, side};
  const ValueId x = p.input("x", f32(xs));
  auto scale = [](float s) { return Constant::from_floats({s}, Shape{}); };
  auto zero = [] { return Constant::from_ints({0}, Shape{}, DType::Int8); };
  const ValueId q = p.op("quantize", "x_q",
                         {Program::ref("input", x), Program::lit("scale", scale(1.0f / 16)), Program::lit("zero_point", zero()),
                          Program::lit("output_dtype", Constant::from_string("int8"))},
                         Type::tensor(DType::Int8, xs));
  const ValueId dq = p.op("dequantize", "x_dq", {Program::ref("input", q), Program::lit("scale", scale(1.0f / 16)), Program::lit("zero_point", zero())},
                          f32(xs));
  const ValueId w = p.op("constexpr_affine_dequantize", "conv_w", {}, f32({3, 1, 1, 1}),
                         {attribute("quantized_data", Constant::from_ints({64, 64, 1}, Shape{3, 1, 1, 1}, DType::Int8)),
                          attribute("scale", Constant::from_floats({1.0f / 64}, Shape{})),
                          attribute("zero_point", Constant::from_ints({0}, Shape{}, DType::Int8)),
                          attribute("axis", Constant::from_ints({0}, Shape{}, DType::Int32))});
  const ValueId c = p.op("conv", "conv", {Program::ref("x", dq), Program::ref("weight", w)}, f32(hs));
  const ValueId a = p.op("silu", "act", {Program::ref("x", c)}, f32(hs));
  const ValueId m = p.op("mul", "amplify", {Program::ref("x", a), Program::lit("y", scale(kReductionOverflowAmplify))}, f32(hs));
  const ValueId r = p.op("reduce_mean", "pool",
                         {Program::ref("x", m), Program::lit("axes", Constant::from_ints({2, 3}, Shape{2}, DType::Int32)),
                          Program::lit("keep_dims", Constant::from_bool(false))},
                         f32({1, 3}));
  const ValueId y = p.op("linear", "fc",
                         {Program::ref("x", r), Program::lit("weight", Constant::from_floats({1, -1, 1, 0.5f, 0.5f, -1}, Shape{2, 3}))},
                         f32({1, 2}));
  return p.done(y);
}

Function scale_program(float factor, int64_t n, DType dtype) {
  Program p;
  const Type t = Type::tensor(dtype, Shape{n});
  const ValueId x = p.input("x", t);
  return p.done(p.op("mul", "scale", {Program::ref("x", x), Program::lit("y", Constant::from_floats({factor}, Shape{}))}, t));
}

Function linear_program(const std::vector<float>& w, int64_t out, int64_t k) {
  Program p;
  const ValueId x = p.input("x", f32({1, k}));
  return p.done(p.op("linear", "fc", {Program::ref("x", x), Program::lit("weight", Constant::from_floats(w, Shape{out, k}))}, f32({1, out})));
}

Function quantize_program(float scale, int64_t zero_point, int64_t n) {
  Program p;
  const ValueId x = p.input("x", f32({n}));
  auto s = [&] { return Program::lit("scale", Constant::from_floats({scale}, Shape{})); };
  auto z = [&] { return Program::lit("zero_point", Constant::from_ints({zero_point}, Shape{}, DType::Int8)); };
  const ValueId q = p.op("quantize", "q", {Program::ref("input", x), s(), z(), Program::lit("output_dtype", Constant::from_string("int8"))},
                         Type::tensor(DType::Int8, Shape{n}));
  return p.done(p.op("dequantize", "dq", {Program::ref("input", q), s(), z()}, f32({n})));
}

}  // namespace mlscope::fixtures
