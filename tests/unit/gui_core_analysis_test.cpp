// Core data behind the GUI's lineage colour mode and weight histogram: per-op lineage kinds from
// the QuantReport, histogram statistics checked against values computed here from the definition.
#include <gtest/gtest.h>

#include <cmath>

#include "core/analysis/op_lineage_kind.h"
#include "core/analysis/tensor_histogram.h"
#include "unit/analysis_ir_builder.h"

using namespace mlscope;
using namespace mlscope::analysis;
using mlscope::test::IrBuilder;
using mlscope::test::floats;
using mlscope::test::ft;
using mlscope::test::ints;
using mlscope::test::scalar_int;
using ir::DType;

namespace {

ir::ValueId qdq(IrBuilder& b, ir::ValueId x, const std::string& tag, ir::Shape s) {
  ir::ValueId sc = b.constant(tag + "_scale", floats({0.02f}, {}, DType::Float16));
  ir::ValueId zp = b.constant(tag + "_zp", ints({0}, {}, DType::Int8));
  ir::ValueId od = b.constant(tag + "_dt", ir::Constant::from_string("int8"));
  ir::ValueId q = b.op1("quantize", "quantize_" + tag, {{"input", x}, {"scale", sc}, {"zero_point", zp}, {"output_dtype", od}}, {},
                        ft(s, DType::Int8));
  return b.op1("dequantize", "dequantize_" + tag, {{"input", q}, {"scale", sc}, {"zero_point", zp}}, {}, ft(s, DType::Float16));
}

// int8 codes q[i] = i % 200 - 100, per-channel scale 0.01·(c+1) along axis 0.
ir::ValueId int8_weight(IrBuilder& b, const std::string& name, ir::Shape s) {
  const int64_t cout = s.dims[0];
  const uint64_t n = *s.element_count();
  std::vector<int64_t> q(n);
  for (uint64_t i = 0; i < n; ++i) q[i] = static_cast<int64_t>(i % 200) - 100;
  std::vector<float> scale(static_cast<size_t>(cout));
  for (int64_t c = 0; c < cout; ++c) scale[static_cast<size_t>(c)] = 0.01f * static_cast<float>(c + 1);
  return b.op1("constexpr_affine_dequantize", name, {},
               {{"quantized_data", ints(q, s, DType::Int8)}, {"scale", floats(scale, {cout}, DType::Float32)},
                {"zero_point", ints(std::vector<int64_t>(static_cast<size_t>(cout), 0), {cout}, DType::Int8)}, {"axis", scalar_int(0)}},
               ft(s, DType::Float32));
}

ir::Model model_of(const IrBuilder& b) {
  ir::Model m;
  m.kind = "mlProgram";
  m.functions.push_back(b.f);
  return m;
}

}  // namespace

TEST(OpLineageKind, DistinguishesW8A8WeightOnlyActivationOnlyFloatAndPlumbing) {
  IrBuilder b("CoreML7");
  ir::ValueId x = b.input("x", ft({1, 3, 8, 8}, DType::Float16));
  ir::ValueId dx = qdq(b, x, "0", {1, 3, 8, 8});
  ir::ValueId c0 = b.op1("conv", "conv_w8a8", {{"x", dx}, {"weight", int8_weight(b, "w0", {3, 3, 1, 1})}}, {}, ft({1, 3, 8, 8}, DType::Float16));
  ir::ValueId c1 = b.op1("conv", "conv_w8", {{"x", c0}, {"weight", int8_weight(b, "w1", {3, 3, 1, 1})}}, {}, ft({1, 3, 8, 8}, DType::Float16));
  ir::ValueId d1 = qdq(b, c1, "1", {1, 3, 8, 8});
  ir::ValueId r = b.op1("relu", "relu_a8", {{"x", d1}}, {}, ft({1, 3, 8, 8}, DType::Float16));
  b.output(b.op1("sigmoid", "sigmoid_float", {{"x", r}}, {}, ft({1, 3, 8, 8}, DType::Float16)));
  const ir::Model m = model_of(b);
  const QuantReport rep = analyze_quantization(m);
  const ir::Function& f = m.functions[0];
  const auto kinds = op_lineage_kinds(f, rep);
  ASSERT_EQ(kinds.size(), f.ops.size());
  EXPECT_EQ(kinds[static_cast<size_t>(f.find_op("conv_w8a8"))], LineageKind::WeightAndActivation);
  EXPECT_EQ(kinds[static_cast<size_t>(f.find_op("conv_w8"))], LineageKind::WeightAffine);
  EXPECT_EQ(kinds[static_cast<size_t>(f.find_op("relu_a8"))], LineageKind::Activation);
  EXPECT_EQ(kinds[static_cast<size_t>(f.find_op("sigmoid_float"))], LineageKind::Float);
  EXPECT_EQ(kinds[static_cast<size_t>(f.find_op("quantize_0"))], LineageKind::Plumbing);
  EXPECT_EQ(kinds[static_cast<size_t>(f.find_op("w0"))], LineageKind::Plumbing);
  // The records of conv_w8a8: one activation, one weight (affine per-channel axis 0).
  const auto records = op_lineage_records(f, rep);
  const auto& rec = records[static_cast<size_t>(f.find_op("conv_w8a8"))];
  ASSERT_EQ(rec.size(), 2u);
  int weights = 0;
  for (uint32_t i : rec) weights += rep.tensors[i].kind == "weight";
  EXPECT_EQ(weights, 1);
}

