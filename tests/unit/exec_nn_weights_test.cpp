// NeuralNetwork layers the interpreter gained in session 2, on layers built in code and checked
// against hand arithmetic: quantized WeightParams (linear with per-channel scale/bias, lookup
// table, sub-byte MSB-first packing, signed int8) and deconvolution.
#include <gtest/gtest.h>

#include <cmath>

#include "core/exec/interpreter.h"
#include "core/util/error.h"
#include "exec_ir_builder.h"

using namespace mlscope;
using namespace mlscope::exec;

namespace {

using Attrs = std::vector<std::pair<std::string, ir::Constant>>;

// One NeuralNetwork layer `type` reading input "x" of `in_shape`; returns its output for `x`.
Tensor run_layer(const std::string& type, Dims in_shape, std::vector<float> x, Attrs attrs) {
  test::ProgramBuilder p;
  auto xv = p.input("x", ir::Type::tensor(ir::DType::Float32, ir::Shape(in_shape)));
  auto y = p.op(type, "layer", {test::in("input", test::ProgramBuilder::ref(xv))}, {ir::Type{}});
  p.output(y[0]);
  ir::Model m = p.model();
  m.kind = "neuralNetwork";
  ir::Function& fn = m.functions[0];
  fn.dialect = ir::Dialect::NeuralNetwork;
  for (ir::Op& op : fn.ops) {
    op.dialect = ir::Dialect::NeuralNetwork;
    for (auto& [n, c] : attrs) op.attributes.push_back({n, std::make_shared<const ir::Constant>(c)});
  }
  RunResult r = Interpreter(NumericProfile::builtin("fp32")).run(m, {{"x", Tensor::from_floats(ir::DType::Float32, in_shape, std::move(x))}}, {});
  return std::get<Tensor>(r.outputs.at("layer"));
}

ir::Constant scalar(int64_t v) { return ir::Constant::from_ints({v}, ir::Shape{}); }
ir::Constant floats(std::vector<float> v) { return ir::Constant::from_floats(v, ir::Shape{int64_t(v.size())}); }

// Packs `bits`-bit codes most-significant-bit first, as NeuralNetwork.proto's rawValue.
ir::Constant packed(const std::vector<int>& codes, int bits) {
  std::vector<uint8_t> bytes((codes.size() * size_t(bits) + 7) / 8, 0);
  size_t bit = 0;
  for (int c : codes)
    for (int b = bits - 1; b >= 0; --b, ++bit)
      if ((c >> b) & 1) bytes[bit / 8] |= uint8_t(0x80u >> (bit % 8));
  return ir::Constant::from_raw(ir::DType::UInt8, ir::Shape{int64_t(bytes.size())}, bytes);
}

Attrs inner_product(int64_t out, int64_t in) {
  return {{"inputChannels", scalar(in)}, {"outputChannels", scalar(out)}, {"hasBias", scalar(0)}};
}

TEST(ExecNnWeights, LinearQuantizedTwoBitWeightsPerChannel) {
  const std::vector<int> q = {0, 1, 2, 3, 3, 2, 1, 0, 1, 1, 2, 2};  // [3 outputs, 4 inputs]
  const std::vector<float> scale = {0.5f, -1.0f, 0.25f}, bias = {1.0f, 0.0f, -2.0f};
  Attrs a = inner_product(3, 4);
  a.push_back({"weights", packed(q, 2)});
  a.push_back({"weights.quantization.bits", scalar(2)});
  a.push_back({"weights.quantization.type", ir::Constant::from_string("linear")});
  a.push_back({"weights.quantization.scale", floats(scale)});
  a.push_back({"weights.quantization.bias", floats(bias)});
  const std::vector<float> x = {1.0f, -2.0f, 0.5f, 3.0f};
  Tensor y = run_layer("innerProduct", {1, 4}, x, a);
  ASSERT_EQ(y.size(), 3u);
  for (int o = 0; o < 3; ++o) {
    double want = 0;
    for (int i = 0; i < 4; ++i) want += (scale[size_t(o)] * q[size_t(o * 4 + i)] + bias[size_t(o)]) * x[size_t(i)];
    EXPECT_NEAR(y.floats()[size_t(o)], want, 1e-5) << o;
  }
}

TEST(ExecNnWeights, LookupTableFourBitAndSignedInt8) {
  const std::vector<int> q = {15, 0, 7, 8, 1, 14};  // [2, 3]
  std::vector<float> lut(16);
  for (int i = 0; i < 16; ++i) lut[size_t(i)] = float(i) * 0.1f - 0.8f;
  Attrs a = inner_product(2, 3);
  a.push_back({"weights", packed(q, 4)});
  a.push_back({"weights.quantization.bits", scalar(4)});
  a.push_back({"weights.quantization.type", ir::Constant::from_string("lookup_table")});
  a.push_back({"weights.quantization.lut", floats(lut)});
  const std::vector<float> x = {2.0f, -1.0f, 0.5f};
  Tensor y = run_layer("innerProduct", {1, 3}, x, a);
  for (int o = 0; o < 2; ++o) {
    double want = 0;
    for (int i = 0; i < 3; ++i) want += lut[size_t(q[size_t(o * 3 + i)])] * x[size_t(i)];
    EXPECT_NEAR(y.floats()[size_t(o)], want, 1e-5) << o;
  }
  // int8RawValue: signed codes, one scale for the whole tensor.
  const std::vector<int8_t> s8 = {-128, 127, -1, 5, 0, -7};
  Attrs b = inner_product(2, 3);
  b.push_back({"weights", ir::Constant::from_raw(ir::DType::Int8, ir::Shape{6}, std::vector<uint8_t>(s8.begin(), s8.end()))});
  b.push_back({"weights.quantization.bits", scalar(8)});
  b.push_back({"weights.quantization.type", ir::Constant::from_string("linear")});
  b.push_back({"weights.quantization.scale", floats({0.01f})});
  b.push_back({"weights.quantization.bias", floats({0.0f})});
  Tensor z = run_layer("innerProduct", {1, 3}, x, b);
  for (int o = 0; o < 2; ++o) {
    double want = 0;
    for (int i = 0; i < 3; ++i) want += 0.01f * s8[size_t(o * 3 + i)] * x[size_t(i)];
    EXPECT_NEAR(z.floats()[size_t(o)], want, 1e-5) << o;
  }
}

TEST(ExecNnWeights, BadQuantizedWeightsAreErrorsNamingTheLayer) {
  Attrs a = inner_product(2, 3);
  a.push_back({"weights", packed({1, 2}, 4)});  // 1 byte for 6 codes
  a.push_back({"weights.quantization.bits", scalar(4)});
  a.push_back({"weights.quantization.type", ir::Constant::from_string("lookup_table")});
  a.push_back({"weights.quantization.lut", floats(std::vector<float>(16, 1.0f))});
  try {
    run_layer("innerProduct", {1, 3}, {1, 2, 3}, a);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where().op, "layer");
    EXPECT_NE(std::string(e.what()).find("bytes"), std::string::npos) << e.what();
  }
}

