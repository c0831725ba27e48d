// `mlscope-cli run --shape` on a real model with a flexible input (chiron-spiral-nn: input_1 has
// ranges [1..inf] x 128 x 128 x 1, per its metadata.json shapeRange).
#include <gtest/gtest.h>

#include "tests/support/test_paths.h"

namespace mlscope {
namespace {

TEST(ExecShapeCli, RejectsAShapeOutsideTheRangesNamingInputAndRanges) {
  MLSCOPE_REQUIRE_SHARED();
  const auto model = test::shared_dir() / "corpus" / "chiron-spiral-nn" / "parkinson_wave.mlmodelc";
  const std::string base = test::cli_path().string() + " run " + model.string() + " --input input_1=random:1";
  std::string out;
  EXPECT_EQ(test::run_command(base + " --shape input_1=1x64x128x1", &out, true), 2) << out;
  EXPECT_NE(out.find("input 'input_1' does not accept shape 1x64x128x1"), std::string::npos) << out;
  EXPECT_NE(out.find("[1..inf]x128x128x1"), std::string::npos) << out;  // metadata.json's shapeRange
  EXPECT_EQ(test::run_command(base + " --shape input_9=1x128x128x1", &out, true), 2) << out;
  EXPECT_NE(out.find("no input 'input_9'"), std::string::npos) << out;
  EXPECT_EQ(test::run_command(test::cli_path().string() + " run " + model.string() + " --shape input_1=2x128x128x1", &out, true), 2) << out;
  EXPECT_NE(out.find("needs an --input"), std::string::npos) << out;
}

}  // namespace
}  // namespace mlscope
