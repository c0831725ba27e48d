// Flip-rate sweeps, per-op divergence and the golden gate on corpus-gen models.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/compare/divergence.h"
#include "core/compare/sweep.h"
#include "core/exec/interpreter.h"
#include "core/io/npy.h"
#include "core/format/open.h"
#include "core/util/error.h"
#include "support/test_paths.h"

using namespace mlscope;
using namespace mlscope::compare;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path gen(const std::string& name) { return test::shared_dir() / "corpus-gen" / name; }

std::vector<SweepBackend> profiles(const std::vector<std::string>& names) {
  std::vector<SweepBackend> out;
  for (const auto& n : names) {
    exec::NumericProfile p = exec::NumericProfile::builtin(n);
    out.push_back({n, [p] { return std::unique_ptr<exec::Backend>(new exec::Interpreter(p)); }});
  }
  return out;
}

/// Checks every pair's flips against the per-input scores the sweep reports.
void expect_flips_consistent_with_margins(const SweepResult& r) {
  for (const auto& p : r.pairs) {
    const size_t a = std::find(r.backends.begin(), r.backends.end(), p.a) - r.backends.begin();
    const size_t b = std::find(r.backends.begin(), r.backends.end(), p.b) - r.backends.begin();
    size_t flips = 0;
    for (size_t k = 0; k < p.input_index.size(); ++k) {
      const SweepRow& row = r.rows[p.input_index[k]];
      const MarginPair mp = margin_pair(row.scores[a]);
      const double ma = margin(row.scores[a], mp), mb = margin(row.scores[b], mp);
      EXPECT_DOUBLE_EQ(p.margin_delta[k], mb - ma);
      const bool flip = row.argmax[a] != row.argmax[b];
      flips += flip;
      // b ranking a's runner-up above a's winner is a flip; with two classes it is the only kind.
      if (ma > 0 && mb < 0) {
        EXPECT_TRUE(flip) << row.label;
      }
      if (row.scores[a].size() == 2 && ma != 0 && mb != 0) {
        EXPECT_EQ(flip, (ma > 0) != (mb > 0)) << row.label;
      }
    }
    EXPECT_EQ(flips, p.flips);
    EXPECT_DOUBLE_EQ(p.flip_rate, p.inputs ? double(flips) / double(p.inputs) : 0);
  }
}

}  // namespace

TEST(CompareSweepCorpus, DeterministicWhateverTheThreadCount) {
  MLSCOPE_REQUIRE_SHARED();
  const ir::Model m = format::open((gen("cnn_fp32") / "model.mlpackage").string());
  auto backends = profiles({"fp32", "gpu-lowacc", "ane"});
  SweepInputs in = seeded_random_inputs(m, 42, 12);
  SweepOptions one, two;
  one.threads = 1;
  two.threads = 2;
  size_t progress_calls = 0;
  two.progress = [&](const Progress& p) {
    ++progress_calls;
    EXPECT_LE(p.done, p.total);
    EXPECT_EQ(p.stage, std::to_string(static_cast<int>(p.done)) + " / 12 inputs");
  };
  SweepResult r1 = run_sweep(m, backends, in, one), r2 = run_sweep(m, backends, in, two);
  EXPECT_EQ(progress_calls, 12u);
  ASSERT_EQ(r1.completed, 12u);
  ASSERT_EQ(r2.completed, 12u);
  EXPECT_EQ(r1.pairs.size(), 3u);
  for (size_t i = 0; i < 12; ++i) {
    EXPECT_EQ(r1.rows[i].scores, r2.rows[i].scores) << i;  // bitwise: the slot is the input's
    EXPECT_EQ(r1.rows[i].label, r2.rows[i].label);
  }
  for (size_t k = 0; k < r1.pairs.size(); ++k) {
    EXPECT_EQ(r1.pairs[k].flips, r2.pairs[k].flips);
    EXPECT_EQ(r1.pairs[k].margin_delta, r2.pairs[k].margin_delta);
    EXPECT_EQ(r1.pairs[k].closest_to_tie, r2.pairs[k].closest_to_tie);
  }
  expect_flips_consistent_with_margins(r2);
  const exec::RunInputs i42 = in.make(0), i43 = seeded_random_inputs(m, 43, 12).make(0);
  EXPECT_NE(std::get<exec::Tensor>(i42.at("x")).at(0), std::get<exec::Tensor>(i43.at("x")).at(0));
}

