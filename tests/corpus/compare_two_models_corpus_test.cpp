// compare A --against B on corpus-gen: every compressed cnn_* against cnn_fp32 and the W8A8 seed
// program against its fp16 version. Op counts come from each model's expected.json (an
// independent reader), output numbers from the PyTorch references beside the models.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numeric>
#include <nlohmann/json.hpp>

#include "core/compare/divergence.h"
#include "core/compare/model_match.h"
#include "core/compare/other_model_backend.h"
#include "core/compare/two_models.h"
#include "core/compare/values.h"
#include "core/compare/weight_histograms.h"
#include "core/exec/interpreter.h"
#include "core/format/mlpackage_writer.h"
#include "core/format/open.h"
#include "core/io/npy.h"
#include "core/util/error.h"
#include "support/doc_keys.h"
#include "support/test_paths.h"

using namespace mlscope;
using namespace mlscope::compare;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path gen(const std::string& name) { return test::shared_dir() / "corpus-gen" / name; }
ir::Model open_gen(const std::string& name) { return format::open((gen(name) / "model.mlpackage").string()); }

const std::vector<std::string> kCompressedCnns = {
    "cnn_palettized_4bit",         "cnn_palettized_6bit",          "cnn_palettized_4bit_grouped_ios18",
    "cnn_int8_weights_perchannel", "cnn_int8_weights_asym_pertensor", "cnn_int4_weights_perblock32",
    "cnn_pruned_50pct",            "cnn_pruned_2of4_ios18"};

json expected(const std::string& name) {
  std::ifstream in(gen(name) / "expected.json");
  return json::parse(in);
}

bool plumbing_type(const std::string& t) {
  return t.rfind("constexpr_", 0) == 0 || t == "quantize" || t == "dequantize" || t == "cast";
}

/// From the independent reader's op counts: compute ops and plumbing ops by type.
size_t expected_compute_ops(const json& e) {
  size_t n = 0;
  for (const auto& [t, c] : e.at("op_counts").items())
    if (t != "const" && !plumbing_type(t)) n += c.get<size_t>();
  return n;
}
std::map<std::string, int64_t> expected_plumbing(const json& e) {
  std::map<std::string, int64_t> p;
  for (const auto& [t, c] : e.at("op_counts").items())
    if (plumbing_type(t)) p[t] = c.get<int64_t>();
  return p;
}

exec::RunInputs input_of(const std::string& name) { return {{"x", io::read_npy((gen(name) / "input.npy").string())}}; }

std::vector<double> scores(const exec::RunResult& r) { return flatten(r.outputs.begin()->second).values; }
std::vector<double> npy_values(const fs::path& p) { return flatten(exec::RunValue(io::read_npy(p.string()))).values; }

double norm_of_difference(const std::vector<double>& x, const std::vector<double>& y) {
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) s += (x[i] - y[i]) * (x[i] - y[i]);
  return std::sqrt(s);
}

/// A under fp32 against B under fp32, B as a backend of A.
struct TwoRuns {
  exec::RunResult a, b;
};
TwoRuns run_both(const ir::Model& a, std::shared_ptr<const ir::Model> b, std::shared_ptr<const ModelMatch> m, const exec::RunInputs& in) {
  exec::Interpreter ia(exec::NumericProfile::builtin("fp32"));
  OtherModelBackend ob(std::make_unique<exec::Interpreter>(exec::NumericProfile::builtin("fp32")), b, m, "B:fp32");
  return {ia.run(a, in, {}), ob.run(a, in, {})};
}

DivergenceReport divergence(const ir::Model& a, std::shared_ptr<const ir::Model> b, std::shared_ptr<const ModelMatch> m,
                            const exec::RunInputs& in, bool streaming = true) {
  exec::Interpreter ia(exec::NumericProfile::builtin("fp32"));
  OtherModelBackend ob(std::make_unique<exec::Interpreter>(exec::NumericProfile::builtin("fp32")), b, m, "B:fp32");
  DivergenceOptions o;
  o.streaming = streaming;
  DivergenceReport d = run_divergence(ia, ob, a, in, {}, two_model_divergence_options(o, *m));
  name_counterparts(d, *m);
  return d;
}

}  // namespace

