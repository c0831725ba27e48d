// Quantization lineage on the corpus: seed program counts, every corpus-gen model against what its
// meta.json says was applied, and a verdict for every real-world model.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>

#include "core/analysis/lineage.h"
#include "core/format/open.h"
#include "support/test_paths.h"

using namespace mlscope;
using namespace mlscope::analysis;
namespace fs = std::filesystem;

namespace {

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

fs::path gen_model(const std::string& name) {
  auto j = read_json(test::shared_dir() / "corpus-gen" / name / "meta.json");
  return test::shared_dir() / "corpus-gen" / name / j["model_file"].get<std::string>();
}

std::map<std::string, int64_t> json_counts(const nlohmann::json& j) {
  std::map<std::string, int64_t> m;
  for (auto& [k, v] : j.items()) m[k] = v.get<int64_t>();
  return m;
}

}  // namespace

// Seed 000 reports for its Mac-made W8A8 file: 11 quantize, 11 dequantize, 6 weight ops, 11 real ops
// consuming dequantized values (5 conv, 5 silu, 1 linear), 0 consuming quantized values.
TEST(QuantCorpus, SeedProgramCt9MatchesSeedCounts) {
  MLSCOPE_REQUIRE_SHARED();
  ir::Model m = format::open(gen_model("amplified_conv_tie_w8a8_ct9").string());
  QuantReport r = analyze_quantization(m);
  EXPECT_EQ(r.activation_quantize_ops, 11);
  EXPECT_EQ(r.activation_dequantize_ops, 11);
  EXPECT_EQ(r.weight_compression_ops, 6);
  EXPECT_EQ(r.real_ops_consuming_dequantized, (std::map<std::string, int64_t>{{"conv", 5}, {"silu", 5}, {"linear", 1}}));
  EXPECT_TRUE(r.real_ops_consuming_quantized.empty());
  EXPECT_EQ(r.verdict.kind, "W8A8");
  // Same wiring as meta.json's quant_structure (counted by the corpus generator with coremltools).
  auto qs = read_json(test::shared_dir() / "corpus-gen/amplified_conv_tie_w8a8_ct9/meta.json")["quant_structure"];
  EXPECT_EQ(r.real_ops_consuming_dequantized, json_counts(qs["real_ops_consuming_dequantized_by_type"]));
  std::vector<std::string> expected_names;
  for (auto& e : qs["real_ops_consuming_dequantized"]) expected_names.push_back(e["name"]);
  auto got = r.real_ops_by_lineage["dequantized_activation"];
  std::sort(got.begin(), got.end());
  std::sort(expected_names.begin(), expected_names.end());
  EXPECT_EQ(got, expected_names);

  int weights = 0, acts = 0;
  for (const auto& t : r.tensors) {
    if (t.kind == "weight") {
      ++weights;
      EXPECT_EQ(t.scheme, "affine") << t.op;
      EXPECT_EQ(t.stored_dtype, "int8") << t.op;
      EXPECT_EQ(t.granularity, "per_channel") << t.op;
      EXPECT_EQ(t.axis.value_or(-1), 0) << t.op;
      EXPECT_TRUE(t.symmetric.value_or(false)) << t.op;
      EXPECT_TRUE(t.scale.present && t.scale.min > 0) << t.op;
    } else {
      ++acts;
      EXPECT_EQ(t.stored_dtype, "int8") << t.op;
      EXPECT_EQ(t.granularity, "per_tensor") << t.op;
      EXPECT_TRUE(t.symmetric.value_or(false)) << t.op;
      EXPECT_TRUE(t.scale.present && t.scale.count == 1 && t.scale.min > 0) << t.op;
    }
  }
  EXPECT_EQ(weights, 6);  // 5 conv weights + 1 linear weight
  EXPECT_EQ(acts, 11);
  EXPECT_TRUE(r.findings.empty());
}