TEST(TensorHistogram, DecodedConstexprStatisticsMatchTheDefinition) {
  IrBuilder b("CoreML7");
  ir::ValueId x = b.input("x", ft({1, 4}));
  const ir::Shape s{4, 50};
  ir::ValueId w = int8_weight(b, "w", s);
  b.output(b.op1("linear", "fc", {{"x", x}, {"weight", w}}, {}, ft({1, 4})));
  // Reference: value = scale[c] · q, computed here from the definition.
  std::vector<double> ref;
  for (int64_t c = 0; c < 4; ++c)
    for (int64_t k = 0; k < 50; ++k) ref.push_back(static_cast<double>(0.01f * static_cast<float>(c + 1)) * static_cast<double>((c * 50 + k) % 200 - 100));
  double mean = 0;
  for (double v : ref) mean += v;
  mean /= static_cast<double>(ref.size());
  double var = 0;
  for (double v : ref) var += (v - mean) * (v - mean);
  const double stddev = std::sqrt(var / static_cast<double>(ref.size()));

  ASSERT_TRUE(is_compile_time_tensor(b.f, w));
  ASSERT_FALSE(is_compile_time_tensor(b.f, x));
  const TensorHistogram h = value_histogram(b.f, w, {.bins = 10});
  ASSERT_TRUE(h.ok()) << h.error;
  EXPECT_EQ(h.producer_type, "constexpr_affine_dequantize");
  EXPECT_EQ(h.elements, 200u);
  EXPECT_EQ(h.used, 200u);
  EXPECT_FALSE(h.sampled());
  EXPECT_NEAR(h.min, *std::min_element(ref.begin(), ref.end()), 1e-5);
  EXPECT_NEAR(h.max, *std::max_element(ref.begin(), ref.end()), 1e-5);
  EXPECT_NEAR(h.mean, mean, 1e-5);
  EXPECT_NEAR(h.stddev, stddev, 1e-5);
  ASSERT_EQ(h.bins.size(), 10u);
  uint64_t total = 0;
  for (uint32_t n : h.bins) total += n;
  EXPECT_EQ(total, 200u);
}

TEST(TensorHistogram, LargeStoredConstantIsSampledAndLargeChainIsNotDecoded) {
  IrBuilder b("CoreML7");
  std::vector<float> v(10000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  ir::ValueId c = b.constant("big", floats(v, {100, 100}));
  ir::ValueId w = int8_weight(b, "w", {8, 100});
  const TensorHistogram h = value_histogram(b.f, c, {.bins = 4, .max_samples = 1000});
  ASSERT_TRUE(h.ok()) << h.error;
  EXPECT_EQ(h.stride, 10u);  // 10000 elements, at most 1000 read
  EXPECT_EQ(h.used, 1000u);
  EXPECT_EQ(h.min, 0);
  EXPECT_EQ(h.max, 9990);
  EXPECT_EQ(h.dtype, "fp32");
  const TensorHistogram big = value_histogram(b.f, w, {.bins = 4, .max_samples = 1000, .max_decode = 500});
  EXPECT_FALSE(big.ok());
  EXPECT_NE(big.error.find("800 elements"), std::string::npos) << big.error;
}