TEST(TwoModelsCorpus, CompressedCnnsMatchEveryComputeOpAndCountTheirPlumbing) {
  MLSCOPE_REQUIRE_SHARED();
  const ir::Model a = open_gen("cnn_fp32");
  const size_t compute = expected_compute_ops(expected("cnn_fp32"));
  ASSERT_GT(compute, 10u);
  for (const auto& name : kCompressedCnns) {
    SCOPED_TRACE(name);
    const ir::Model b = open_gen(name);
    const json e = expected(name);
    ASSERT_EQ(expected_compute_ops(e), compute);
    for (MatchMode mode : {MatchMode::Auto, MatchMode::Name, MatchMode::Structure}) {
      ModelMatchOptions o;
      o.mode = mode;
      const ModelMatch m = match_models(a, b, o);
      EXPECT_EQ(m.ops.size(), compute) << match_mode_name(mode);
      EXPECT_TRUE(m.unmatched_a.empty());
      EXPECT_TRUE(m.unmatched_b.empty());
      EXPECT_EQ(m.plumbing_b, expected_plumbing(e)) << "B's compression plumbing, as expected.json counts it";
      EXPECT_TRUE(m.plumbing_a.empty());
      for (const OpPair& p : m.ops) {
        EXPECT_EQ(m.a->op(p.a).name, m.b->op(p.b).name) << "converters keep op names through compression";
        EXPECT_EQ(p.by_name, mode != MatchMode::Structure);
      }
    }
  }
}

TEST(TwoModelsCorpus, OutputDifferenceIsTheOneThePyTorchReferencesShow) {
  MLSCOPE_REQUIRE_SHARED();
  const ir::Model a = open_gen("cnn_fp32");
  for (const auto& name : kCompressedCnns) {
    SCOPED_TRACE(name);
    auto b = std::make_shared<const ir::Model>(open_gen(name));
    auto m = std::make_shared<const ModelMatch>(match_models(a, *b));
    const TwoRuns r = run_both(a, b, m, input_of(name));
    const std::vector<double> ra = npy_values(gen(name) / "ref_fp32.npy"), rb = npy_values(gen(name) / "ref_decompressed_fp32.npy");
    const std::vector<double> sa = scores(r.a), sb = scores(r.b);
    ASSERT_EQ(sa.size(), ra.size());
    ASSERT_EQ(sb.size(), rb.size());
    // Each model against its own PyTorch reference: fp32 arithmetic in a different order only.
    const double scale = norm_of_difference(ra, std::vector<double>(ra.size(), 0.0));
    EXPECT_LT(norm_of_difference(sa, ra), 1e-5 * scale);
    EXPECT_LT(norm_of_difference(sb, rb), 1e-5 * scale);
    // So B − A is the compression's effect PyTorch shows (pruned models may change nothing).
    const double effect = norm_of_difference(rb, ra), ours = norm_of_difference(sb, sa);
    EXPECT_NEAR(ours, effect, 1e-5 * scale + 1e-3 * effect);
  }
}

