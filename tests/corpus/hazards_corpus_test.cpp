// `mlscope-cli hazards` on real converter-made models (../shared/corpus-gen).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_paths.h"

using nlohmann::json;
namespace fs = std::filesystem;
using mlscope::test::shared_dir;

namespace {

json hazards(const std::string& model, const std::string& flags) {
  const fs::path dir = shared_dir() / "corpus-gen" / model;
  std::string out;
  const int code = mlscope::test::run_command(mlscope::test::cli_path().string() + " hazards '" + (dir / "model.mlpackage").string() +
                                                  "' --input '" + (dir / "input.npy").string() + "' --json " + flags,
                                              &out);
  EXPECT_EQ(code, 0) << out;
  return json::parse(out);
}

}  // namespace

// The real Mac GPU gave finite logits on the seed's program (seed-measurements.md), so the
// emulated gpu profile must find nothing non-finite or out of range; its 11 quantize ops each
// get a saturation entry with the share of codes used.
TEST(HazardsCorpus, SeedProgramUnderGpu) {
  MLSCOPE_REQUIRE_SHARED();
  const json j = hazards("amplified_conv_tie_w8a8_ct9", "--profile gpu --fail-on-hazard");
  EXPECT_TRUE(j.at("first_nonfinite_op").is_null());
  EXPECT_TRUE(j.at("nonfinite_origin").is_null());
  EXPECT_EQ(j.at("summary").at("nonfinite"), 0);
  EXPECT_EQ(j.at("summary").at("overflow"), 0);
  int quantizes = 0;
  for (const auto& h : j.at("hazards")) {
    if (h.at("kind") != "saturation") continue;
    ++quantizes;
    EXPECT_EQ(h.at("type"), "quantize");
    const double used = h.at("codes_used");
    EXPECT_GT(used, 0.0) << h;
    EXPECT_LE(used, 1.0) << h;
    EXPECT_LT(h.at("fraction").get<double>(), 0.01) << "calibrated activations clip rarely: " << h;
    EXPECT_GT(h.at("elements").get<int64_t>(), 0);
  }
  EXPECT_EQ(quantizes, 11);
  EXPECT_NE(j.at("provenance").get<std::string>().find("emulated"), std::string::npos);
}

TEST(HazardsCorpus, CnnFp32UnderGpu) {
  MLSCOPE_REQUIRE_SHARED();
  const json j = hazards("cnn_fp32", "");
  EXPECT_EQ(j.at("profile"), "gpu");
  EXPECT_TRUE(j.at("nonfinite_origin").is_null()) << "fp16 programs under gpu match PyTorch (cosine 1.0)";
  for (const auto& h : j.at("hazards")) {
    EXPECT_NE(h.at("kind"), "saturation") << "no quantize ops in an fp32 program";
    EXPECT_NE(h.at("kind"), "overflow") << h;
  }
}
