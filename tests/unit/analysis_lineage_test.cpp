// Lineage, verdict, def-use and cost on IR built in code.
#include <gtest/gtest.h>

#include "core/analysis/cost.h"
#include "core/analysis/def_use.h"
#include "core/analysis/lineage.h"
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

ir::Model model_of(const IrBuilder& b) {
  ir::Model m;
  m.kind = "mlProgram";
  m.functions.push_back(b.f);
  return m;
}

// quantize → dequantize around x, int8 per-tensor.
ir::ValueId qdq(IrBuilder& b, ir::ValueId x, const std::string& tag, ir::Shape s, float scale) {
  ir::ValueId sc = b.constant(tag + "_scale", floats({scale}, {}, DType::Float16));
  ir::ValueId zp = b.constant(tag + "_zp", ints({0}, {}, DType::Int8));
  ir::ValueId od = b.constant(tag + "_dt", ir::Constant::from_string("int8"));
  ir::ValueId q = b.op1("quantize", "quantize_" + tag, {{"input", x}, {"scale", sc}, {"zero_point", zp}, {"output_dtype", od}},
                        {}, ft(s, DType::Int8));
  return b.op1("dequantize", "dequantize_" + tag, {{"input", q}, {"scale", sc}, {"zero_point", zp}}, {}, ft(s, DType::Float16));
}

ir::ValueId int8_weight(IrBuilder& b, const std::string& name, ir::Shape s) {
  const int64_t cout = s.dims[0];
  uint64_t n = *s.element_count();
  std::vector<int64_t> q(n);
  for (uint64_t i = 0; i < n; ++i) q[i] = static_cast<int64_t>(i % 200) - 100;
  std::vector<float> scale(static_cast<size_t>(cout));
  for (int64_t c = 0; c < cout; ++c) scale[static_cast<size_t>(c)] = 0.01f * static_cast<float>(c + 1);
  return b.op1("constexpr_affine_dequantize", name, {},
               {{"quantized_data", ints(q, s, DType::Int8)}, {"scale", floats(scale, {cout}, DType::Float16)},
                {"zero_point", ints(std::vector<int64_t>(static_cast<size_t>(cout), 0), {cout}, DType::Int8)},
                {"axis", scalar_int(0)}},
               ft(s, DType::Float16));
}

}  // namespace

TEST(Lineage, W8A8PairsAndWeightsGiveW8A8Verdict) {
  IrBuilder b("CoreML7");
  ir::ValueId x = b.input("x", ft({1, 3, 8, 8}, DType::Float16));
  ir::ValueId dx = qdq(b, x, "0", {1, 3, 8, 8}, 0.02f);
  ir::ValueId w = int8_weight(b, "w0", {4, 3, 1, 1});
  ir::ValueId c = b.op1("conv", "conv0", {{"x", dx}, {"weight", w}}, {}, ft({1, 4, 8, 8}, DType::Float16));
  ir::ValueId dc = qdq(b, c, "1", {1, 4, 8, 8}, 0.05f);
  ir::ValueId s = b.op1("silu", "silu0", {{"x", dc}}, {}, ft({1, 4, 8, 8}, DType::Float16));
  ir::ValueId qs = b.op1("quantize", "quantize_direct", {{"input", s}, {"scale", b.constant("s2", floats({0.1f}, {}, DType::Float16))},
                                                         {"output_dtype", b.constant("dt2", ir::Constant::from_string("int8"))}},
                         {}, ft({1, 4, 8, 8}, DType::Int8));
  b.output(b.op1("reshape", "reshape_q", {{"x", qs}}, {}, ft({1, 256}, DType::Int8)));

  QuantReport r = analyze_quantization(model_of(b));
  EXPECT_EQ(r.activation_quantize_ops, 3);
  EXPECT_EQ(r.activation_dequantize_ops, 2);
  EXPECT_EQ(r.weight_compression_ops, 1);
  EXPECT_EQ(r.real_ops_consuming_dequantized, (std::map<std::string, int64_t>{{"conv", 1}, {"silu", 1}}));
  EXPECT_EQ(r.real_ops_consuming_quantized, (std::map<std::string, int64_t>{{"reshape", 1}}));
  EXPECT_EQ(r.verdict.kind, "W8A8");
  int acts = 0, weights = 0;
  for (const auto& t : r.tensors) {
    if (t.kind == "activation") {
      ++acts;
      EXPECT_EQ(t.granularity, "per_tensor");
      EXPECT_EQ(t.stored_dtype, "int8");
      EXPECT_TRUE(t.symmetric.value_or(false));
    } else {
      ++weights;
      EXPECT_EQ(t.scheme, "affine");
      EXPECT_EQ(t.granularity, "per_channel");
      EXPECT_EQ(t.axis.value_or(-1), 0);
      EXPECT_NEAR(t.scale.max, 0.04, 1e-4);  // fp16(0.04)
    }
  }
  EXPECT_EQ(acts, 2);
  EXPECT_EQ(weights, 1);
}

