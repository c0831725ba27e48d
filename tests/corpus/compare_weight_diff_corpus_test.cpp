// Weight diff on the converted models: every compressed cnn_* variant against cnn_fp32, and the
// W8A8 seed against its fp16 original, ops paired by name. What each model's meta.json says was
// applied (scheme, codes, granularity, the weights coremltools skipped) is read from meta.json;
// the errors are recomputed here with a plain loop over both models' decoded weights.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "core/analysis/lineage.h"
#include "core/compare/weight_diff.h"
#include "core/format/open.h"
#include "core/weights/decompress.h"
#include "support/test_paths.h"

using namespace mlscope;
using namespace mlscope::compare;

namespace {

nlohmann::json meta_of(const std::string& name) {
  std::ifstream in(test::shared_dir() / "corpus-gen" / name / "meta.json");
  return nlohmann::json::parse(in);
}

ir::Model open_gen(const std::string& name) {
  return format::open((test::shared_dir() / "corpus-gen" / name / meta_of(name)["model_file"].get<std::string>()).string());
}

// The stand-in for the op matcher: compute ops of the same name.
std::vector<std::pair<ir::OpId, ir::OpId>> pair_by_name(const ir::Function& fa, const ir::Function& fb) {
  std::map<std::string, ir::OpId> in_b;
  for (ir::OpId o : fb.program_order())
    if (analysis::is_real_op(fb.op(o))) in_b.emplace(fb.op(o).name, o);
  std::vector<std::pair<ir::OpId, ir::OpId>> pairs;
  for (ir::OpId o : fa.program_order())
    if (auto it = in_b.find(fa.op(o).name); analysis::is_real_op(fa.op(o)) && it != in_b.end()) pairs.push_back({o, it->second});
  return pairs;
}

ir::ValueId input_value(const ir::Function& f, const std::string& op_name, const std::string& input) {
  for (const ir::Op& op : f.ops)
    if (op.name == op_name)
      if (const ir::NamedInput* in = op.input(input)) return in->bindings.at(0).value;
  return ir::kNone;
}

struct Errors {
  double max_abs = 0, rel = 0, snr = 0;
};
// The definitions of weight_diff.h, written out again.
Errors errors_of(const std::vector<float>& a, const std::vector<float>& b) {
  Errors e;
  double aa = 0, dd = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = double(b[i]) - double(a[i]);
    e.max_abs = std::max(e.max_abs, std::fabs(d));
    aa += double(a[i]) * a[i];
    dd += d * d;
  }
  e.rel = dd == 0 ? 0 : std::sqrt(dd / aa);
  e.snr = dd == 0 ? INFINITY : 10 * std::log10(aa / dd);
  return e;
}

void expect_relative(double got, double want, const std::string& what) {
  if (std::isinf(want)) {
    EXPECT_EQ(got, want) << what;
    return;
  }
  EXPECT_NEAR(got, want, 1e-6 * std::max(std::fabs(want), 1e-30)) << what;
}

// Each diff's errors against the ones recomputed from both models' decoded weights.
void expect_errors_recomputed(const ir::Function& fa, const ir::Function& fb, const WeightDiff& d) {
  const ir::ValueId va = input_value(fa, d.a_op, d.param), vb = input_value(fb, d.b_op, d.param);
  ASSERT_NE(va, ir::kNone) << d.a_op;
  ASSERT_NE(vb, ir::kNone) << d.b_op;
  const weights::DenseTensor a = weights::materialize_value(fa, va), b = weights::materialize_value(fb, vb);
  ASSERT_EQ(a.values.size(), b.values.size()) << d.a_name;
  EXPECT_EQ(d.elements, a.values.size()) << d.a_name;
  const Errors e = errors_of(a.values, b.values);
  expect_relative(d.max_abs_error, e.max_abs, d.a_name + " max_abs_error");
  expect_relative(d.rel_error, e.rel, d.a_name + " rel_error");
  expect_relative(d.snr_db, e.snr, d.a_name + " snr_db");
}

// What meta.json's description of the weight compression says the lineage should name.
struct Expected {
  std::string scheme;       // lut, affine, blockwise, sparse
  std::string codes;        // "4-bit" for LUTs, the code dtype for affine / blockwise, the nonzeros' for sparse
  std::string granularity;  // per_tensor, per_channel, per_block, per_grouped_channel ("" for sparse)
  int64_t block_size = 0;
  std::set<std::string> skipped;  // weights coremltools left as fp32 consts
};

