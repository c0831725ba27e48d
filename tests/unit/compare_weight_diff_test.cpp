// Weight diff on small programs built in code: identical weights, errors against hand
// arithmetic, what is and is not a weight, shape mismatches, a malformed chain in B, and a
// NeuralNetwork layer against an ML-program op.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "analysis_ir_builder.h"
#include "core/compare/weight_diff.h"
#include "support/ir_builders.h"

using namespace mlscope;
using namespace mlscope::compare;
using test::floats;
using test::ft;
using test::IrBuilder;
using test::ints;
using DType = ir::DType;

namespace {

ir::Model model_of(ir::Function f, const std::string& path) {
  f.rebuild_uses();
  ir::Model m;
  m.path = path;
  m.kind = "mlProgram";
  m.functions.push_back(std::move(f));
  return m;
}

ir::OpId op_named(const ir::Function& f, const std::string& name) {
  for (size_t i = 0; i < f.ops.size(); ++i)
    if (f.ops[i].name == name) return ir::OpId(i);
  return ir::kNone;
}

std::vector<WeightDiff> diff_op(const ir::Model& a, const ir::Model& b, const std::string& op) {
  const ir::Function &fa = a.functions[0], &fb = b.functions[0];
  return diff_weights(a, fa, b, fb, {{op_named(fa, op), op_named(fb, op)}});
}

const WeightDiff* find_param(const std::vector<WeightDiff>& diffs, const std::string& param) {
  for (const WeightDiff& d : diffs)
    if (d.param == param) return &d;
  return nullptr;
}

// x [1, 4] -> linear "fc" with weight `w` ([2, 4] unless given) and a const bias.
ir::Function linear_program(std::function<ir::ValueId(IrBuilder&)> weight, ir::Shape bias_shape = {2}) {
  IrBuilder b;
  const ir::ValueId x = b.input("x", ft({1, 4}));
  const ir::ValueId w = weight(b);
  const ir::ValueId bias = b.constant("fc_bias", floats(std::vector<float>(size_t(bias_shape.dims[0]), 0.25f), bias_shape));
  b.output(b.op1("linear", "fc", {{"x", x}, {"weight", w}, {"bias", bias}}, {}, ft({1, 2})));
  return b.f;
}

fixtures::Int8LinearSpec int8_spec(std::function<int64_t(int64_t, int64_t)> code) {
  fixtures::Int8LinearSpec s;
  s.rows = 2, s.in = 3, s.out = 4;
  s.activation_scale = 0.1f;
  s.weight_code = std::move(code);
  s.weight_scale = [](int64_t o) { return 0.01f * float(o + 1); };
  s.bias = [](int64_t o) { return float(o) - 1.5f; };
  return s;
}

}  // namespace

TEST(WeightDiff, IdenticalWeightsAreIdentical) {
  const auto spec = int8_spec([](int64_t o, int64_t k) { return (o * 7 + k * 3) % 11 - 5; });
  const ir::Model a = model_of(fixtures::int8_linear_program(spec), "a.mil"), b = model_of(fixtures::int8_linear_program(spec), "b.mil");
  const std::vector<WeightDiff> diffs = diff_op(a, b, "y");
  // The weight chain and the literal bias; x is dequantized from a run-time value, so it is no weight.
  ASSERT_EQ(diffs.size(), 2u);
  for (const WeightDiff& d : diffs) {
    SCOPED_TRACE(d.param);
    EXPECT_TRUE(d.compared) << d.note;
    EXPECT_TRUE(d.identical());
    EXPECT_TRUE(std::isinf(d.snr_db) && d.snr_db > 0);
    EXPECT_EQ(d.max_abs_error, 0.0);
    EXPECT_EQ(d.rel_error, 0.0);
    EXPECT_EQ(d.elements, d.param == "weight" ? 12u : 4u);
    const nlohmann::json j = weight_diff_json(d);
    EXPECT_TRUE(j["snr_db"].is_null());
    EXPECT_EQ(j["identical"], true);
    EXPECT_EQ(j["compared"], true);
  }
  const WeightDiff& w = *find_param(diffs, "weight");
  EXPECT_EQ(w.a_name, "w");
  EXPECT_EQ(w.a_scheme, "affine int8 per_channel");
  EXPECT_EQ(w.bytes_a, 12u + 4u * 4 + 4u + 4u);  // int8 codes, fp32 scales, int8 zero points, int32 axis
  EXPECT_EQ(find_param(diffs, "bias")->a_scheme, "fp32");
  const WeightTotals t = weight_totals(diffs);
  EXPECT_EQ(t.compared, 2u);
  EXPECT_EQ(t.identical, 2u);
  EXPECT_TRUE(std::isinf(t.worst_snr_db));
  EXPECT_EQ(t.worst, "");
}