TEST(CompareSweepCorpus, CancelStopsEarlyAndKeepsFinishedRows) {
  MLSCOPE_REQUIRE_SHARED();
  const ir::Model m = format::open((gen("cnn_fp32") / "model.mlpackage").string());
  std::atomic<bool> cancel{false};
  SweepOptions o;
  o.cancel = cancel;
  o.progress = [&](const Progress& p) {
    if (p.done >= 3) cancel = true;
  };
  SweepResult r = run_sweep(m, profiles({"fp32", "fp16"}), seeded_random_inputs(m, 1, 500), o);
  EXPECT_TRUE(r.cancelled);
  EXPECT_GE(r.completed, 3u);
  EXPECT_LT(r.completed, 500u);
  EXPECT_EQ(r.pairs.at(0).inputs, r.completed);
}

TEST(CompareSweepCorpus, SeedProgramFlipsMatchTwoClassMargins) {
  MLSCOPE_REQUIRE_SHARED();
  const ir::Model m = format::open((gen("amplified_conv_tie_w8a8_ct9") / "model.mlpackage").string());
  SweepResult r = run_sweep(m, profiles({"fp16", "ane-w8a8"}), seeded_random_inputs(m, 7, 6), {});
  ASSERT_EQ(r.completed, 6u);
  EXPECT_EQ(r.output, "y");
  expect_flips_consistent_with_margins(r);
}

// Per-op divergence on an fp16 program vs fp32: every non-const op, in program order, named as
// the file names it (meta.json → non_const_op_sequence is coremltools' own listing).
TEST(CompareDivergenceCorpus, NamesOpsInProgramOrder) {
  MLSCOPE_REQUIRE_SHARED();
  const fs::path dir = gen("amplified_conv_tie_w8a8_ct9");
  const ir::Model m = format::open((dir / "model.mlpackage").string());
  exec::RunInputs in{{"x", io::read_npy((dir / "input.npy").string())}};
  exec::Interpreter fp32(exec::NumericProfile::builtin("fp32")), fp16(exec::NumericProfile::builtin("fp16"));
  DivergenceReport r = run_divergence(fp32, fp16, m, in, {}, {});
  std::ifstream f(dir / "meta.json");
  const json meta = json::parse(f);
  const json& seq = meta.at("non_const_op_sequence");
  ASSERT_EQ(r.ops.size(), seq.size());
  for (size_t i = 0; i < r.ops.size(); ++i) {
    EXPECT_EQ(r.ops[i].name, seq[i].at("name")) << i;
    EXPECT_EQ(r.ops[i].type, seq[i].at("type")) << i;
    EXPECT_TRUE(r.ops[i].compared) << r.ops[i].name << ": " << r.ops[i].note;
  }
  // fp16 rounding makes the two differ somewhere, and the first crossing is listed in order.
  EXPECT_FALSE(r.first_crossing.empty());
  for (size_t k = 1; k < r.first_crossing.size(); ++k) EXPECT_LT(r.first_crossing[k - 1], r.first_crossing[k]);
}

// On the W8A8 program, the float program with activation quantization honored (fp32) against the
// same arithmetic with quantize/dequantize passed through: every pair adds quantization noise, so
// the relative error right after each dequantize is larger than at the quantize's input.
TEST(CompareDivergenceCorpus, W8A8DivergenceJumpsAtQuantizeDequantizePairs) {
  MLSCOPE_REQUIRE_SHARED();
  const fs::path dir = gen("amplified_conv_tie_w8a8_ct9");
  const ir::Model m = format::open((dir / "model.mlpackage").string());
  exec::RunInputs in{{"x", io::read_npy((dir / "input.npy").string())}};
  exec::NumericProfile bypass = exec::NumericProfile::builtin("fp32");
  bypass.name = "fp32-no-activation-quant";
  bypass.defaults.honor_activation_quant = false;
  exec::Interpreter quant(exec::NumericProfile::builtin("fp32")), noquant(bypass);
  DivergenceReport r = run_divergence(quant, noquant, m, in, {}, {});
  const ir::Function& fn = *m.main_function();
  std::map<std::string, const OpDivergence*> by_value;
  for (const auto& op : r.ops) by_value[op.value] = &op;
  int pairs = 0;
  for (size_t i = 0; i + 1 < r.ops.size(); ++i) {
    if (r.ops[i].type != "quantize" || r.ops[i + 1].type != "dequantize") continue;
    // The value the quantize reads: its "input" argument.
    const ir::Op& q = fn.op(fn.find_op(r.ops[i].name));
    const std::string src = fn.value(q.input("input")->bindings.at(0).value).name;
    const OpDivergence& dq = r.ops[i + 1];
    const double before = by_value.count(src) ? by_value[src]->rel_error : 0.0;  // model input: identical
    EXPECT_GT(dq.rel_error, before) << "pair " << r.ops[i].name << " reads " << src;
    std::printf("  %-14s input %-22s rel %.3g -> after %-14s rel %.3g\n", r.ops[i].name.c_str(), src.c_str(), before,
                dq.name.c_str(), dq.rel_error);
    ++pairs;
  }
  EXPECT_EQ(pairs, 11);
}