// coremltools 8.3 does not quantize linear's input: 10 pairs, linear consumes no dequantized value.
TEST(QuantCorpus, OlderConverterW8A8HasTenPairsAndLinearNotActivationQuantized) {
  MLSCOPE_REQUIRE_SHARED();
  QuantReport r = analyze_quantization(format::open(gen_model("amplified_conv_tie_w8a8").string()));
  EXPECT_EQ(r.activation_quantize_ops, 10);
  EXPECT_EQ(r.activation_dequantize_ops, 10);
  EXPECT_EQ(r.weight_compression_ops, 6);
  EXPECT_EQ(r.real_ops_consuming_dequantized, (std::map<std::string, int64_t>{{"conv", 5}, {"silu", 5}}));
  EXPECT_TRUE(r.real_ops_consuming_quantized.empty());
  bool linear_weight_compressed = false;
  for (const auto& t : r.tensors) {
    if (t.op_type == "linear") {
      EXPECT_NE(t.kind, "activation");
      linear_weight_compressed |= t.kind == "weight" && t.input == "weight";
    }
  }
  EXPECT_TRUE(linear_weight_compressed);
  EXPECT_EQ(r.verdict.kind, "W8A8");
}

// --- every corpus-gen model vs the `quantization` text of its meta.json ---

struct MetaExpectation {
  std::string verdict;  // none / weight-only / W8A8
  std::string scheme;   // affine, blockwise, lut, sparse
  int bits = 0;         // 0 = not stated
  std::string stored_dtype;
  std::string granularity;
  std::optional<int64_t> block_size;
  std::optional<double> density;
  std::optional<bool> symmetric;
};

// Reads what meta.json says in words ("int8 linear_symmetric per-channel", "4-bit palettization",
// "int4 ... per-block (block_size=32 ...)", "n:m (2:4) ... pruning", "50% unstructured sparsity").
MetaExpectation parse_meta(const nlohmann::json& q) {
  MetaExpectation e;
  if (q.is_null()) {
    e.verdict = "none";
    return e;
  }
  const std::string w = q.value("weights", "");
  e.verdict = q.contains("activations") ? "W8A8" : "weight-only";
  std::smatch m;
  if (w.find("palettiz") != std::string::npos) e.scheme = "lut";
  else if (w.find("prun") != std::string::npos || w.find("sparse") != std::string::npos) e.scheme = "sparse";
  else if (w.find("per-block") != std::string::npos || w.find("blockwise") != std::string::npos) e.scheme = "blockwise";
  else if (w.find("linear") != std::string::npos) e.scheme = "affine";
  if (std::regex_search(w, m, std::regex(R"(\b(u?int)(\d+)\b)"))) {
    e.stored_dtype = m[1].str() + m[2].str();
    e.bits = std::stoi(m[2].str());
  } else if (std::regex_search(w, m, std::regex(R"((\d+)-bit)"))) {
    e.bits = std::stoi(m[1].str());
  }
  if (w.find("per-grouped-channel") != std::string::npos) e.granularity = "per_grouped_channel";
  else if (w.find("per-block") != std::string::npos) e.granularity = "per_block";
  else if (w.find("per-channel") != std::string::npos) e.granularity = "per_channel";
  else if (w.find("per-tensor") != std::string::npos) e.granularity = "per_tensor";
  if (std::regex_search(w, m, std::regex(R"((block|group)_size=(\d+))"))) e.block_size = std::stoll(m[2].str());
  if (std::regex_search(w, m, std::regex(R"((\d+)% unstructured)"))) e.density = 1.0 - std::stod(m[1].str()) / 100.0;
  if (std::regex_search(w, m, std::regex(R"(\((\d+):(\d+)\))"))) e.density = std::stod(m[1].str()) / std::stod(m[2].str());
  if (w.find("linear_symmetric") != std::string::npos) e.symmetric = true;
  if (w.find("asymmetric") != std::string::npos) e.symmetric = false;
  return e;
}