Expected expected_from_meta(const nlohmann::json& meta) {
  const std::string w = meta["quantization"]["weights"];
  Expected e;
  std::smatch m;
  if (w.find("constexpr_lut_to_dense") != std::string::npos) e.scheme = "lut";
  else if (w.find("constexpr_affine_dequantize") != std::string::npos) e.scheme = "affine";
  else if (w.find("constexpr_blockwise_shift_scale") != std::string::npos) e.scheme = "blockwise";
  else if (w.find("constexpr_sparse_to_dense") != std::string::npos) e.scheme = "sparse";
  if (e.scheme == "lut" && std::regex_search(w, m, std::regex("(\\d+)-bit"))) e.codes = m[1].str() + "-bit";
  if ((e.scheme == "affine" || e.scheme == "blockwise") && std::regex_search(w, m, std::regex("^(u?int\\d+)"))) e.codes = m[1];
  if (e.scheme == "sparse") e.codes = meta["compute_precision"] == "FLOAT16" ? "fp16" : "fp32";  // pruning keeps the dtype
  if (e.scheme != "sparse") {
    if (w.find("per-grouped-channel") != std::string::npos) e.granularity = "per_grouped_channel";
    else if (w.find("per-block") != std::string::npos) e.granularity = "per_block";
    else if (w.find("per-channel") != std::string::npos) e.granularity = "per_channel";
    else if (w.find("per-tensor") != std::string::npos) e.granularity = "per_tensor";
  }
  if (std::regex_search(w, m, std::regex("block_size=(\\d+)"))) e.block_size = std::stoll(m[1]);
  const std::string skipped = meta.value("skipped_by_coremltools", "none");
  if (skipped.rfind("none", 0) != 0) e.skipped.insert(skipped.substr(0, skipped.find(' ')));
  return e;
}

class WeightDiffCorpus : public ::testing::TestWithParam<std::string> {};

TEST_P(WeightDiffCorpus, CompressedCnnAgainstFp32) {
  MLSCOPE_REQUIRE_SHARED();
  const std::string name = GetParam();
  const Expected want = expected_from_meta(meta_of(name));
  ASSERT_FALSE(want.scheme.empty()) << name << ": meta.json names no constexpr op";
  const ir::Model a = open_gen("cnn_fp32"), b = open_gen(name);
  const ir::Function &fa = *a.main_function(), &fb = *b.main_function();
  const std::vector<WeightDiff> diffs = diff_weights(a, fa, b, fb, pair_by_name(fa, fb));

  size_t weights = 0, identical = 0;
  std::set<std::string> seen_skipped;
  for (const WeightDiff& d : diffs) {
    SCOPED_TRACE(name + " " + d.a_op + "." + d.param);
    ASSERT_TRUE(d.compared) << d.note;
    EXPECT_EQ(d.a_scheme, "fp32");
    EXPECT_EQ(d.bytes_a, d.elements * 4);  // fp32 consts
    expect_errors_recomputed(fa, fb, d);
    if (d.identical()) ++identical;
    if (d.param == "bias") {  // stored uncompressed fp32 in both
      EXPECT_EQ(d.b_scheme, "fp32");
      EXPECT_TRUE(std::isinf(d.snr_db) && d.snr_db > 0) << d.snr_db;
      EXPECT_EQ(d.max_abs_error, 0.0);
      EXPECT_EQ(d.bytes_b, d.bytes_a);
      continue;
    }
    ASSERT_EQ(d.param, "weight");
    ++weights;
    if (want.skipped.count(d.b_name)) {  // left as an fp32 const by coremltools
      seen_skipped.insert(d.b_name);
      EXPECT_EQ(d.b_scheme, "fp32");
      EXPECT_TRUE(d.identical());
      continue;
    }
    // "<scheme> <codes> <granularity>", each as meta.json describes the compression.
    std::string gran = want.granularity;
    if (gran == "per_block") {
      // A block as long as the whole input axis is one scale per output channel.
      const ir::Shape s = fb.value(input_value(fb, d.b_op, "weight")).type.shape;
      if (s.rank() >= 2 && s.dims[1] <= want.block_size) gran = "per_channel";
    }
    std::string scheme = want.scheme;
    if (!want.codes.empty()) scheme += " " + want.codes;
    if (!gran.empty()) scheme += " " + gran;
    EXPECT_EQ(d.b_scheme, scheme);
    EXPECT_LT(d.bytes_b, d.bytes_a);
    EXPECT_FALSE(d.identical());
    EXPECT_GT(d.rel_error, 0.0);
    if (name == "cnn_palettized_4bit") {  // a 16-entry table: at most 16 distinct values
      const auto w = weights::materialize_value(fb, input_value(fb, d.b_op, "weight"));
      EXPECT_LE(std::set<float>(w.values.begin(), w.values.end()).size(), 16u);
    }
  }
  EXPECT_EQ(weights, 6u);  // 4 conv + 2 linear
  EXPECT_EQ(diffs.size(), 12u);  // and their biases
  EXPECT_EQ(seen_skipped, want.skipped);

  const WeightTotals t = weight_totals(diffs);
  EXPECT_EQ(t.compared, diffs.size());
  EXPECT_EQ(t.not_compared, 0u);
  EXPECT_EQ(t.identical, identical);
  EXPECT_EQ(t.identical, 6u + want.skipped.size());
  EXPECT_LT(t.bytes_b, t.bytes_a);
  double worst = INFINITY;
  for (const WeightDiff& d : diffs) worst = std::min(worst, d.snr_db);
  EXPECT_EQ(t.worst_snr_db, worst);
  const nlohmann::json j = weight_diff_json(diffs.front());
  EXPECT_EQ(j["a_op"], diffs.front().a_op);
}