TEST(Lineage, WeightOnlyAndNone) {
  IrBuilder b("CoreML7");
  ir::ValueId x = b.input("x", ft({1, 4}, DType::Float16));
  b.output(b.op1("linear", "fc", {{"x", x}, {"weight", int8_weight(b, "w", {2, 4})}}, {}, ft({1, 2}, DType::Float16)));
  EXPECT_EQ(analyze_quantization(model_of(b)).verdict.kind, "weight-only");

  IrBuilder n;
  ir::ValueId y = n.input("x", ft({1, 4}));
  n.output(n.op1("linear", "fc", {{"x", y}, {"weight", n.constant("w", floats(std::vector<float>(8, 1), {2, 4}))}}, {},
                 ft({1, 2})));
  QuantReport r = analyze_quantization(model_of(n));
  EXPECT_EQ(r.verdict.kind, "none");
  EXPECT_EQ(r.weight_inputs_total, 1);
  EXPECT_EQ(r.weight_inputs_compressed, 0);
}

TEST(DefUse, ProducersUsersAndLoopInputs) {
  IrBuilder b;
  ir::ValueId x = b.input("x", ft({2}));
  ir::ValueId one = b.constant("one", floats({1, 1}, {2}));
  ir::ValueId a = b.op1("add", "add0", {{"x", x}, {"y", one}}, {}, ft({2}));
  // while_loop with loop_vars = (a); the body block's input maps back to `a`.
  ir::Op loop;
  loop.type = "while_loop";
  loop.name = "loop";
  loop.inputs.push_back({"loop_vars", {ir::Binding{a, nullptr}}});
  ir::ValueId lout = b.f.add_value("loop_out", ft({2}), b.body);
  loop.outputs = {lout};
  ir::OpId lo = b.f.add_op(b.body, loop);
  ir::BlockId body = b.f.add_block(lo);
  ir::ValueId bin = b.f.add_value("v", ft({2}), body);
  b.f.blocks[static_cast<size_t>(body)].inputs.push_back(bin);
  ir::Op m;
  m.type = "mul";
  m.name = "mul_in_loop";
  m.inputs.push_back({"x", {ir::Binding{bin, nullptr}}});
  ir::ValueId mo = b.f.add_value("mul_out", ft({2}), body);
  m.outputs = {mo};
  ir::OpId mid = b.f.add_op(body, m);
  b.f.blocks[static_cast<size_t>(body)].outputs.push_back(mo);

  DefUse du(b.f);
  EXPECT_EQ(du.origin(bin), a);
  EXPECT_EQ(b.f.op(du.origin_producer(bin)).name, "add0");
  EXPECT_EQ(du.block_results(lo, 0), std::vector<ir::ValueId>{mo});
  EXPECT_EQ(du.users_of(b.producer(a)), std::vector<ir::OpId>{lo});
  std::vector<std::string> up;
  du.walk_producers(mo, [&](ir::OpId o) { up.push_back(b.f.op(o).name); return true; });
  EXPECT_EQ(up, (std::vector<std::string>{"mul_in_loop", "add0", "one"}));
  int downstream = 0;
  du.walk_users(b.producer(one), [&](ir::OpId) { ++downstream; return true; });
  EXPECT_EQ(downstream, 2);  // add0, loop
  (void)mid;
}