TEST(ExecNnWeights, DeconvolutionScattersEachInputThroughTheKernel) {
  // 1 -> 2 channels, 2x2 kernel, stride 2, input 2x3: out[o, 2i+a, 2j+b] = x[i,j] * w[0,o,a,b] + bias[o].
  const std::vector<float> w = {1, 2, 3, 4, -1, 0.5f, 0, 2};  // [C_in=1, O=2, 2, 2]
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  Attrs a = {{"outputChannels", scalar(2)},     {"kernelChannels", scalar(1)}, {"nGroups", scalar(1)},
             {"kernelSize", floats({2, 2})},     {"stride", floats({2, 2})},    {"dilationFactor", floats({1, 1})},
             {"isDeconvolution", scalar(1)},     {"hasBias", scalar(1)},        {"weights", floats(w)},
             {"bias", floats({0.5f, -1.0f})}};
  Tensor y = run_layer("convolution", {1, 1, 2, 3}, x, a);
  ASSERT_EQ(y.shape(), (Dims{1, 2, 4, 6}));
  const float bias[2] = {0.5f, -1.0f};
  for (int o = 0; o < 2; ++o)
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 6; ++c) {
        const float want = x[size_t((r / 2) * 3 + c / 2)] * w[size_t(o * 4 + (r % 2) * 2 + c % 2)] + bias[o];
        EXPECT_FLOAT_EQ(y.floats()[size_t((o * 4 + r) * 6 + c)], want) << o << "," << r << "," << c;
      }
}

}  // namespace
