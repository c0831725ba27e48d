// The two-model op matcher on programs built in code: kinds across formats, B's plumbing skipped
// by structure, unmatched ops listed, ambiguity settled by program order, interface errors.
#include <gtest/gtest.h>

#include "core/compare/model_match.h"
#include "core/compare/op_equivalence.h"
#include "core/util/error.h"
#include "exec_ir_builder.h"

using namespace mlscope;
using namespace mlscope::compare;
using test::in;
using test::ProgramBuilder;

namespace {

ir::Type f32(ir::Shape s) { return ir::Type::tensor(ir::DType::Float32, std::move(s)); }
ir::Type i8(ir::Shape s) { return ir::Type::tensor(ir::DType::Int8, std::move(s)); }
ir::Attribute flag(const std::string& name) { return {name, std::make_shared<const ir::Constant>(ir::Constant::from_ints({1}, ir::Shape{}))}; }

// x → relu r1 → sigmoid s1, and x → relu r2 (a second consumer of x, same kind and shape).
ir::Model plain(const std::string& prefix) {
  ProgramBuilder p;
  auto x = p.input("x", f32({1, 8}));
  auto r1 = p.op("relu", prefix + "r1", {in("x", ProgramBuilder::ref(x))}, {f32({1, 8})});
  auto r2 = p.op("relu", prefix + "r2", {in("x", ProgramBuilder::ref(x))}, {f32({1, 8})});
  auto s = p.op("add", prefix + "s", {in("x", ProgramBuilder::ref(r1[0])), in("y", ProgramBuilder::ref(r2[0]))}, {f32({1, 8})});
  p.output(s[0]);
  return p.model();
}

}  // namespace

TEST(OpEquivalence, NeuralNetworkLayersTakeTheirMlProgramKind) {
  ir::Op op;
  op.type = "nn.convolution";
  EXPECT_EQ(comparable_op_kind(op), "conv");
  op.attributes.push_back(flag("isDeconvolution"));
  EXPECT_EQ(comparable_op_kind(op), "conv_transpose");
  op = {};
  op.type = "nn.activation";
  op.attributes.push_back(flag("sigmoid"));
  EXPECT_EQ(comparable_op_kind(op), "sigmoid");
  op = {};
  op.type = "nn.pooling";
  EXPECT_EQ(comparable_op_kind(op), "max_pool") << "PoolingLayerParams.type 0 (the default) is MAX";
  op.type = "nn.innerProduct";
  EXPECT_EQ(comparable_op_kind(op), "linear");
  op.type = "ios17.conv";
  EXPECT_EQ(comparable_op_kind(op), "conv");
  op.type = "nn.crop";
  EXPECT_EQ(comparable_op_kind(op), "nn.crop") << "a layer without an equivalent matches only itself";
}

TEST(ModelMatch, StructureSkipsPlumbingAndKeepsProgramOrderAmongEqualCandidates) {
  const ir::Model a = plain("");
  // B: renamed, with a quantize → dequantize pair between x and the first relu.
  ProgramBuilder p;
  auto x = p.input("x", f32({1, 8}));
  auto q = p.op("quantize", "q", {in("input", ProgramBuilder::ref(x))}, {i8({1, 8})});
  auto dq = p.op("dequantize", "dq", {in("input", ProgramBuilder::ref(q[0]))}, {f32({1, 8})});
  auto r1 = p.op("relu", "b_r1", {in("x", ProgramBuilder::ref(dq[0]))}, {f32({1, 8})});
  auto r2 = p.op("relu", "b_r2", {in("x", ProgramBuilder::ref(x))}, {f32({1, 8})});
  auto s = p.op("add", "s", {in("x", ProgramBuilder::ref(r1[0])), in("y", ProgramBuilder::ref(r2[0]))}, {f32({1, 8})});
  p.output(s[0]);
  const ir::Model b = p.model();
  const ModelMatch m = match_models(a, b);
  ASSERT_EQ(m.ops.size(), 3u);
  EXPECT_EQ(m.by_name, 1u) << "the add keeps its name";
  EXPECT_EQ(m.by_structure, 2u);
  EXPECT_EQ(m.b->op(m.ops[0].b).name, "b_r1") << "both relus read x: the first in B's order goes to A's first";
  EXPECT_EQ(m.b->op(m.ops[1].b).name, "b_r2");
  EXPECT_EQ(m.plumbing_b, (std::map<std::string, int64_t>{{"dequantize", 1}, {"quantize", 1}}));
  EXPECT_EQ(m.a_value_of_b.at("b_r1"), "r1");
  EXPECT_EQ(m.a_value_of_b.at("x"), "x");
  EXPECT_FALSE(m.a_value_of_b.count("dq")) << "plumbing values have no counterpart";
}

TEST(ModelMatch, OpsWithoutAPartnerAreListedOnBothSides) {
  const ir::Model a = plain("");
  ProgramBuilder p;
  auto x = p.input("x", f32({1, 8}));
  auto r1 = p.op("relu", "r1", {in("x", ProgramBuilder::ref(x))}, {f32({1, 8})});
  auto t = p.op("tanh", "extra", {in("x", ProgramBuilder::ref(x))}, {f32({1, 8})});
  auto s = p.op("add", "s", {in("x", ProgramBuilder::ref(r1[0])), in("y", ProgramBuilder::ref(t[0]))}, {f32({1, 8})});
  p.output(s[0]);
  const ir::Model b = p.model();  // the match points into both models
  const ModelMatch m = match_models(a, b);
  ASSERT_EQ(m.unmatched_a.size(), 1u);
  EXPECT_EQ(m.a->op(m.unmatched_a[0]).name, "r2");
  ASSERT_EQ(m.unmatched_b.size(), 1u);
  EXPECT_EQ(m.b->op(m.unmatched_b[0]).name, "extra");
  EXPECT_EQ(m.ops.size(), 2u) << "r1 and the add (its sources need not all match when the name does)";
}