TEST(TwoModelsCorpus, RenamedCopyMatchesByStructureWithTheSameNumbers) {
  MLSCOPE_REQUIRE_SHARED();
  const ir::Model a = open_gen("cnn_fp32");
  ir::Model renamed = open_gen("cnn_palettized_4bit");
  ir::Function& f = renamed.functions.at(0);
  std::set<ir::ValueId> io(f.inputs.begin(), f.inputs.end());
  for (ir::ValueId v : f.outputs()) io.insert(v);
  for (size_t v = 0; v < f.values.size(); ++v)
    if (!io.count(static_cast<ir::ValueId>(v))) f.values[v].name = "renamed_" + std::to_string(v);
  for (size_t o = 0; o < f.ops.size(); ++o) f.ops[o].name = "op" + std::to_string(o);
  const fs::path dir = test::scratch_dir("two_models_renamed") / "renamed.mlpackage";
  fs::remove_all(dir);
  format::write_mlpackage(renamed, dir.string());
  auto b = std::make_shared<const ir::Model>(format::open(dir.string()));
  auto original = std::make_shared<const ir::Model>(open_gen("cnn_palettized_4bit"));

  ModelMatchOptions by_name;
  by_name.mode = MatchMode::Name;
  const ModelMatch none = match_models(a, *b, by_name);
  // Only the output's producer keeps its name (the function output is not renamed).
  EXPECT_LE(none.ops.size(), 1u);
  EXPECT_GE(none.unmatched_a.size(), 12u);
  EXPECT_EQ(none.unmatched_a.size(), none.unmatched_b.size());

  auto m = std::make_shared<const ModelMatch>(match_models(a, *b));
  auto m0 = std::make_shared<const ModelMatch>(match_models(a, *original));
  ASSERT_EQ(m->ops.size(), m0->ops.size());
  EXPECT_GE(m->by_structure, 12u);
  EXPECT_TRUE(m->unmatched_a.empty());
  EXPECT_TRUE(m->unmatched_b.empty());
  for (size_t i = 0; i < m->ops.size(); ++i) {
    EXPECT_EQ(m->ops[i].a, m0->ops[i].a);
    EXPECT_EQ(m->b->op(m->ops[i].b).type, m0->b->op(m0->ops[i].b).type) << i;
  }
  const DivergenceReport d = divergence(a, b, m, input_of("cnn_fp32")), d0 = divergence(a, original, m0, input_of("cnn_fp32"));
  ASSERT_EQ(d.ops.size(), d0.ops.size());
  for (size_t i = 0; i < d.ops.size(); ++i) {
    EXPECT_TRUE(d.ops[i].compared) << d.ops[i].name << ": " << d.ops[i].note;
    EXPECT_EQ(d.ops[i].rel_error, d0.ops[i].rel_error) << d.ops[i].name;
    EXPECT_EQ(d.ops[i].other_name.rfind("op", 0), 0u) << "B's own (renamed) op is named";
  }
}

TEST(TwoModelsCorpus, DivergenceOfTwoModelsIsTheSameStreamedOrKept) {
  MLSCOPE_REQUIRE_SHARED();
  const ir::Model a = open_gen("amplified_conv_tie_fp16");
  auto b = std::make_shared<const ir::Model>(open_gen("amplified_conv_tie_w8a8"));
  auto m = std::make_shared<const ModelMatch>(match_models(a, *b));
  const json e = expected("amplified_conv_tie_w8a8");
  EXPECT_EQ(m->ops.size(), expected_compute_ops(expected("amplified_conv_tie_fp16")));
  EXPECT_EQ(m->plumbing_b, expected_plumbing(e));
  EXPECT_TRUE(m->unmatched_a.empty() && m->unmatched_b.empty());
  const exec::RunInputs in = input_of("amplified_conv_tie_fp16");
  const DivergenceReport s = divergence(a, b, m, in, true), k = divergence(a, b, m, in, false);
  ASSERT_EQ(s.ops.size(), k.ops.size());
  for (size_t i = 0; i < s.ops.size(); ++i) {
    EXPECT_TRUE(s.ops[i].compared) << s.ops[i].name << ": " << s.ops[i].note;
    EXPECT_EQ(s.ops[i].rel_error, k.ops[i].rel_error) << s.ops[i].name;
    EXPECT_EQ(s.ops[i].cosine, k.ops[i].cosine) << s.ops[i].name;
    EXPECT_EQ(s.ops[i].added_rel_error, k.ops[i].added_rel_error) << s.ops[i].name;
  }
  // Every conv of B reads int8 weights and a quantized activation: a conv adds the most.
  ASSERT_FALSE(s.most_added.empty());
  EXPECT_EQ(s.ops[s.most_added.front()].type, "conv");
  EXPECT_GT(s.peak_live_bytes, 0u);
}

