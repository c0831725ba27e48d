// `mlscope-cli quant` / `cost` on the seed program: the JSON contract keys and exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_paths.h"

using namespace mlscope;

namespace {
std::string seed_model() {
  return (test::shared_dir() / "corpus-gen/amplified_conv_tie_w8a8_ct9/model.mlpackage").string();
}
}  // namespace

TEST(AnalysisCli, QuantJsonHasContractKeys) {
  MLSCOPE_REQUIRE_SHARED();
  std::string out;
  ASSERT_EQ(test::run_command(test::cli_path().string() + " quant '" + seed_model() + "' --json", &out), 0);
  auto j = nlohmann::json::parse(out);
  for (const char* k : {"verdict", "activation_quantize_ops", "activation_dequantize_ops", "weight_compression_ops",
                        "real_ops_consuming_dequantized", "real_ops_consuming_quantized", "tensors"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["verdict"], "W8A8");
  EXPECT_EQ(j["activation_quantize_ops"], 11);
  EXPECT_EQ(j["real_ops_consuming_dequantized"]["silu"], 5);
  ASSERT_FALSE(j["tensors"].empty());
  for (const char* k : {"op", "input", "scheme", "stored_dtype", "bits", "granularity", "axis", "block_size"})
    EXPECT_TRUE(j["tensors"][0].contains(k)) << k;
}

TEST(AnalysisCli, CostJsonHasContractKeysAndChipIsChecked) {
  MLSCOPE_REQUIRE_SHARED();
  std::string out;
  ASSERT_EQ(test::run_command(test::cli_path().string() + " cost '" + seed_model() + "' --json --chip a18pro", &out), 0);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["label"], "estimate");
  EXPECT_EQ(j["chip"]["name"], "a18pro");
  ASSERT_FALSE(j["ops"].empty());
  for (const char* k : {"name", "type", "macs", "flops", "weight_bytes", "activation_bytes"})
    EXPECT_TRUE(j["ops"][0].contains(k)) << k;
  EXPECT_TRUE(j.contains("total"));
  EXPECT_TRUE(j.contains("top_ops"));
  EXPECT_TRUE(j.contains("by_type"));
  EXPECT_EQ(test::run_command(test::cli_path().string() + " cost '" + seed_model() + "' --chip nosuchchip", &out, true), 2);
  EXPECT_EQ(test::run_command(test::cli_path().string() + " quant /nonexistent/model.mlpackage", &out, true), 2);
}