TEST(ModelMatch, NameModeNeverPairsDifferentKinds) {
  const ir::Model a = plain("");
  ProgramBuilder p;
  auto x = p.input("x", f32({1, 8}));
  auto r1 = p.op("sigmoid", "r1", {in("x", ProgramBuilder::ref(x))}, {f32({1, 8})});
  auto r2 = p.op("relu", "r2", {in("x", ProgramBuilder::ref(x))}, {f32({1, 8})});
  auto s = p.op("add", "s", {in("x", ProgramBuilder::ref(r1[0])), in("y", ProgramBuilder::ref(r2[0]))}, {f32({1, 8})});
  p.output(s[0]);
  ModelMatchOptions o;
  o.mode = MatchMode::Name;
  const ir::Model b = p.model();
  const ModelMatch m = match_models(a, b, o);
  EXPECT_EQ(m.ops.size(), 2u);
  ASSERT_EQ(m.unmatched_a.size(), 1u);
  EXPECT_EQ(m.a->op(m.unmatched_a[0]).name, "r1");
}

TEST(ModelMatch, InterfaceMismatchesNameBothSides) {
  const ir::Model a = plain("");
  auto other = [](ir::Type t, const std::string& in_name) {
    ProgramBuilder p;
    auto x = p.input(in_name, t);
    auto r = p.op("relu", "s", {in("x", ProgramBuilder::ref(x))}, {t});
    p.output(r[0]);
    return p.model();
  };
  auto message = [&](const ir::Model& b, const ModelMatchOptions& o = {}) {
    try {
      match_models(a, b, o);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(other(f32({1, 4}), "x")).find("input 'x': A has tensor<fp32, [1, 8]>, B has tensor<fp32, [1, 4]>"), std::string::npos)
      << message(other(f32({1, 4}), "x"));
  EXPECT_NE(message(other(i8({1, 8}), "x")).find("input 'x'"), std::string::npos);
  EXPECT_NE(message(other(f32({1, 8}), "image")).find("'x' of A has no counterpart in B (B's inputs: image)"), std::string::npos);
  ModelMatchOptions o;
  o.io_map = {{"x", "image"}};
  const std::string mapped = message(other(f32({1, 8}), "image"), o);
  EXPECT_EQ(mapped, "no error") << "--map pairs differing names";
  // Float widths may differ (an fp16 model's I/O): compared, with a note.
  const ModelMatch m = match_models(a, other(ir::Type::tensor(ir::DType::Float16, ir::Shape{1, 8}), "x"));
  ASSERT_FALSE(m.notes.empty());
  EXPECT_NE(m.notes[0].find("compared as floats"), std::string::npos);
}

TEST(ModelMatch, NeuralNetworkLayersPairWithTheirMlProgramConversionByStructure) {
  // A: NeuralNetwork layers (blob names); B: the ML program ops a converter makes of them.
  ProgramBuilder pa;
  auto xa = pa.input("x", f32({1, 3, 8, 8}));
  auto conv = pa.op("nn.convolution", "conv1", {in("input", ProgramBuilder::ref(xa))}, {f32({1, 4, 8, 8})});
  auto act = pa.op("nn.activation", "relu1", {in("input", ProgramBuilder::ref(conv[0]))}, {f32({1, 4, 8, 8})}, {flag("ReLU")});
  auto flat = pa.op("nn.flatten", "flat", {in("input", ProgramBuilder::ref(act[0]))}, {f32({1, 256})});
  auto fc = pa.op("nn.innerProduct", "probs", {in("input", ProgramBuilder::ref(flat[0]))}, {f32({1, 10})});
  pa.output(fc[0]);
  ProgramBuilder pb;
  auto xb = pb.input("x", f32({1, 3, 8, 8}));
  auto c = pb.op("conv", "var_12", {in("x", ProgramBuilder::ref(xb))}, {f32({1, 4, 8, 8})});
  auto r = pb.op("relu", "input_3", {in("x", ProgramBuilder::ref(c[0]))}, {f32({1, 4, 8, 8})});
  auto s = pb.op("reshape", "input_5", {in("x", ProgramBuilder::ref(r[0]))}, {f32({1, 256})});
  auto l = pb.op("linear", "probs", {in("x", ProgramBuilder::ref(s[0]))}, {f32({1, 10})});
  pb.output(l[0]);
  const ir::Model a = pa.model(), b = pb.model();  // the match points into both models
  const ModelMatch m = match_models(a, b);
  ASSERT_EQ(m.ops.size(), 4u);
  EXPECT_TRUE(m.unmatched_a.empty());
  EXPECT_TRUE(m.unmatched_b.empty());
  const std::vector<std::string> b_names = {"var_12", "input_3", "input_5", "probs"};
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(m.b->op(m.ops[i].b).name, b_names[i]) << i;
  EXPECT_EQ(m.by_name, 1u) << "the output keeps its name";
  EXPECT_EQ(m.by_structure, 3u);
}