class QuantCorpusGen : public ::testing::TestWithParam<test::CorpusCase> {};

TEST_P(QuantCorpusGen, MatchesMetaJsonQuantization) {
  const auto& c = GetParam();
  auto meta = read_json(c.dir / "meta.json");
  MetaExpectation e = parse_meta(meta["quantization"]);
  QuantReport r = analyze_quantization(format::open(c.model.string()));
  EXPECT_EQ(r.verdict.kind, e.verdict) << r.verdict.text();
  EXPECT_TRUE(r.findings.empty()) << r.findings.front().op << ": " << r.findings.front().message;
  if (e.verdict == "none") {
    EXPECT_TRUE(r.tensors.empty());
    return;
  }
  int weights = 0;
  for (const auto& t : r.tensors) {
    if (t.kind != "weight") continue;
    ++weights;
    EXPECT_EQ(t.scheme, e.scheme) << t.op;
    if (e.bits) EXPECT_EQ(t.bits, e.bits) << t.op;
    if (!e.stored_dtype.empty()) EXPECT_EQ(t.stored_dtype, e.stored_dtype) << t.op;
    if (!e.granularity.empty()) EXPECT_EQ(t.granularity, e.granularity) << t.op;
    if (e.block_size) EXPECT_EQ(t.block_size.value_or(-1), *e.block_size) << t.op;
    if (e.symmetric) EXPECT_EQ(t.symmetric.value_or(!*e.symmetric), *e.symmetric) << t.op;
    if (e.density) {
      ASSERT_TRUE(t.density.has_value()) << t.op;
      EXPECT_NEAR(*t.density, *e.density, 0.02) << t.op;
    }
    if (t.scheme == "lut") EXPECT_EQ(t.lut_size, int64_t{1} << t.bits) << t.op;
    if (t.scheme == "affine" || t.scheme == "blockwise") EXPECT_TRUE(t.scale.present) << t.op;
    ASSERT_TRUE(t.compression_vs_fp16.has_value()) << t.op;
    if (t.scheme != "sparse") EXPECT_GT(*t.compression_vs_fp16, 1.0) << t.op;
  }
  EXPECT_GT(weights, 0);
  EXPECT_EQ(r.weight_compression_ops > 0, true);
}

std::vector<test::CorpusCase> gen_cases() {
  std::vector<test::CorpusCase> out;
  for (auto& c : test::corpus_cases())
    if (c.name.rfind("corpus-gen/", 0) == 0) out.push_back(c);
  return out;
}

std::vector<test::CorpusCase> real_cases() {
  std::vector<test::CorpusCase> out;
  for (auto& c : test::corpus_cases())
    if (c.name.rfind("corpus/", 0) == 0) out.push_back(c);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Models, QuantCorpusGen, ::testing::ValuesIn(gen_cases()),
                         [](const auto& i) { return test::case_test_name(i.param.name); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(QuantCorpusGen);

class QuantCorpusReal : public ::testing::TestWithParam<test::CorpusCase> {};

TEST_P(QuantCorpusReal, GetsAVerdictWithoutError) {
  const auto& c = GetParam();
  ir::Model m = format::open(c.model.string());
  QuantReport r;
  ASSERT_NO_THROW(r = analyze_quantization(m));
  const std::set<std::string> kinds = {"none", "weight-only", "W8A8", "mixed"};
  EXPECT_TRUE(kinds.count(r.verdict.kind)) << r.verdict.kind;
  // Models named for their compression must not come out as "none".
  if (c.name.find("int8") != std::string::npos || c.name.find("palette") != std::string::npos)
    EXPECT_NE(r.verdict.kind, "none") << c.name;
}

INSTANTIATE_TEST_SUITE_P(Models, QuantCorpusReal, ::testing::ValuesIn(real_cases()),
                         [](const auto& i) { return test::case_test_name(i.param.name); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(QuantCorpusReal);
