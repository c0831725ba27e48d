// Run comparison, drift, flip statistics, golden gate and per-op divergence on synthetic
// RunResults whose expected numbers are worked out by hand in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/compare/compare_runs.h"
#include "core/compare/divergence.h"
#include "core/compare/drift.h"
#include "core/compare/golden.h"
#include "core/compare/sweep.h"
#include "core/io/npy.h"
#include "core/util/error.h"
#include "support/ir_builders.h"
#include "support/synthetic_runs.h"
#include "support/test_paths.h"

using namespace mlscope;
using namespace mlscope::compare;

namespace {

using test::f32;
using test::run_of;

}  // namespace

// Seed 000's table: CPU_ONLY reference, CPU_AND_GPU identical, CPU_AND_NE flipped.
TEST(CompareRuns, SeedTableFromSyntheticRuns) {
  std::vector<BackendRun> runs{run_of("cpu", {{"y", f32({1, 2}, {3.1015625f, 3.5722656f})}}),
                               run_of("gpu", {{"y", f32({1, 2}, {3.1015625f, 3.5722656f})}}),
                               run_of("ne", {{"y", f32({1, 2}, {4.4414062f, 3.6835938f})}})};
  CompareOptions o;
  o.output_order = {"y"};
  Comparison c = compare_runs(runs, "cpu", o);
  ASSERT_EQ(c.backends.size(), 3u);
  EXPECT_EQ(c.reference, "cpu");
  const auto& gpu = c.find("gpu")->vs_reference.at("y");
  EXPECT_TRUE(gpu.diff.equal);
  EXPECT_EQ(gpu.margin_delta, 0);
  EXPECT_TRUE(gpu.argmax_equal);
  const auto& ne = c.find("ne")->vs_reference.at("y");
  EXPECT_FALSE(ne.argmax_equal);
  EXPECT_EQ(ne.diff.max_abs_diff, 1.33984375);
  EXPECT_EQ(ne.margin_delta, 1.228515625);
  EXPECT_EQ(ne.delta, (std::vector<double>{1.33984375, 0.111328125}));
  EXPECT_EQ(c.find("cpu")->outputs.at("y").margin, -0.470703125);
  EXPECT_EQ(c.find("ne")->outputs.at("y").margin, 0.7578125);
  EXPECT_EQ(c.find("ne")->outputs.at("y").cls.argmax, 0);
  EXPECT_THROW(compare_runs(runs, "nope", o), Error);
}