TEST(TwoModelsCorpus, DifferentInterfacesAreErrorsNamingTheMismatch) {
  MLSCOPE_REQUIRE_SHARED();
  const ir::Model cnn = open_gen("cnn_fp32"), tie = open_gen("amplified_conv_tie_fp16");
  try {
    match_models(cnn, tie);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("input 'x'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[1, 3, 64, 64]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("model.mlpackage"), std::string::npos) << msg;
  }
  ModelMatchOptions o;
  o.io_map = {{"x", "nope"}};
  try {
    match_models(cnn, open_gen("cnn_palettized_4bit"), o);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'x' of A has no counterpart in B (B's inputs: x)"), std::string::npos) << e.what();
  }
}

TEST(TwoModelsCorpus, CliReportsEveryDocumentedKeyAndExitsTwoOnMismatch) {
  MLSCOPE_REQUIRE_SHARED();
  const std::string a = (gen("cnn_fp32") / "model.mlpackage").string(), b = (gen("cnn_palettized_4bit") / "model.mlpackage").string();
  std::string out;
  const std::string input = " --input x=" + (gen("cnn_fp32") / "input.npy").string();
  ASSERT_EQ(test::run_command(test::cli_path().string() + " compare " + a + " --against " + b + input + " --json", &out), 0) << out;
  const json j = json::parse(out);
  const std::vector<std::string> missing = test::missing_documented_keys("Two models", {j}, {}, "compare.md");
  EXPECT_TRUE(missing.empty()) << "documented in docs/compare.md but not produced: " << testing::PrintToString(missing);
  EXPECT_EQ(j.at("against"), b);
  EXPECT_EQ(j.at("match").at("matched"), 13);
  EXPECT_EQ(j.at("match").at("plumbing_b").at("constexpr_lut_to_dense"), 6);
  EXPECT_EQ(j.at("first_divergent_op"), j.at("divergence").at("first_crossing").at(0));
  EXPECT_TRUE(j.at("unmatched").at("a").empty());
  EXPECT_GT(j.at("outputs").at("logits").at("cosine").get<double>(), 0.99);
  for (const auto& op : j.at("ops")) {
    EXPECT_EQ(op.at("a_op"), op.at("b_op"));
    EXPECT_TRUE(op.at("added_divergence").is_number());
  }
  std::string err;
  const std::string tie = (gen("amplified_conv_tie_fp16") / "model.mlpackage").string();
  EXPECT_EQ(test::run_command(test::cli_path().string() + " compare " + a + " --against " + tie, &err, true), 2);
  EXPECT_NE(err.find("input 'x'"), std::string::npos) << err;
  EXPECT_EQ(test::run_command(test::cli_path().string() + " compare " + a + " --against " + b + " --match fuzzy", &err, true), 2);
  EXPECT_NE(err.find("--match needs name, structure or auto"), std::string::npos) << err;
  EXPECT_EQ(test::run_command(test::cli_path().string() + " compare " + a + " --against " + b + " --backends fp32,gpu,ane", &err, true), 2);
  EXPECT_EQ(test::run_command(test::cli_path().string() + " compare " + a + " --against /nonexistent.mlpackage", &err, true), 2);
  EXPECT_NE(err.find("/nonexistent.mlpackage"), std::string::npos) << err;
}

// Two real Silero VAD conversions from the corpus, across formats: the 4-bit palettized
// .mlmodelc against the int8 .mlpackage. Every compute op pairs by name; each side's plumbing is
// what expected.json counts; the weights compare LUT codes against affine int8 codes.
TEST(TwoModelsCorpus, SileroPalettizedMlmodelcAgainstItsInt8Mlpackage) {
  MLSCOPE_REQUIRE_SHARED();
  const fs::path corpus = test::shared_dir() / "corpus";
  const fs::path pa = corpus / "silero-vad-palette4-mlmodelc", pb = corpus / "silero-vad-int8-mlpackage";
  const ir::Model a = format::open((pa / "unified_palette_4bit.mlmodelc").string());
  const ir::Model b = format::open((pb / "unified_int8.mlpackage").string());
  auto read = [](const fs::path& p) {
    std::ifstream in(p / "expected.json");
    return json::parse(in);
  };
  const json ea = read(pa), eb = read(pb);
  const ModelMatch m = match_models(a, b);
  EXPECT_EQ(m.ops.size(), expected_compute_ops(ea));
  EXPECT_EQ(m.by_name, m.ops.size());
  EXPECT_TRUE(m.unmatched_a.empty() && m.unmatched_b.empty());
  EXPECT_EQ(m.plumbing_a, expected_plumbing(ea));
  EXPECT_EQ(m.plumbing_b, expected_plumbing(eb));
  const TwoModelReport r = summarize_match(a, b, m);
  size_t lut_vs_affine = 0;
  for (const auto& w : r.weights) {
    EXPECT_TRUE(w.compared) << w.a_op << "." << w.param << ": " << w.note;
    if (w.a_scheme.rfind("lut", 0) == 0 && w.b_scheme.rfind("affine int8", 0) == 0) {
      ++lut_vs_affine;
      EXPECT_GT(w.snr_db, 5.0) << w.a_op << ": two compressions of one weight stay close";
      EXPECT_LT(w.rel_error, 0.5) << w.a_op;
    }
  }
  EXPECT_EQ(lut_vs_affine, 7u) << "one per constexpr op of each side";
}

// The Model B window's weight histograms: a 4-bit LUT leaves B's values in at most 16 bins,
// A's fp32 values fill more; the error's range is what max_abs_error says.
TEST(TwoModelsCorpus, WeightHistogramsShowTheLutsSixteenValues) {
  MLSCOPE_REQUIRE_SHARED();
  const ir::Model a = open_gen("cnn_fp32"), b = open_gen("cnn_palettized_4bit");
  const ModelMatch m = match_models(a, b);
  const TwoModelReport r = summarize_match(a, b, m);
  size_t checked = 0;
  for (const WeightDiff& w : r.weights) {
    if (w.param != "weight") continue;
    const WeightPairHistograms h =
        weight_pair_histograms(a, *m.a, m.a->find_op(w.a_op), b, *m.b, m.b->find_op(w.b_op), w.param, 48);
    ASSERT_TRUE(h.ok()) << w.a_op << ": " << h.note;
    EXPECT_EQ(h.elements, w.elements);
    auto filled = [](const std::vector<uint64_t>& v) { return std::count_if(v.begin(), v.end(), [](uint64_t c) { return c > 0; }); };
    auto total = [](const std::vector<uint64_t>& v) { return std::accumulate(v.begin(), v.end(), uint64_t{0}); };
    EXPECT_LE(filled(h.b), 16) << w.a_op;
    EXPECT_GT(filled(h.a), filled(h.b)) << w.a_op;
    EXPECT_EQ(total(h.a), h.elements);
    EXPECT_EQ(total(h.b), h.elements);
    EXPECT_EQ(total(h.error), h.elements);
    EXPECT_NEAR(std::max(std::fabs(h.error_lo), std::fabs(h.error_hi)), w.max_abs_error, 1e-6 * w.max_abs_error + 1e-12) << w.a_op;
    ++checked;
  }
  EXPECT_EQ(checked, 6u);
  const WeightPairHistograms missing = weight_pair_histograms(a, *m.a, m.a->find_op("op_18"), b, *m.b, m.b->find_op("op_18"), "nope");
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.note.find("no weight 'nope'"), std::string::npos);
}