// The seed network (amplified_conv_tie) built in code; MACs written out by hand.
TEST(Cost, SeedNetworkMacsByHand) {
  IrBuilder b("CoreML7");
  auto zeros = [](ir::Shape s) { return floats(std::vector<float>(*s.element_count(), 0.0f), s, DType::Float16); };
  ir::ValueId x = b.input("x", ft({1, 3, 224, 224}, DType::Float16));
  auto conv = [&](const std::string& n, ir::ValueId in, int64_t cin, int64_t cout, int64_t k, bool infer_shape) {
    ir::ValueId w = b.constant(n + "_w", zeros({cout, cin, k, k}));
    ir::ValueId bias = b.constant(n + "_b", zeros({cout}));
    ir::ValueId pad = b.constant(n + "_pad", ints({k / 2, k / 2, k / 2, k / 2}, {4}, DType::Int32));
    ir::ValueId pt = b.constant(n + "_pt", ir::Constant::from_string("custom"));
    ir::Type out = infer_shape ? ir::Type::tensor(DType::Float16, ir::Shape{1, cout, ir::kUnknownDim, ir::kUnknownDim})
                               : ft({1, cout, 224, 224}, DType::Float16);
    return b.op1("conv", n, {{"x", in}, {"weight", w}, {"bias", bias}, {"pad", pad}, {"pad_type", pt}}, {}, out);
  };
  ir::ValueId h = conv("c0", x, 3, 64, 3, false);
  h = b.op1("silu", "s0", {{"x", h}}, {}, ft({1, 64, 224, 224}, DType::Float16));
  for (int i = 1; i <= 3; ++i) {
    h = conv("c" + std::to_string(i), h, 64, 64, 3, i == 2);  // c2: output shape inferred from padding
    h = b.op1("silu", "s" + std::to_string(i), {{"x", h}}, {}, ft({1, 64, 224, 224}, DType::Float16));
  }
  h = conv("c4", h, 64, 16, 1, false);
  h = b.op1("silu", "s4", {{"x", h}}, {}, ft({1, 16, 224, 224}, DType::Float16));
  h = b.op1("reduce_mean", "pool", {{"x", h}}, {}, ft({1, 16, 1, 1}, DType::Float16));
  h = b.op1("reshape", "flat", {{"x", h}}, {}, ft({1, 16}, DType::Float16));
  b.output(b.op1("linear", "fc", {{"x", h}, {"weight", b.constant("fc_w", zeros({2, 16}))}, {"bias", b.constant("fc_b", zeros({2}))}},
                 {}, ft({1, 2}, DType::Float16)));

  CostReport r = analyze_cost(model_of(b));
  const uint64_t hw = 224ull * 224ull;
  const uint64_t macs = hw * 64 * 3 * 9          // conv3x3 3→64
                        + 3 * hw * 64 * 64 * 9   // 3× conv3x3 64→64
                        + hw * 16 * 64           // conv1x1 64→16
                        + 16 * 2;                // linear 16→2
  EXPECT_EQ(r.total.macs, macs);
  EXPECT_EQ(r.total.unknown_ops, 0);
  // conv FLOPs: 2·MACs + bias adds; silu 4/elem; reduce_mean 1/input elem.
  const uint64_t flops = 2 * macs + hw * (64 * 4 + 16) + 2   // bias adds
                         + 4 * hw * (64 * 4 + 16)           // silu
                         + hw * 16;                         // reduce_mean
  EXPECT_EQ(r.total.flops, flops);
  // Weight bytes (fp16 consts): conv weights+bias and fc.
  const uint64_t wbytes = 2 * (64 * 3 * 9 + 64 + 3 * (64 * 64 * 9 + 64) + 16 * 64 + 16 + 32 + 2);
  EXPECT_EQ(r.total.weight_bytes, wbytes);
  for (const auto& c : r.ops) EXPECT_GE(c.estimate_seconds, 0.0);
  EXPECT_EQ(r.label, "estimate");
}

TEST(Cost, UnknownShapeIsMarkedNotGuessed) {
  IrBuilder b;
  ir::ValueId x = b.input("x", ir::Type::tensor(DType::Float32, ir::Shape{ir::kUnknownDim, 8}));
  ir::ValueId w = b.constant("w", floats(std::vector<float>(16, 0), {2, 8}));
  b.output(b.op1("linear", "fc", {{"x", x}, {"weight", w}}, {}, ir::Type::tensor(DType::Float32, ir::Shape{ir::kUnknownDim, 2})));
  CostReport r = analyze_cost(model_of(b));
  ASSERT_EQ(r.ops.size(), 1u);
  EXPECT_FALSE(r.ops[0].known);
  EXPECT_EQ(r.ops[0].macs, 0u);
  EXPECT_EQ(r.total.unknown_ops, 1);
}