TEST(CompareRuns, EveryOutputOfMultiOutputModelsAndDictionaries) {
  exec::Dictionary p1{true, {"dog", "cat"}, {}, {0.3, 0.7}};
  exec::Dictionary p2{true, {"cat", "dog"}, {}, {0.4, 0.6}};
  std::vector<BackendRun> runs{
      run_of("a", {{"probs", p1}, {"feat", f32({2, 2}, {1, 2, 3, 4})}, {"label", exec::Tensor::from_strings({1}, {"cat"})}}),
      run_of("b", {{"probs", p2}, {"feat", f32({2, 2}, {1, 2, 3, 5})}, {"label", exec::Tensor::from_strings({1}, {"dog"})}})};
  CompareOptions o;
  o.output_order = {"label", "probs"};  // "feat" not in the description: listed after
  Comparison c = compare_runs(runs, "a", o);
  EXPECT_EQ(c.output_names, (std::vector<std::string>{"label", "probs", "feat"}));
  const auto& b = *c.find("b");
  // Keys sorted: [cat, dog] → a = [0.7, 0.3], b = [0.4, 0.6]; margin = cat − dog.
  EXPECT_EQ(b.outputs.at("probs").value.labels, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_NEAR(b.vs_reference.at("probs").margin_delta, (0.4 - 0.6) - (0.7 - 0.3), 1e-12);
  EXPECT_FALSE(b.vs_reference.at("probs").argmax_equal);
  EXPECT_DOUBLE_EQ(b.vs_reference.at("feat").diff.max_abs_diff, 1.0);
  EXPECT_FALSE(b.vs_reference.at("feat").classification);  // [2, 2] is not a score vector
  EXPECT_FALSE(b.vs_reference.at("label").diff.equal);
}

TEST(CompareRuns, MissingOutputAndShapeMismatchAreNotedNotThrown) {
  std::vector<BackendRun> runs{run_of("a", {{"y", f32({3}, {1, 2, 3})}}), run_of("b", {{"z", f32({3}, {1, 2, 3})}}),
                               run_of("c", {{"y", f32({2}, {1, 2})}})};
  Comparison c = compare_runs(runs, "a", {});
  EXPECT_FALSE(c.find("b")->vs_reference.at("y").compared);
  EXPECT_NE(c.find("b")->vs_reference.at("y").note.find("missing"), std::string::npos);
  EXPECT_FALSE(c.find("c")->vs_reference.at("y").compared);
  EXPECT_NE(c.find("c")->vs_reference.at("y").note.find("shape"), std::string::npos);
}

TEST(CompareDrift, FirstDriftingRunWorstDiffAndArgmax) {
  auto o = [](float a, float b) { return std::map<std::string, exec::RunValue>{{"y", f32({2}, {a, b})}}; };
  DriftStats s = drift_from_runs("x", {o(1, 2), o(1, 2), o(1, 2.5f), o(3, 2)});
  EXPECT_FALSE(s.bit_stable);
  EXPECT_EQ(s.repeats, 3);
  EXPECT_EQ(s.first_drifting_run, 2);
  EXPECT_DOUBLE_EQ(s.worst_abs_diff, 2.0);  // run 3: |3 − 1|
  EXPECT_TRUE(s.argmax_drift);
  DriftStats st = drift_from_runs("x", {o(1, 2), o(1, 2)});
  EXPECT_TRUE(st.bit_stable);
  EXPECT_EQ(st.first_drifting_run, -1);
  EXPECT_FALSE(st.argmax_drift);
}

TEST(CompareSweep, PairFlipHandComputed) {
  // Three inputs, backends p (ref) and q. Margins y0−y1: p = [1, −0.5, 0.1], q = [0.5, 0.5, −0.1].
  std::vector<SweepRow> rows(4);
  auto set = [](SweepRow& r, std::vector<double> p, std::vector<double> q) {
    r.done = true;
    r.label = "in";
    r.scores = {p, q};
    r.argmax = {p[0] >= p[1] ? 0 : 1, q[0] >= q[1] ? 0 : 1};
    r.gap = {std::fabs(p[0] - p[1]), std::fabs(q[0] - q[1])};
  };
  set(rows[0], {2, 1}, {1.5, 1});
  set(rows[1], {0, 0.5}, {0.5, 0});
  set(rows[2], {0.2, 0.1}, {0.1, 0.2});
  // rows[3] not done (cancelled): ignored.
  PairFlip f = pair_flip(rows, 0, 1, {"p", "q"}, 4, 2);
  EXPECT_EQ(f.inputs, 3u);
  EXPECT_EQ(f.flips, 2u);
  EXPECT_DOUBLE_EQ(f.flip_rate, 2.0 / 3.0);
  ASSERT_EQ(f.margin_delta.size(), 3u);
  EXPECT_DOUBLE_EQ(f.margin_delta[0], -0.5);
  EXPECT_DOUBLE_EQ(f.margin_delta[1], 1.0);
  EXPECT_NEAR(f.margin_delta[2], -0.2, 1e-12);
  EXPECT_DOUBLE_EQ(f.max_abs_margin_delta, 1.0);
  EXPECT_DOUBLE_EQ(f.histogram.lo, -0.5);
  EXPECT_DOUBLE_EQ(f.histogram.hi, 1.0);
  // width 0.375: bins [−0.5, −0.125) holds −0.5 and −0.2, [0.625, 1] holds 1.
  EXPECT_EQ(f.histogram.counts, (std::vector<int64_t>{2, 0, 0, 1}));
  EXPECT_EQ(f.closest_to_tie, (std::vector<size_t>{2, 0}));           // min gaps 0.1, 0.5
}

TEST(CompareGolden, WholeOutputAndPerPosition) {
  exec::RunResult run;
  // Positions along axis 1: p0 = [1, 0] vs golden [1, 0] (cos 1); p1 = [0, 1] vs [1, 1] (cos 1/√2).
  run.outputs["logits"] = f32({1, 2, 2}, {1, 0, 0, 1});
  std::map<std::string, exec::Tensor> g{{"logits", f32({1, 2, 2}, {1, 0, 1, 1})}};
  GoldenOptions per;
  per.axis = 1;
  per.min_cosine = 0.7;
  GoldenReport r = golden_gate(run, g, "g.npz", per);
  ASSERT_EQ(r.checks.size(), 1u);
  ASSERT_EQ(r.checks[0].cosines.size(), 2u);
  EXPECT_DOUBLE_EQ(r.checks[0].cosines[0], 1.0);
  EXPECT_NEAR(r.checks[0].cosines[1], 1 / std::sqrt(2.0), 1e-12);
  EXPECT_EQ(r.checks[0].worst_position, 1);
  EXPECT_TRUE(r.pass);
  per.min_cosine = 0.97;
  EXPECT_FALSE(golden_gate(run, g, "g.npz", per).pass);
  // Whole output: a·b = 2, |a| = √2, |b| = √3 → cos = 2/√6 = 0.8165.
  GoldenOptions whole;
  whole.min_cosine = 0.8;
  GoldenReport w = golden_gate(run, g, "g.npz", whole);
  EXPECT_NEAR(w.checks[0].worst_cosine, 2 / std::sqrt(6.0), 1e-12);
  EXPECT_TRUE(w.pass);
  // Wrong element count, missing output, out-of-range axis: located errors.
  EXPECT_THROW(golden_gate(run, {{"logits", f32({3}, {1, 2, 3})}}, "g.npz", whole), Error);
  EXPECT_THROW(golden_gate(run, {{"other", f32({4}, {1, 2, 3, 4})}}, "g.npz", whole), Error);
  per.axis = 5;
  EXPECT_THROW(golden_gate(run, g, "g.npz", per), Error);
}

TEST(CompareGolden, MalformedGoldenFilesGiveLocatedErrors) {
  auto dir = test::scratch_dir("compare_golden_bad");
  const auto good = (dir / "good.npy").string();
  io::write_npy(good, f32({2}, {1, 2}));
  auto bytes = io::npy_bytes(f32({2}, {1, 2}));
  {
    std::ofstream t(dir / "truncated.npy", std::ios::binary);
    t.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size() - 3));
    std::ofstream n(dir / "notnpy.npy", std::ios::binary);
    n << "this is not a numpy file";
  }
  EXPECT_EQ(load_golden(good, {"y"}).at("y").size(), 2u);
  for (const char* bad : {"truncated.npy", "notnpy.npy", "missing.npy"}) {
    try {
      load_golden((dir / bad).string(), {"y"});
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
  io::write_npz((dir / "other.npz").string(), {{"nothere", f32({1}, {1})}});
  EXPECT_THROW(load_golden((dir / "other.npz").string(), {"y"}), Error);
}

TEST(CompareDivergence, OpsInProgramOrderAndFirstCrossing) {
  // body: x → relu "r" → quantize "q" → dequantize "dq" → (const skipped) → add "out".
  ir::Function fn;
  fn.name = "main";
  const ir::BlockId body = fn.add_block(ir::kNone);
  fn.specializations.push_back({"CoreML7", body});
  const auto t = ir::Type::tensor(ir::DType::Float32, ir::Shape{2});
  auto add = [&](const std::string& type, const std::string& name, const std::string& out) {
    ir::Op op;
    op.type = type;
    op.name = name;
    op.outputs.push_back(fn.add_value(out, t, body));
    fn.add_op(body, std::move(op));
  };
  add("relu", "r", "r_out");
  add("const", "c", "c_out");
  add("quantize", "q", "q_out");
  add("dequantize", "dq", "dq_out");
  add("add", "", "out");
  exec::RunResult a, b;
  a.intermediates = {{"r_out", f32({2}, {1, 2})}, {"q_out", f32({2}, {1, 2})}, {"dq_out", f32({2}, {1, 2})}, {"out", f32({2}, {3, 4})}};
  // r equal; q slightly off (rel 0.001/√5); dq off by [0, 1] (rel 1/√5 = 0.447); out missing in b.
  b.intermediates = {{"r_out", f32({2}, {1, 2})}, {"q_out", f32({2}, {1, 2.001f})}, {"dq_out", f32({2}, {1, 3})}};
  DivergenceOptions o;
  o.max_rel_error = 0.01;
  o.min_cosine = 0.5;
  DivergenceReport r = divergence_from_results(fn, a, b, o);
  ASSERT_EQ(r.ops.size(), 4u);  // const left out
  EXPECT_EQ(r.ops[0].name, "r");
  EXPECT_EQ(r.ops[1].name, "q");
  EXPECT_EQ(r.ops[2].type, "dequantize");
  EXPECT_EQ(r.ops[3].name, "out");  // unnamed op: its output's name
  EXPECT_EQ(r.ops[0].max_abs_diff, 0);
  EXPECT_FALSE(r.ops[1].crosses);
  EXPECT_NEAR(r.ops[2].rel_error, 1 / std::sqrt(5.0), 1e-7);
  EXPECT_NEAR(r.ops[2].cosine, 7 / std::sqrt(5.0 * 10.0), 1e-7);
  EXPECT_TRUE(r.ops[2].crosses);
  EXPECT_FALSE(r.ops[3].compared);
  EXPECT_EQ(r.first_crossing, (std::vector<size_t>{2}));
}

// A function of one quantize op "q" whose output "q_out" holds n codes of `dt`.
ir::Function one_quantize_op(ir::DType dt, size_t n) { return fixtures::single_op_function("quantize", "q", "q_out", dt, n); }

// Quantized activations held one byte per value are compared in place: the same numbers as the
// float path on the same values, over a value long enough for several blocks and a ragged tail.
TEST(CompareDivergence, ByteStorageValuesMatchTheirFloatComparison) {
  const size_t n = (size_t(1) << 17) + 13;
  const ir::Function fn = one_quantize_op(ir::DType::Int8, n);
  std::vector<uint8_t> qa(n), qb(n);
  std::vector<float> fa(n), fb(n);
  double dot = 0, na = 0, nb = 0, dd = 0, mx = 0;
  for (size_t i = 0; i < n; ++i) {
    const int8_t x = int8_t(int(i * 7919 % 255) - 127), y = int8_t(i % 97 == 0 ? std::max(-128, int(x) - 3) : x);
    qa[i] = uint8_t(x);
    qb[i] = uint8_t(y);
    fa[i] = x;
    fb[i] = y;
    dot += double(x) * y;
    na += double(x) * x;
    nb += double(y) * y;
    dd += double(y - x) * (y - x);
    mx = std::max(mx, std::fabs(double(y - x)));
  }
  exec::RunResult a, b, af, bf;
  a.intermediates = {{"q_out", exec::Tensor::from_bytes(ir::DType::Int8, {int64_t(n)}, qa)}};
  b.intermediates = {{"q_out", exec::Tensor::from_bytes(ir::DType::Int8, {int64_t(n)}, qb)}};
  af.intermediates = {{"q_out", f32({int64_t(n)}, fa)}};
  bf.intermediates = {{"q_out", f32({int64_t(n)}, fb)}};
  const DivergenceReport bytes = divergence_from_results(fn, a, b, {});
  const DivergenceReport floats = divergence_from_results(fn, af, bf, {});
  ASSERT_EQ(bytes.ops.size(), 1u);
  ASSERT_TRUE(bytes.ops[0].compared);
  EXPECT_EQ(bytes.ops[0].max_abs_diff, mx);
  EXPECT_EQ(bytes.ops[0].max_abs_diff, 3.0);
  EXPECT_NEAR(bytes.ops[0].cosine, dot / std::sqrt(na * nb), 1e-12);
  EXPECT_NEAR(bytes.ops[0].rel_error, std::sqrt(dd / na), 1e-12);
  EXPECT_EQ(bytes.ops[0].cosine, floats.ops[0].cosine);  // same lanes, same blocks, same order
  EXPECT_EQ(bytes.ops[0].rel_error, floats.ops[0].rel_error);
}

TEST(CompareDivergence, Uint8CodesAtTheTopOfTheirRangeSumExactlyLikeFloats) {
  // 255 x 255 over whole 64 Ki blocks: the integer block sums must not overflow.
  const size_t n = (size_t(1) << 17) + 5;
  const ir::Function fn = one_quantize_op(ir::DType::UInt8, n);
  std::vector<uint8_t> qa(n, 255), qb(n, 255);
  std::vector<float> fa(n, 255.0f), fb(n, 255.0f);
  for (size_t i = 0; i < n; i += 1009) qb[i] = 0, fb[i] = 0.0f;
  exec::RunResult a, b, af, bf;
  a.intermediates = {{"q_out", exec::Tensor::from_bytes(ir::DType::UInt8, {int64_t(n)}, qa)}};
  b.intermediates = {{"q_out", exec::Tensor::from_bytes(ir::DType::UInt8, {int64_t(n)}, qb)}};
  af.intermediates = {{"q_out", f32({int64_t(n)}, fa)}};
  bf.intermediates = {{"q_out", f32({int64_t(n)}, fb)}};
  const DivergenceReport bytes = divergence_from_results(fn, a, b, {});
  const DivergenceReport floats = divergence_from_results(fn, af, bf, {});
  ASSERT_EQ(bytes.ops.size(), 1u);
  EXPECT_EQ(bytes.ops[0].max_abs_diff, 255.0);
  EXPECT_EQ(bytes.ops[0].cosine, floats.ops[0].cosine);
  EXPECT_EQ(bytes.ops[0].rel_error, floats.ops[0].rel_error);
  const double zeros = double((n + 1008) / 1009);
  EXPECT_NEAR(bytes.ops[0].rel_error, std::sqrt(zeros / double(n)), 1e-12);
}
