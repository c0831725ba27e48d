// corpus-gen/amplified_conv_tie_w8a8_ct9 is (very likely) the seed's W8A8 program; its op and
// output-dtype tables are the real Mac measurements in ../shared/docs/seed-measurements.md.
#include <gtest/gtest.h>

#include <map>

#include "core/format/open.h"
#include "support/test_paths.h"

namespace mlscope {
namespace {

ir::Model open_seed_copy() {
  return format::open((test::shared_dir() / "corpus-gen/amplified_conv_tie_w8a8_ct9/model.mlpackage").string());
}

TEST(SeedProgram, OpCountsMatchSeedTable) {
  MLSCOPE_REQUIRE_SHARED();
  ir::Model m = open_seed_copy();
  // seed-measurements.md, "Program contents (as counted in the saved ML program)".
  const std::map<std::string, int64_t> seed = {
      {"const", 68}, {"quantize", 11}, {"dequantize", 11}, {"constexpr_affine_dequantize", 6}, {"conv", 5},
      {"silu", 5},   {"mul", 1},       {"reduce_mean", 1}, {"reshape", 1},                     {"linear", 1}};
  EXPECT_EQ(seed, m.op_counts());
  EXPECT_EQ(110, m.op_count());
}

TEST(SeedProgram, OpOutputDtypesMatchSeed) {
  MLSCOPE_REQUIRE_SHARED();
  ir::Model m = open_seed_copy();
  std::map<std::string, int> got;
  for (const auto& f : m.functions)
    f.walk_all([&](ir::OpId id) {
      for (ir::ValueId v : f.op(id).outputs) ++got[std::string(ir::dtype_name(f.value(v).type.dtype))];
      return true;
    });
  // seed-measurements.md: "Output dtypes of ops: 60 FLOAT16, 22 INT32, 16 STRING, 11 INT8, 1 BOOL".
  const std::map<std::string, int> seed = {{"fp16", 60}, {"int32", 22}, {"string", 16}, {"int8", 11}, {"bool", 1}};
  EXPECT_EQ(seed, got);
}

}  // namespace
}  // namespace mlscope
