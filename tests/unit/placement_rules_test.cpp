// Pinned verdict + reason for at least one op per placement rule, on IR built in code.
#include <gtest/gtest.h>

#include "core/analysis/cost.h"
#include "core/analysis/placement_estimator.h"
#include "core/util/error.h"
#include "placement_ir_builder.h"

namespace mlscope {
namespace {

using analysis::Device;
using analysis::DeviceSet;
using analysis::OpPlacement;
using ir::Constant;
using ir::DType;
using ir::Shape;
using ir::Type;
using test::fp16;
using test::fp32;
using test::PlacementIr;

const OpPlacement& op_named(const analysis::Placement& p, const std::string& name) {
  for (const auto& op : p.ops)
    if (op.name == name) return op;
  throw std::runtime_error("no op " + name);
}

TEST(PlacementRules, Fp16ActivationOpIsNeuralEngineEligible) {
  PlacementIr b;
  auto x = b.input("x", fp16({1, 16}));
  b.op("relu", "r", {{"x", x}}, fp16({1, 16}));
  auto p = analysis::estimate_placement(b.done());
  const auto& r = op_named(p, "r");
  EXPECT_EQ(p.source, analysis::PlacementSource::Estimated);
  EXPECT_EQ(r.rule, "ne-eligible");
  EXPECT_EQ(r.preferred, Device::NeuralEngine);
  EXPECT_EQ(r.supported, (DeviceSet{Device::CPU, Device::GPU, Device::NeuralEngine}));
}

TEST(PlacementRules, ConstHasNoDevice) {
  PlacementIr b;
  auto x = b.input("x", fp16({1, 4}));
  auto c = b.constant("c", Constant::from_floats({1, 2, 3, 4}, Shape{1, 4}, DType::Float16));
  b.op("add", "a", {{"x", x}, {"y", c}}, fp16({1, 4}));
  auto p = analysis::estimate_placement(b.done());
  const auto& k = op_named(p, "c");
  EXPECT_EQ(k.rule, "const");
  EXPECT_FALSE(k.preferred.has_value());
  EXPECT_TRUE(k.supported.empty());
  EXPECT_FALSE(k.cost.has_value());
  EXPECT_EQ(op_named(p, "a").rule, "ne-eligible");
}

TEST(PlacementRules, Fp32ProgramIsNotOnNeuralEngine) {
  PlacementIr b;
  auto x = b.input("x", fp32({1, 8}));
  b.op("relu", "r", {{"x", x}}, fp32({1, 8}));
  auto p = analysis::estimate_placement(b.done());
  const auto& r = op_named(p, "r");
  EXPECT_EQ(r.rule, "fp32");
  EXPECT_EQ(r.preferred, Device::GPU);
  EXPECT_FALSE(r.supported.has(Device::NeuralEngine));
  EXPECT_NE(r.reason.find("fp32 (rule 1, grade A)"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("input 'x' is tensor<fp32, [1, 8]>"), std::string::npos) << r.reason;
}

TEST(PlacementRules, Fp32ConstantPullsFp16OpOff) {
  PlacementIr b;
  auto x = b.input("x", fp16({1, 4}));
  auto c = b.constant("alpha", Constant::from_floats({0.5f}, Shape{}, DType::Float32));
  b.op("mul", "m", {{"x", x}, {"y", c}}, fp16({1, 4}));
  auto p = analysis::estimate_placement(b.done());
  const auto& m = op_named(p, "m");
  EXPECT_EQ(m.rule, "fp32");
  EXPECT_NE(m.reason.find("fp32 constant for input 'y'"), std::string::npos) << m.reason;
}

TEST(PlacementRules, Int32TensorFallsOff) {
  PlacementIr b;
  auto ids = b.input("ids", Type::tensor(DType::Int32, Shape{1, 16}));
  b.op("add", "a", {{"x", ids}, {"y", ids}}, Type::tensor(DType::Int32, Shape{1, 16}));
  auto p = analysis::estimate_placement(b.done());
  const auto& a = op_named(p, "a");
  EXPECT_EQ(a.rule, "int-tensor");
  EXPECT_EQ(a.preferred, Device::CPU);
  EXPECT_NE(a.reason.find("int-tensor (rule 2, grade A/C)"), std::string::npos) << a.reason;
  EXPECT_NE(a.reason.find("int32"), std::string::npos) << a.reason;
}

TEST(PlacementRules, Int32ConstantParametersDoNotCount) {
  // The seed program's 22 int32 consts (strides, pads, axes) do not pull their ops off the NE.
  PlacementIr b;
  auto x = b.input("x", fp16({1, 4, 8, 8}));
  auto axes = b.constant("axes", Constant::from_ints({2, 3}, Shape{2}, DType::Int32));
  b.op("reduce_mean", "m", {{"x", x}, {"axes", axes}}, fp16({1, 4, 1, 1}));
  auto p = analysis::estimate_placement(b.done());
  EXPECT_EQ(op_named(p, "m").rule, "ne-eligible");
}

TEST(PlacementRules, RankSixFallsOff) {
  PlacementIr b;
  auto x = b.input("x", fp16({1, 2, 2, 2, 2, 2}));
  b.op("relu", "r", {{"x", x}}, fp16({1, 2, 2, 2, 2, 2}));
  auto p = analysis::estimate_placement(b.done());
  const auto& r = op_named(p, "r");
  EXPECT_EQ(r.rule, "rank");
  EXPECT_NE(r.reason.find("rank 6 > 5"), std::string::npos) << r.reason;
}

TEST(PlacementRules, TwentyThousandWideAxisFallsOff) {
  PlacementIr b;
  auto x = b.input("x", fp16({1, 20000}));
  b.op("relu", "r", {{"x", x}}, fp16({1, 20000}));
  auto p = analysis::estimate_placement(b.done());
  const auto& r = op_named(p, "r");
  EXPECT_EQ(r.rule, "axis-limit");
  EXPECT_NE(r.reason.find("20000 > 16384"), std::string::npos) << r.reason;
}

TEST(PlacementRules, DynamicInputShapeFallsOff) {
  PlacementIr b;
  auto x = b.input("x", fp16({1, ir::kUnknownDim}));
  b.op("relu", "r", {{"x", x}}, fp16({1, ir::kUnknownDim}));
  auto p = analysis::estimate_placement(b.done());
  const auto& r = op_named(p, "r");
  EXPECT_EQ(r.rule, "dynamic-shape");
  EXPECT_EQ(r.preferred, Device::CPU);
  EXPECT_NE(r.reason.find("[1, ?]"), std::string::npos) << r.reason;
}

TEST(PlacementRules, RangeDimInModelDescriptionFallsOffButEnumeratedDoesNot) {
  for (bool ranged : {true, false}) {
    PlacementIr b;
    auto x = b.input("x", fp16({1, 64}));
    b.op("relu", "r", {{"x", x}}, fp16({1, 64}));
    ir::Feature f;
    f.name = "x";
    f.type.kind = ir::FeatureType::Kind::MultiArray;
    if (ranged) f.type.shape_ranges = {{1, 1}, {1, 512}};
    else f.type.enumerated_shapes = {{1, 64}, {1, 128}};
    b.model.inputs.push_back(f);
    auto p = analysis::estimate_placement(b.done());
    EXPECT_EQ(op_named(p, "r").rule, ranged ? "dynamic-shape" : "ne-eligible");
  }
}

TEST(PlacementRules, CustomLayerRunsOnCpu) {
  PlacementIr b(ir::Dialect::NeuralNetwork);
  auto x = b.input("x", fp32({1, 3}));
  b.op("custom", "lstsq", {{"x", x}}, fp32({1, 3}));
  auto p = analysis::estimate_placement(b.done());
  const auto& c = op_named(p, "lstsq");
  EXPECT_EQ(c.type, "nn.custom");
  EXPECT_EQ(c.rule, "custom-layer");
  EXPECT_EQ(c.preferred, Device::CPU);
  EXPECT_NE(c.reason.find("custom-layer (rule 6"), std::string::npos) << c.reason;
}

TEST(PlacementRules, LstmRunsOnCpu) {
  PlacementIr b;
  auto x = b.input("x", fp16({4, 1, 8}));
  b.op("lstm", "rnn0", {{"x", x}}, fp16({4, 1, 16}));
  auto p = analysis::estimate_placement(b.done());
  const auto& l = op_named(p, "rnn0");
  EXPECT_EQ(l.rule, "recurrent");
  EXPECT_EQ(l.preferred, Device::CPU);
  EXPECT_NE(l.reason.find("recurrent op 'lstm'"), std::string::npos) << l.reason;
}

TEST(PlacementRules, OverOneGigabyteOfWeightsMovesEveryOpOff) {
  PlacementIr b;
  auto x = b.input("x", fp16({1, 8}));
  // A blob-backed constant of 1.2 GB (record only; the estimator counts record sizes).
  Constant big;
  big.type = fp16({600'000'000});
  big.blob = ir::BlobRef{nullptr, ir::BlobRecord{64, 1, 1'200'000'000ull, 128, 0}};
  auto w = b.constant("w", std::move(big));
  b.op("add", "a", {{"x", x}, {"y", w}}, fp16({1, 8}));
  auto p = analysis::estimate_placement(b.done());
  EXPECT_EQ(p.weight_bytes, 1'200'000'000ull);
  const auto& a = op_named(p, "a");
  EXPECT_EQ(a.rule, "model-weights");
  EXPECT_EQ(a.preferred, Device::GPU);
  EXPECT_NE(a.reason.find("model weights 1200.0 MB > 1000.0 MB"), std::string::npos) << a.reason;
  ASSERT_EQ(p.findings.size(), 1u);
  EXPECT_EQ(p.findings[0].severity, "limit");
  EXPECT_EQ(op_named(p, "w").rule, "const");  // constants still have no device
}

TEST(PlacementRules, ShardWarningDoesNotMoveOps) {
  PlacementIr b;
  auto x = b.input("x", fp16({1, 8}));
  Constant big;
  big.type = fp16({150'000'000});
  big.blob = ir::BlobRef{nullptr, ir::BlobRecord{64, 1, 300'000'000ull, 128, 0}};
  auto w = b.constant("w", std::move(big));
  b.op("add", "a", {{"x", x}, {"y", w}}, fp16({1, 8}));
  auto p = analysis::estimate_placement(b.done());
  EXPECT_EQ(op_named(p, "a").rule, "ne-eligible");
  ASSERT_EQ(p.findings.size(), 1u);
  EXPECT_EQ(p.findings[0].rule, "shard-size");
  EXPECT_EQ(p.findings[0].severity, "warning");
  // Configurable: raising the threshold silences it.
  analysis::PlacementThresholds t;
  t.set("shard-warn-bytes", "400000000");
  EXPECT_TRUE(analysis::estimate_placement(b.done(), t).findings.empty());
}

TEST(PlacementRules, OverTwoGibibytesIsAnError) {
  PlacementIr b;
  auto x = b.input("x", fp16({1, 8}));
  Constant big;
  big.type = fp16({1'200'000'000});
  big.blob = ir::BlobRef{nullptr, ir::BlobRecord{64, 1, 2'400'000'000ull, 128, 0}};
  auto w = b.constant("w", std::move(big));
  b.op("add", "a", {{"x", x}, {"y", w}}, fp16({1, 8}));
  auto p = analysis::estimate_placement(b.done());
  EXPECT_EQ(op_named(p, "a").rule, "weight-file-max");
  ASSERT_EQ(p.findings.size(), 1u);
  EXPECT_EQ(p.findings[0].severity, "error");
}

TEST(PlacementRules, SmallMatmulPrefersCpuButNeuralEngineSupportsIt) {
  PlacementIr b;
  auto x = b.input("x", fp16({4, 4}));
  auto y = b.input("y", fp16({4, 4}));
  b.op("matmul", "mm", {{"x", x}, {"y", y}}, fp16({4, 4}));
  auto p = analysis::estimate_placement(b.done());
  const auto& mm = op_named(p, "mm");
  EXPECT_EQ(mm.rule, "tiny-op");
  EXPECT_EQ(mm.preferred, Device::CPU);
  EXPECT_TRUE(mm.supported.has(Device::NeuralEngine));
  EXPECT_NE(mm.reason.find("k = 4 < 4992"), std::string::npos) << mm.reason;
  analysis::PlacementThresholds t;
  t.set("matmul-min-k-fp16", "4");
  EXPECT_EQ(op_named(analysis::estimate_placement(b.done(), t), "mm").rule, "ne-eligible");
}

TEST(PlacementRules, WideConvKernelFallsOff) {
  PlacementIr b;
  auto x = b.input("x", fp16({1, 4, 8, 64}));
  std::vector<float> w(4 * 4 * 1 * 17, 0.f);
  auto wc = b.constant("w", Constant::from_floats(w, Shape{4, 4, 1, 17}, DType::Float16));
  b.op("conv", "c", {{"x", x}, {"weight", wc}}, fp16({1, 4, 8, 48}));
  auto p = analysis::estimate_placement(b.done());
  const auto& c = op_named(p, "c");
  EXPECT_EQ(c.rule, "kernel-limit");
  EXPECT_NE(c.reason.find("conv kernel width 17 > 15"), std::string::npos) << c.reason;
}

TEST(PlacementRules, DilatedConvAndGatherAreOffNeuralEngineKinds) {
  PlacementIr b;
  auto x = b.input("x", fp16({1, 4, 8, 8}));
  auto w = b.constant("w", Constant::from_floats(std::vector<float>(4 * 4 * 9, 0.f), Shape{4, 4, 3, 3}, DType::Float16));
  auto d = b.constant("dil", Constant::from_ints({2, 2}, Shape{2}, DType::Int32));
  b.op("conv", "c", {{"x", x}, {"weight", w}, {"dilations", d}}, fp16({1, 4, 4, 4}));
  auto p = analysis::estimate_placement(b.done());
  const auto& c = op_named(p, "c");
  EXPECT_EQ(c.rule, "op-kind");
  EXPECT_NE(c.reason.find("dilated conv (dilation 2)"), std::string::npos) << c.reason;
}

TEST(PlacementRules, SeveralRulesReportTheFirstAndListTheOthers) {
  PlacementIr b;
  auto x = b.input("x", fp32({1, 2, 2, 2, 2, 20000}));
  b.op("relu", "r", {{"x", x}}, fp32({1, 2, 2, 2, 2, 20000}));
  const auto placement = analysis::estimate_placement(b.done());  // keep it alive: r refers into it
  const auto& r = op_named(placement, "r");
  EXPECT_EQ(r.rule, "fp32");
  EXPECT_NE(r.reason.find("also rank:"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("axis-limit:"), std::string::npos) << r.reason;
}

TEST(PlacementRules, EveryRuleHasSourceAndGrade) {
  for (const auto& r : analysis::placement_rules()) {
    EXPECT_FALSE(r.source.empty()) << r.key;
    EXPECT_FALSE(r.grade.empty()) << r.key;
    EXPECT_TRUE(r.grade.find_first_not_of("ACLM/") == std::string_view::npos) << r.key << " " << r.grade;
  }
}

TEST(PlacementRules, UnknownThresholdIsAnError) {
  analysis::PlacementThresholds t;
  EXPECT_THROW(t.set("no-such-threshold", "1"), Error);
  EXPECT_THROW(t.set("max-rank", "five"), Error);
  t.set("max-rank", "6");
  EXPECT_EQ(t.max_rank, 6);
}

TEST(PlacementRules, CostIsAFractionOfTheTotal) {
  PlacementIr b;
  auto x = b.input("x", fp16({1, 64}));
  auto y = b.op("relu", "r1", {{"x", x}}, fp16({1, 64}));
  b.op("relu", "r2", {{"x", y}}, fp16({1, 64}));
  auto p = analysis::estimate_placement(b.done());
  EXPECT_DOUBLE_EQ(*op_named(p, "r1").cost, 0.5);
  EXPECT_DOUBLE_EQ(*op_named(p, "r2").cost, 0.5);
}

}  // namespace
// A 3×3 conv over 64 channels does ~600× the arithmetic of the relu after it, but the relu
// still moves its activations through memory: the shares are the cost model's roofline
// estimates (max of compute and memory time), not a MAC count.
TEST(PlacementRules, CostShareFollowsTheCostModel) {
  PlacementIr b;
  auto x = b.input("x", fp16({1, 64, 56, 56}));
  auto w = b.constant("w", Constant::from_floats(std::vector<float>(64 * 64 * 9, 0.5f), Shape{64, 64, 3, 3}, DType::Float16));
  auto y = b.op("conv", "conv1", {{"x", x}, {"weight", w}}, fp16({1, 64, 54, 54}));
  b.op("relu", "relu1", {{"x", y}}, fp16({1, 64, 54, 54}));
  ir::Model m = b.done();
  auto p = analysis::estimate_placement(m);
  const double conv = *op_named(p, "conv1").cost, relu = *op_named(p, "relu1").cost;
  EXPECT_NEAR(conv + relu, 1.0, 1e-12);
  EXPECT_GT(conv, relu);
  EXPECT_GT(relu, 0.1) << "a memory-bound op is not free";
  auto costs = analysis::analyze_cost(m);
  double total = 0;
  for (const auto& c : costs.ops) total += c.estimate_seconds;
  for (const auto& c : costs.ops) EXPECT_NEAR(*op_named(p, c.name).cost, c.estimate_seconds / total, 1e-12) << c.name;
}

}  // namespace mlscope