TEST(WeightDiff, ErrorsOfChangedCodesMatchHandArithmetic) {
  // B moves code (o, k) by +1 where (o + k) is even: d = scale(o) at those elements.
  auto code_a = [](int64_t o, int64_t k) { return (o * 5 + k) % 9 - 4; };
  auto code_b = [&](int64_t o, int64_t k) { return code_a(o, k) + ((o + k) % 2 == 0 ? 1 : 0); };
  const auto sa = int8_spec(code_a), sb = int8_spec(code_b);
  const ir::Model a = model_of(fixtures::int8_linear_program(sa), "a.mil"), b = model_of(fixtures::int8_linear_program(sb), "b.mil");
  double aa = 0, dd = 0, max_abs = 0;
  for (int64_t o = 0; o < sa.out; ++o)
    for (int64_t k = 0; k < sa.in; ++k) {
      const double wa = double(sa.weight_scale(o) * float(code_a(o, k))), wb = double(sa.weight_scale(o) * float(code_b(o, k)));
      aa += wa * wa;
      dd += (wb - wa) * (wb - wa);
      max_abs = std::max(max_abs, std::fabs(wb - wa));
    }
  const std::vector<WeightDiff> diffs = diff_op(a, b, "y");
  const WeightDiff& w = *find_param(diffs, "weight");
  ASSERT_TRUE(w.compared) << w.note;
  EXPECT_NEAR(w.max_abs_error, max_abs, 1e-7);
  EXPECT_NEAR(w.max_abs_error, double(sa.weight_scale(3)), 1e-7);  // the largest scale moved by one code
  EXPECT_NEAR(w.rel_error, std::sqrt(dd / aa), 1e-6);
  EXPECT_NEAR(w.snr_db, 10 * std::log10(aa / dd), 1e-5);
  EXPECT_FALSE(w.identical());
  EXPECT_TRUE(find_param(diffs, "bias")->identical());
  const WeightTotals t = weight_totals(diffs);
  EXPECT_EQ(t.identical, 1u);
  EXPECT_EQ(t.worst, "y.weight");
  EXPECT_EQ(t.worst_snr_db, w.snr_db);
  EXPECT_EQ(t.bytes_a, t.bytes_b);  // same storage, other codes
}

TEST(WeightDiff, ScalarsIntegersAndRuntimeValuesAreNotWeights) {
  IrBuilder ba;
  const ir::ValueId x = ba.input("x", ft({1, 2, 4, 4}));
  const ir::ValueId w = ba.constant("w", floats(std::vector<float>(2 * 2 * 3 * 3, 0.5f), {2, 2, 3, 3}));
  const ir::ValueId strides = ba.constant("strides", ints({1, 1}, {2}, DType::Int32));
  const ir::ValueId scale = ba.constant("scale", floats({2.0f}, ir::Shape{}));
  const ir::ValueId y = ba.op1("conv", "conv", {{"x", x}, {"weight", w}, {"strides", strides}}, {}, ft({1, 2, 2, 2}));
  ba.output(ba.op1("mul", "scaled", {{"x", y}, {"y", scale}}, {}, ft({1, 2, 2, 2})));
  // B takes the conv weight as a function input: no compile-time counterpart.
  IrBuilder bb;
  const ir::ValueId xb = bb.input("x", ft({1, 2, 4, 4}));
  const ir::ValueId wb = bb.input("w", ft({2, 2, 3, 3}));
  const ir::ValueId sb = bb.constant("strides", ints({1, 1}, {2}, DType::Int32));
  bb.output(bb.op1("conv", "conv", {{"x", xb}, {"weight", wb}, {"strides", sb}}, {}, ft({1, 2, 2, 2})));
  const ir::Model a = model_of(ba.f, "a.mil"), b = model_of(bb.f, "b.mil");
  const std::vector<WeightDiff> diffs = diff_op(a, b, "conv");
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].param, "weight");
  EXPECT_FALSE(diffs[0].compared);
  EXPECT_NE(diffs[0].note.find("run time"), std::string::npos) << diffs[0].note;
  EXPECT_EQ(diffs[0].bytes_a, 36u * 4);
  EXPECT_TRUE(diff_op(a, a, "scaled").empty());  // a scalar factor is no weight
  EXPECT_EQ(weight_totals(diffs).not_compared, 1u);
  EXPECT_TRUE(weight_diff_json(diffs[0])["max_abs_error"].is_null());
}

TEST(WeightDiff, ShapeMismatchNamesBothShapes) {
  const ir::Model a = model_of(linear_program([](IrBuilder& b) { return b.constant("w", floats(std::vector<float>(8, 1.0f), {2, 4})); }), "a.mil");
  const ir::Model b = model_of(linear_program([](IrBuilder& b) { return b.constant("w", floats(std::vector<float>(8, 1.0f), {4, 2})); }, {4}), "b.mil");
  const std::vector<WeightDiff> diffs = diff_op(a, b, "fc");
  ASSERT_EQ(diffs.size(), 2u);
  for (const WeightDiff& d : diffs) {
    EXPECT_FALSE(d.compared) << d.param;
    EXPECT_EQ(d.a_scheme, "fp32");
    EXPECT_EQ(d.b_scheme, "fp32");
  }
  EXPECT_NE(find_param(diffs, "weight")->note.find("[2, 4] vs [4, 2]"), std::string::npos) << find_param(diffs, "weight")->note;
  EXPECT_NE(find_param(diffs, "bias")->note.find("[2] vs [4]"), std::string::npos) << find_param(diffs, "bias")->note;
  EXPECT_EQ(weight_totals(diffs).not_compared, 2u);
}