TEST(CompareGoldenCorpus, PassesOnPyTorchReferenceFailsOnPerturbedAndRejectsMalformed) {
  MLSCOPE_REQUIRE_SHARED();
  const fs::path dir = gen("cnn_fp32");
  const std::string base = test::cli_path().string() + " compare " + (dir / "model.mlpackage").string() +
                           " --backends fp32 --input x=" + (dir / "input.npy").string();
  std::string out;
  EXPECT_EQ(test::run_command(base + " --golden " + (dir / "ref_fp32.npy").string() + " --min-cosine 0.9999", &out), 0) << out;
  EXPECT_NE(out.find("PASS"), std::string::npos) << out;
  // Perturbed golden, written with our own npy writer: flip the sign of every other logit.
  exec::Tensor ref = io::read_npy((dir / "ref_fp32.npy").string());
  auto v = ref.mutable_floats();
  for (size_t i = 0; i < v.size(); i += 2) v[i] = -v[i];
  const fs::path scratch = test::scratch_dir("compare_golden");
  io::write_npy((scratch / "perturbed.npy").string(), ref);
  out.clear();
  EXPECT_EQ(test::run_command(base + " --golden " + (scratch / "perturbed.npy").string() + " --min-cosine 0.9999", &out), 1) << out;
  EXPECT_NE(out.find("FAIL"), std::string::npos) << out;
  // Malformed: text where an .npy should be → exit 2 and an error naming the file.
  { std::ofstream(scratch / "bad.npy") << "not numpy"; }
  out.clear();
  EXPECT_EQ(test::run_command(base + " --golden " + (scratch / "bad.npy").string(), &out, true), 2) << out;
  EXPECT_NE(out.find("bad.npy"), std::string::npos) << out;
}