INSTANTIATE_TEST_SUITE_P(Corpus, WeightDiffCorpus,
                         ::testing::Values("cnn_palettized_4bit", "cnn_palettized_6bit", "cnn_palettized_4bit_grouped_ios18",
                                           "cnn_int8_weights_perchannel", "cnn_int8_weights_asym_pertensor",
                                           "cnn_int4_weights_perblock32", "cnn_pruned_50pct", "cnn_pruned_2of4_ios18"),
                         [](const auto& info) { return info.param; });

// The W8A8 seed against its fp16 original: conv / linear weights are int8 per output channel in
// B, fp16 consts in A; the conv inputs B quantizes at run time are not weights.
TEST(WeightDiffCorpusW8A8, ConvWeightsAffineInt8AgainstFp16) {
  MLSCOPE_REQUIRE_SHARED();
  const ir::Model a = open_gen("amplified_conv_tie_fp16"), b = open_gen("amplified_conv_tie_w8a8");
  const ir::Function &fa = *a.main_function(), &fb = *b.main_function();
  const std::vector<WeightDiff> diffs = diff_weights(a, fa, b, fb, pair_by_name(fa, fb));
  size_t weights = 0;
  for (const WeightDiff& d : diffs) {
    SCOPED_TRACE(d.a_op + "." + d.param);
    EXPECT_NE(d.param, "x");
    ASSERT_TRUE(d.compared) << d.note;
    EXPECT_EQ(d.a_scheme, "fp16");
    expect_errors_recomputed(fa, fb, d);
    if (d.param != "weight") continue;
    ++weights;
    EXPECT_EQ(d.b_scheme, "affine int8 per_channel");
    EXPECT_EQ(d.bytes_a, d.elements * 2);
    EXPECT_LT(d.bytes_b, d.bytes_a);
    EXPECT_FALSE(d.identical());
  }
  EXPECT_EQ(weights, 6u);  // 5 conv + 1 linear
}

}  // namespace

// 2,500 linear layers against themselves: 5,000 weights, each decoded, reduced and freed in turn.
TEST(WeightDiffCorpusLarge, TenThousandOpsAgainstThemselves) {
  MLSCOPE_REQUIRE_SHARED();
  const ir::Model a = open_gen("large_10k_ops");
  const ir::Function& f = *a.main_function();
  const std::vector<WeightDiff> diffs = diff_weights(a, f, a, f, pair_by_name(f, f));
  EXPECT_EQ(diffs.size(), 5000u);  // W [8, 8] and b [8] of every linear; the scalar 0.5 factors are no weights
  const WeightTotals t = weight_totals(diffs);
  EXPECT_EQ(t.compared, diffs.size());
  EXPECT_EQ(t.identical, diffs.size());
  EXPECT_EQ(t.bytes_a, 2500u * (64 + 8) * 4);
  EXPECT_EQ(t.bytes_b, t.bytes_a);
}
