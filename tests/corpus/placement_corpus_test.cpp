// Placement on the corpus: a verdict with a reason for every op of every model, the seed
// recording (real Mac measurements, transcribed) printing the seed's counts, the estimator
// agreeing with it op by op, and the `check` gate on fp32 vs fp16 programs.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "core/analysis/placement_estimator.h"
#include "core/format/open.h"
#include "core/recording/recording_files.h"
#include "core/recording/recording_json.h"
#include "core/recording/recording_match.h"
#include "core/util/error.h"
#include "support/corpus_case_print.h"
#include "support/corpus_models.h"
#include "support/test_paths.h"

namespace mlscope {
namespace {

using nlohmann::json;
using test::CorpusCase;

class PlacementCorpus : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(PlacementCorpus, EveryOpHasAVerdictAndAReason) {
  MLSCOPE_REQUIRE_SHARED();
  const auto& c = GetParam();
  const ir::Model m = format::open(c.model.string());
  const auto p = analysis::estimate_placement(m);
  int64_t expected_ops = 0;
  for (const auto& [label, fn] : analysis::plan_functions(m)) expected_ops += static_cast<int64_t>(fn->program_order().size());
  ASSERT_EQ(static_cast<int64_t>(p.ops.size()), expected_ops);
  // With one block specialization per function, the plan covers exactly the ops expected.json counts.
  std::ifstream in(c.dir / "expected.json");
  const json e = json::parse(in);
  bool single_spec = true;
  if (e.contains("block_specializations"))
    for (const auto& [fn, specs] : e["block_specializations"].items()) single_spec = single_spec && specs.size() == 1;
  if (single_spec && e.contains("op_counts") && e["submodels"].empty()) {
    int64_t n = 0;
    for (const auto& [type, count] : e["op_counts"].items()) n += count.get<int64_t>();
    EXPECT_EQ(static_cast<int64_t>(p.ops.size()), n) << "vs expected.json op_counts";
  }
  for (const auto& op : p.ops) {
    SCOPED_TRACE(op.function + "[" + std::to_string(op.index) + "] " + op.type);
    ASSERT_FALSE(op.rule.empty());
    EXPECT_EQ(op.reason.rfind(op.rule, 0), 0u) << "reason must start with the rule: " << op.reason;
    const auto& rule = analysis::placement_rule(op.rule);
    EXPECT_EQ(op.preferred, rule.preferred);
    const bool constant = op.type == "const" || op.type.rfind("constexpr_", 0) == 0;
    EXPECT_EQ(constant, !op.preferred.has_value());
    if (op.preferred) {
      EXPECT_TRUE(op.supported.has(*op.preferred));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, PlacementCorpus, ::testing::ValuesIn(test::corpus_cases_or_placeholder()),
                         [](const ::testing::TestParamInfo<CorpusCase>& i) { return test::case_test_name(i.param.name); });

// ---- the seed program and its transcribed recording ----------------------------------------

std::string seed_model() { return (test::shared_dir() / "corpus-gen/amplified_conv_tie_w8a8_ct9/model.mlpackage").string(); }
std::string seed_recording() {
  return (test::source_dir() / "assets/recordings/amplified_conv_tie_w8a8_ct9.recording.json").string();
}

int cli(const std::string& args, std::string* out) {
  out->clear();  // run_command appends
  return test::run_command(test::cli_path().string() + " " + args, out, true);
}

TEST(SeedRecording, PlanPrintsTheSeedCounts) {
  MLSCOPE_REQUIRE_SHARED();
  std::string out;
  ASSERT_EQ(cli("plan " + seed_model() + " --recording " + seed_recording() + " --json", &out), 0) << out;
  const json j = json::parse(out);
  EXPECT_EQ(j["source"], "recorded");
  ASSERT_EQ(j["ops"].size(), 110u);
  // seed 000, probe_2_plan.py: "PREFERRED DEVICE COUNTS: 74 None, 36 MLNeuralEngineComputeDevice".
  EXPECT_EQ(j["counts"]["preferred"], json({{"none", 74}, {"neural_engine", 36}}));
  // seed 000 "OP x PREFERRED DEVICE" (every NE row), and its OP TYPE COUNTS for the no-device types.
  const json seed_table = {
      {"ios17.dequantize", {{"neural_engine", 11}}}, {"ios17.quantize", {{"neural_engine", 11}}},
      {"ios16.silu", {{"neural_engine", 5}}},        {"ios17.conv", {{"neural_engine", 5}}},
      {"ios16.reduce_mean", {{"neural_engine", 1}}}, {"ios17.linear", {{"neural_engine", 1}}},
      {"ios17.mul", {{"neural_engine", 1}}},         {"ios17.reshape", {{"neural_engine", 1}}},
      {"const", {{"none", 68}}},                     {"ios16.constexpr_affine_dequantize", {{"none", 6}}}};
  EXPECT_EQ(j["counts"]["op_type_by_device"], seed_table);
  for (const auto& op : j["ops"])
    if (!op["preferred"].is_null()) {
      EXPECT_EQ(op["supported"], json({"cpu", "gpu", "neural_engine"}));
    }

  // The text form prints the same rows, probe-style.
  ASSERT_EQ(cli("plan " + seed_model() + " --recording " + seed_recording() + " --counts-only", &out), 0) << out;
  for (const char* line : {"\n74 none\n", "\n36 neural_engine\n", "\n11 ios17.dequantize neural_engine\n",
                           "\n5 ios16.silu neural_engine\n", "\n1 ios17.reshape neural_engine\n"})
    EXPECT_NE(out.find(line), std::string::npos) << line << " missing in\n" << out;
}

TEST(SeedRecording, EstimatorAgreesWithTheRecordingOnEveryOp) {
  MLSCOPE_REQUIRE_SHARED();
  const ir::Model m = format::open(seed_model());
  const auto rec = recording::placement_from_recording(recording::load_recording_file(seed_recording()), m, seed_model());
  const auto est = analysis::estimate_placement(m);
  ASSERT_EQ(rec.ops.size(), est.ops.size());
  for (size_t i = 0; i < rec.ops.size(); ++i) {
    SCOPED_TRACE(est.ops[i].function + "[" + std::to_string(est.ops[i].index) + "] " + est.ops[i].type + " " + est.ops[i].reason);
    EXPECT_EQ(rec.ops[i].function, est.ops[i].function);
    EXPECT_EQ(rec.ops[i].index, est.ops[i].index);
    EXPECT_EQ(analysis::bare_op_type(rec.ops[i].type), est.ops[i].type);
    EXPECT_EQ(rec.ops[i].preferred, est.ops[i].preferred);
    EXPECT_EQ(rec.ops[i].supported, est.ops[i].supported);
  }
}

TEST(SeedRecording, PredictionsAreTheSeedLogits) {
  MLSCOPE_REQUIRE_SHARED();
  const auto r = recording::load_recording_file(seed_recording());
  // seed-measurements.md, "Predictions": logits per compute unit, 100 runs, bit-stable.
  const std::map<std::string, std::vector<double>> seed = {{"cpu_only", {3.1015625, 3.5722656}},
                                                           {"cpu_and_gpu", {3.1015625, 3.5722656}},
                                                           {"cpu_and_ne", {4.4414062, 3.6835938}},
                                                           {"all", {4.4414062, 3.6835938}}};
  ASSERT_EQ(r.predictions.size(), 4u);
  for (const auto& p : r.predictions) {
    SCOPED_TRACE(p.compute_units);
    ASSERT_EQ(p.outputs.size(), 1u);
    const auto& y = p.outputs[0].values;
    ASSERT_EQ(y.size(), 2u);
    EXPECT_NEAR(y[0], seed.at(p.compute_units)[0], 1e-7);  // the document prints 8 significant digits
    EXPECT_NEAR(y[1], seed.at(p.compute_units)[1], 1e-7);
    EXPECT_EQ(p.stats.runs, 100);
    EXPECT_TRUE(p.stats.bit_stable);
    EXPECT_EQ(p.stats.worst_abs_diff, 0.0);
    // The printed margins are exact: -0.470703125 (CPU, GPU) and +0.7578125 (NE, ALL).
    EXPECT_EQ(y[0] - y[1], p.compute_units == "cpu_only" || p.compute_units == "cpu_and_gpu" ? -0.470703125 : 0.7578125);
  }
  EXPECT_NE(r.provenance.find("TRANSCRIBED"), std::string::npos);
  EXPECT_NE(r.provenance.find("inferred"), std::string::npos);
  // The input is the corpus folder's input.npy, checked by SHA-256, dtype and shape.
  EXPECT_NO_THROW(recording::verify_tensor_files(r));
}

TEST(SeedRecording, IsRejectedForAnotherModel) {
  MLSCOPE_REQUIRE_SHARED();
  // The coremltools 8.3 sibling: 10 quantize/dequantize pairs, 105 ops.
  const std::string other = (test::shared_dir() / "corpus-gen/amplified_conv_tie_w8a8/model.mlpackage").string();
  std::string out;
  EXPECT_EQ(cli("plan " + other + " --recording " + seed_recording(), &out), 2);
  EXPECT_NE(out.find("recording is of another model"), std::string::npos) << out;
}

TEST(SeedRecording, GeneratorReproducesTheFixture) {
  MLSCOPE_REQUIRE_SHARED();
  const auto out = test::scratch_dir("seed_recording_gen") / "assets/recordings/amplified_conv_tie_w8a8_ct9.recording.json";
  // Same folder depth as the checked-in file, so the relative input path comes out equal.
  std::filesystem::create_directories(out.parent_path());
  std::string log;
  const std::string cmd = "python3 " + (test::source_dir() / "tools/make_seed_recording.py").string() + " --cli " +
                          test::cli_path().string() + " --shared " + test::shared_dir().string() + " --out " + out.string();
  ASSERT_EQ(test::run_command(cmd, &log, true), 0) << log;
  std::ifstream a(out), b(seed_recording());
  json ja = json::parse(a), jb = json::parse(b);
  // The relative input path depends on where the build folder is; everything else must be equal.
  for (auto* j : {&ja, &jb})
    for (auto& p : (*j)["predictions"]) p["inputs"][0].erase("npy");
  EXPECT_EQ(ja, jb);
}

// ---- the check gate ----------------------------------------------------------------------------

TEST(PlacementCheck, Fp32ProgramsFailRequireNeAll) {
  MLSCOPE_REQUIRE_SHARED();
  int checked = 0;
  for (const auto& c : test::corpus_cases()) {
    std::ifstream in(c.dir / "meta.json");
    if (!in) continue;
    const json meta = json::parse(in);
    if (meta.value("model_type", "") != "mlProgram" || meta.value("compute_precision", "") != "FLOAT32") continue;
    SCOPED_TRACE(c.name);
    std::string out;
    EXPECT_EQ(cli("check " + c.model.string() + " --require-ne all", &out), 1) << out;
    EXPECT_NE(out.find("not on the Neural Engine"), std::string::npos) << out;
    EXPECT_NE(out.find("fp32 (rule 1, grade A)"), std::string::npos) << out;
    EXPECT_NE(out.find("-> gpu"), std::string::npos) << out;
    ++checked;
  }
  EXPECT_GE(checked, 10) << "fp32 ML programs in corpus-gen";
}

TEST(PlacementCheck, SeedProgramPassesRequireNeAll) {
  MLSCOPE_REQUIRE_SHARED();
  std::string out;
  EXPECT_EQ(cli("check " + seed_model() + " --require-ne all", &out), 0) << out;
  EXPECT_NE(out.find("passed"), std::string::npos) << out;
  EXPECT_EQ(cli("check " + seed_model() + " --require-ne all --recording " + seed_recording() + " --json", &out), 0) << out;
  const json j = json::parse(out);
  EXPECT_EQ(j["source"], "recorded");
  EXPECT_TRUE(j["passed"].get<bool>());
  EXPECT_TRUE(j["offending_ops"].empty());
}

TEST(PlacementCheck, ShardGateFailsWhenWeightsExceedIt) {
  MLSCOPE_REQUIRE_SHARED();
  std::string out;
  // The seed program holds ~0.1 MB of constants: a 0 MB gate fails, a 1 MB gate passes.
  EXPECT_EQ(cli("check " + seed_model() + " --max-shard-mb 0", &out), 1) << out;
  EXPECT_NE(out.find("shard-size (rule 9"), std::string::npos) << out;
  EXPECT_EQ(cli("check " + seed_model() + " --max-shard-mb 1", &out), 0) << out;
}

TEST(PlacementCheck, RequireNeComputeOnlyLooksAtComputeOps) {
  MLSCOPE_REQUIRE_SHARED();
  // transformer_block_fp32: gather with int32 indices and fp32 everything; `compute` lists only
  // conv/linear/matmul-class ops.
  const auto model = test::shared_dir() / "corpus-gen/transformer_block_fp32/model.mlpackage";
  std::string out;
  ASSERT_EQ(cli("check " + model.string() + " --require-ne compute --json", &out), 1) << out;
  const json j = json::parse(out);
  ASSERT_FALSE(j["offending_ops"].empty());
  for (const auto& op : j["offending_ops"]) {
    const std::string t = op["type"];
    EXPECT_TRUE(t == "linear" || t == "matmul") << t;
  }
}

TEST(PlacementCheck, BadUsageExitsTwo) {
  MLSCOPE_REQUIRE_SHARED();
  std::string out;
  EXPECT_EQ(cli("check " + seed_model() + " --require-ne most", &out), 2) << out;
  EXPECT_EQ(cli("plan " + seed_model() + " --threshold nonsense=3", &out), 2) << out;
}

}  // namespace
}  // namespace mlscope