TEST(WeightDiff, MalformedLutInBIsANoteNotAThrow) {
  const ir::Model a = model_of(linear_program([](IrBuilder& b) { return b.constant("w", floats(std::vector<float>(8, 1.0f), {2, 4})); }), "a.mil");
  // 2-bit indices into a 2-entry table: codes 2 and 3 point past it.
  const ir::Model b = model_of(linear_program([](IrBuilder& b) {
                                 const ir::ValueId i = b.constant("idx", ints({0, 3, 1, 2, 0, 1, 1, 0}, {2, 4}, DType::UInt2));
                                 const ir::ValueId l = b.constant("lut", floats({1, 2}, {1, 1, 2, 1}));
                                 return b.op1("constexpr_lut_to_dense", "w_lut", {{"indices", i}, {"lut", l}}, {}, ft({2, 4}));
                               }),
                               "b.mil");
  std::vector<WeightDiff> diffs;
  ASSERT_NO_THROW(diffs = diff_op(a, b, "fc"));
  ASSERT_EQ(diffs.size(), 2u);
  const WeightDiff& w = *find_param(diffs, "weight");
  EXPECT_FALSE(w.compared);
  EXPECT_NE(w.note.find("outside the LUT"), std::string::npos) << w.note;
  EXPECT_NE(w.note.find("w_lut"), std::string::npos) << w.note;
  EXPECT_EQ(w.b_name, "w_lut");
  EXPECT_EQ(w.elements, 8u);
  EXPECT_TRUE(find_param(diffs, "bias")->identical());  // the rest of the op is still compared
}

TEST(WeightDiff, NeuralNetworkLayerAgainstMlProgramOp) {
  // A: NN innerProduct [out 2, in 3] with fp32 weights; B: linear whose weight differs in one element.
  const std::vector<float> w = {0.5f, -1.0f, 2.0f, 0.25f, 0.0f, -0.75f}, bias = {0.1f, -0.2f};
  IrBuilder ba;
  const ir::ValueId xa = ba.input("x", ft({1, 3}));
  ba.output(ba.op1("innerProduct", "fc", {{"input", xa}},
                   {{"inputChannels", ints({3}, ir::Shape{}, DType::Int64)}, {"outputChannels", ints({2}, ir::Shape{}, DType::Int64)},
                    {"hasBias", ints({1}, ir::Shape{}, DType::Int64)}, {"weights", floats(w, {6})}, {"bias", floats(bias, {2})}},
                   ir::Type{}));
  for (ir::Op& op : ba.f.ops) op.dialect = ir::Dialect::NeuralNetwork;
  ba.f.dialect = ir::Dialect::NeuralNetwork;
  std::vector<float> wb = w;
  wb[4] = 0.125f;
  IrBuilder bb;
  const ir::ValueId xb = bb.input("x", ft({1, 3}));
  const ir::ValueId cw = bb.constant("fc_weight", floats(wb, {2, 3}));
  const ir::ValueId cb = bb.constant("fc_bias", floats(bias, {2}));
  bb.output(bb.op1("linear", "fc", {{"x", xb}, {"weight", cw}, {"bias", cb}}, {}, ft({1, 2})));
  const ir::Model a = model_of(ba.f, "a.mlmodel"), b = model_of(bb.f, "b.mil");
  const std::vector<WeightDiff> diffs = diff_op(a, b, "fc");
  ASSERT_EQ(diffs.size(), 2u);
  const WeightDiff& dw = *find_param(diffs, "weights");
  ASSERT_TRUE(dw.compared) << dw.note;
  EXPECT_EQ(dw.a_name, "fc.weights");
  EXPECT_EQ(dw.b_name, "fc_weight");
  EXPECT_DOUBLE_EQ(dw.max_abs_error, 0.125);
  double aa = 0;
  for (float v : w) aa += double(v) * v;
  EXPECT_NEAR(dw.snr_db, 10 * std::log10(aa / (0.125 * 0.125)), 1e-9);
  EXPECT_TRUE(find_param(diffs, "bias")->identical());
  // The other way round: the ML-program weight finds the layer's "weights".
  const std::vector<WeightDiff> back = diff_op(b, a, "fc");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].param, "weight");
  EXPECT_EQ(back[0].b_name, "fc.weights");
  EXPECT_TRUE(back[0].compared) << back[0].note;
  EXPECT_DOUBLE_EQ(back[0].max_abs_error, 0.125);
}
