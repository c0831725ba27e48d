// Flexible input shapes (--shape): enumerated shapes and ranges from the model description,
// the default shape, and clear errors naming the input and what it accepts.
#include <gtest/gtest.h>

#include "core/io/input_files.h"
#include "core/io/input_shapes.h"
#include "core/exec/interpreter.h"
#include "core/io/npy.h"
#include "core/util/error.h"
#include "exec_ir_builder.h"
#include "tests/support/test_paths.h"

using namespace mlscope;
using namespace mlscope::exec;
using namespace mlscope::io;

namespace {

// y = relu(x) with x of shape [?, ?] and a description that declares `flex` for x.
ir::Model flexible_model(const std::function<void(ir::FeatureType&)>& flex) {
  test::ProgramBuilder p;
  const ir::Type t = ir::Type::tensor(ir::DType::Float32, ir::Shape{ir::kUnknownDim, ir::kUnknownDim});
  auto x = p.input("x", t);
  auto y = p.op("relu", "y", {test::in("x", test::ProgramBuilder::ref(x))}, {t});
  p.output(y[0]);
  ir::Model m = p.model();
  ir::FunctionDescription fd;
  fd.name = "main";
  ir::Feature f;
  f.name = "x";
  f.type.kind = ir::FeatureType::Kind::MultiArray;
  f.type.array_dtype = ir::ArrayDType::Float32;
  f.type.shape = {1, 4};
  flex(f.type);
  fd.inputs.push_back(f);
  m.function_descriptions.push_back(fd);
  return m;
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ExecShapes, RangesPickASizeAndRejectOthersNamingTheInput) {
  const ir::Model m = flexible_model([](ir::FeatureType& t) { t.shape_ranges = {{1, 3}, {4, -1}}; });
  const ir::Function& fn = *m.main_function();
  auto shapes = parse_shape_specs(m, fn, {"x=3x9"});
  ASSERT_EQ(shapes.at("x"), (Dims{3, 9}));
  RunInputs in;
  add_input_spec(m, fn, "x=random:7", in, nullptr, &shapes);
  EXPECT_EQ(std::get<Tensor>(in.at("x")).shape(), (Dims{3, 9}));
  RunResult r = Interpreter(NumericProfile::builtin("fp32")).run(m, in, {});
  EXPECT_EQ(std::get<Tensor>(r.outputs.at("y")).shape(), (Dims{3, 9}));
  // Without --shape the default shape is used.
  RunInputs def;
  add_input_spec(m, fn, "x=random:7", def);
  EXPECT_EQ(std::get<Tensor>(def.at("x")).shape(), (Dims{1, 4}));

  const std::string too_big = error_of([&] { parse_shape_specs(m, fn, {"x=4x4"}); });
  EXPECT_NE(too_big.find("input 'x'"), std::string::npos) << too_big;
  EXPECT_NE(too_big.find("[1..3]x[4..inf]"), std::string::npos) << too_big;
  EXPECT_NE(too_big.find("default 1x4"), std::string::npos) << too_big;
  EXPECT_NE(error_of([&] { parse_shape_specs(m, fn, {"x=2"}); }).find("rank"), std::string::npos);
  EXPECT_NE(error_of([&] { parse_shape_specs(m, fn, {"x=2xq"}); }).find("positive integer"), std::string::npos);
  EXPECT_NE(error_of([&] { parse_shape_specs(m, fn, {"z=2x4"}); }).find("no input 'z'"), std::string::npos);
  EXPECT_NE(error_of([&] { parse_shape_specs(m, fn, {"x=3x2000000000"}); }).find("2^31"), std::string::npos);
}

TEST(ExecShapes, EnumeratedShapesOnly) {
  const ir::Model m = flexible_model([](ir::FeatureType& t) { t.enumerated_shapes = {{1, 4}, {2, 8}}; });
  const ir::Function& fn = *m.main_function();
  EXPECT_EQ(parse_shape_specs(m, fn, {"2x8"}).at("x"), (Dims{2, 8}));  // one-input function: name optional
  const std::string e = error_of([&] { parse_shape_specs(m, fn, {"x=2x4"}); });
  EXPECT_NE(e.find("enumerated shapes 1x4, 2x8"), std::string::npos) << e;
}

TEST(ExecShapes, FileMustMatchTheChosenShape) {
  const ir::Model m = flexible_model([](ir::FeatureType& t) { t.enumerated_shapes = {{1, 4}, {2, 8}}; });
  const ir::Function& fn = *m.main_function();
  const auto npy = (test::scratch_dir("exec_shapes") / "x.npy").string();
  write_npy(npy, Tensor::from_floats(ir::DType::Float32, {1, 4}, std::vector<float>(4, 1.0f)));
  const auto shapes = parse_shape_specs(m, fn, {"x=2x8"});
  RunInputs in;
  const std::string e = error_of([&] { add_input_spec(m, fn, "x=" + npy, in, nullptr, &shapes); });
  EXPECT_NE(e.find("--shape asks for"), std::string::npos) << e;
}

}  // namespace