// Streaming divergence (both runs in lockstep, parked values bounded by a budget) gives exactly
// the report of the keep-everything path, even with a budget smaller than any one value.
TEST(CompareDivergenceCorpus, SmallMemoryBudgetGivesTheKeepEverythingReport) {
  MLSCOPE_REQUIRE_SHARED();
  struct Case {
    std::string model, ref, other;
  };
  for (const Case& c : {Case{"amplified_conv_tie_w8a8_ct9", "fp32", "fp16"}, Case{"cnn_fp32", "fp32", "ane"},
                        Case{"transformer_block_fp32", "fp32", "gpu-lowacc"}}) {
    const fs::path dir = gen(c.model);
    const ir::Model m = format::open((dir / "model.mlpackage").string());
    exec::RunInputs in;
    const ir::Function& fn = *m.main_function();
    for (ir::ValueId id : fn.inputs) {
      const std::string& name = fn.value(id).name;
      const fs::path one = dir / "input.npy", named = dir / ("input_" + name + ".npy");
      in[name] = io::read_npy((fs::exists(named) ? named : one).string());
    }
    exec::Interpreter a(exec::NumericProfile::builtin(c.ref)), b(exec::NumericProfile::builtin(c.other));
    DivergenceOptions keep, tiny, roomy;
    keep.streaming = false;
    tiny.memory_budget_bytes = 1;
    // Progress covers the whole pass once in either mode: it never goes back and ends at 1.
    float last = 0;
    bool went_back = false;
    exec::RunOptions watched;
    watched.progress = [&](const Progress& p) {
      went_back = went_back || p.fraction() < last;
      last = p.fraction();
    };
    const DivergenceReport rk = run_divergence(a, b, m, in, watched, keep);
    EXPECT_FLOAT_EQ(last, 1.0f) << c.model << " one run after the other";
    EXPECT_FALSE(went_back) << c.model;
    last = 0;
    const DivergenceReport rt = run_divergence(a, b, m, in, watched, tiny);
    EXPECT_FLOAT_EQ(last, 1.0f) << c.model << " in lockstep";
    EXPECT_FALSE(went_back) << c.model;
    const DivergenceReport rr = run_divergence(a, b, m, in, {}, roomy);
    for (const DivergenceReport* r : {&rt, &rr}) {
      ASSERT_EQ(r->ops.size(), rk.ops.size()) << c.model;
      for (size_t i = 0; i < rk.ops.size(); ++i) {
        const OpDivergence &x = rk.ops[i], &y = r->ops[i];
        EXPECT_EQ(x.name, y.name);
        EXPECT_EQ(x.value, y.value) << x.name;
        EXPECT_EQ(x.compared, y.compared) << x.name;
        EXPECT_EQ(x.note, y.note) << x.name;
        EXPECT_EQ(x.cosine, y.cosine) << x.name;
        EXPECT_EQ(x.max_abs_diff, y.max_abs_diff) << x.name;
        EXPECT_EQ(x.rel_error, y.rel_error) << x.name;
        EXPECT_EQ(x.crosses, y.crosses) << x.name;
      }
      EXPECT_EQ(r->first_crossing, rk.first_crossing) << c.model;
    }
    size_t compared = 0;
    for (const auto& op : rk.ops) compared += op.compared;
    EXPECT_GT(compared, rk.ops.size() / 2) << c.model;
    // A 1-byte budget parks one value at a time: never more than a run's own live buffers.
    EXPECT_GT(rt.peak_pending_bytes, 0u) << c.model;
    EXPECT_LE(rt.peak_pending_bytes, rt.peak_live_bytes) << c.model;
    // The observed runs keep their plain memory: deferred dequantize outputs (the W8A8 program's)
    // are handed over as codes, not computed.
    const uint64_t plain_peak = std::max(a.run(m, in, {}).peak_live_bytes, b.run(m, in, {}).peak_live_bytes);
    EXPECT_EQ(rr.peak_live_bytes, plain_peak) << c.model;
    std::printf("  %s: %zu ops, peak parked %llu B (budget 1 B), %llu B (64 MiB budget), run peak live %llu B\n", c.model.c_str(),
                rk.ops.size(), (unsigned long long)rt.peak_pending_bytes, (unsigned long long)rr.peak_pending_bytes,
                (unsigned long long)rt.peak_live_bytes);
  }
}

// A backend failing half-way stops its partner instead of leaving it waiting.
TEST(CompareDivergenceCorpus, AFailingRunDoesNotHangItsPartner) {
  MLSCOPE_REQUIRE_SHARED();
  struct FailsMidway : exec::Backend {
    exec::Interpreter inner{exec::NumericProfile::builtin("fp16")};
    std::string name() const override { return "fails"; }
    exec::BackendKind kind() const override { return exec::BackendKind::Emulated; }
    exec::RunResult run(const ir::Model& m, const exec::RunInputs& in, const exec::RunOptions& o) override {
      exec::RunOptions ro = o;
      auto outer = o.on_value;
      int n = 0;
      ro.on_value = [&n, outer, &m](const ir::Op& op, const std::string& v, const exec::RunValue& val) {
        if (++n == 20) throw Error(Location::at_op(m.path, op.name), "injected failure");
        if (outer) outer(op, v, val);
      };
      return inner.run(m, in, ro);
    }
  };
  const fs::path dir = gen("cnn_fp32");
  const ir::Model m = format::open((dir / "model.mlpackage").string());
  exec::RunInputs in{{"x", io::read_npy((dir / "input.npy").string())}};
  exec::Interpreter a(exec::NumericProfile::builtin("fp32"));
  FailsMidway b;
  DivergenceOptions tiny;
  tiny.memory_budget_bytes = 1;
  try {
    run_divergence(a, b, m, in, {}, tiny);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("injected failure"), std::string::npos) << e.what();
  }
}
