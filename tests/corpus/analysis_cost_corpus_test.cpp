// Cost totals on corpus models vs MACs written out by hand from their documented architecture.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/analysis/cost.h"
#include "core/format/open.h"
#include "support/test_paths.h"

using namespace mlscope;
using namespace mlscope::analysis;

namespace {
ir::Model open_gen(const std::string& name) {
  std::ifstream in(test::shared_dir() / "corpus-gen" / name / "meta.json");
  auto j = nlohmann::json::parse(in);
  return format::open((test::shared_dir() / "corpus-gen" / name / j["model_file"].get<std::string>()).string());
}
}  // namespace

// Seed network (amplified_conv_tie): 224×224, pad keeps the size, stride 1.
TEST(CostCorpus, SeedNetworkEqualsHandComputedMacs) {
  MLSCOPE_REQUIRE_SHARED();
  const uint64_t hw = 224ull * 224ull;
  const uint64_t macs = hw * 64 * (3 * 3 * 3)       // conv3x3 3→64
                        + 3 * hw * 64 * (64 * 3 * 3)  // 3× conv3x3 64→64
                        + hw * 16 * 64                // conv1x1 64→16
                        + 16 * 2;                     // linear 16→2
  for (const char* model : {"amplified_conv_tie_fp16", "amplified_conv_tie_w8a8", "amplified_conv_tie_w8a8_ct9"}) {
    SCOPED_TRACE(model);
    CostReport r = analyze_cost(open_gen(model));
    EXPECT_EQ(r.total.macs, macs);
    EXPECT_EQ(r.by_type["conv"].macs, macs - 32);
    EXPECT_EQ(r.by_type["conv"].ops, 5);
    EXPECT_EQ(r.total.unknown_ops, 0);
  }
}

// cnn_fp32 (meta.json: "small CNN, 4 conv incl. stride-2 and grouped conv, residual add, global
// mean, 2 linear", input 1×3×64×64, 10 logits). Layer dims as read from the program:
//   c1: 3→16, 3×3, pad 1, stride 1          → 64×64 out
//   c2: 16→32, 3×3, pad 1, stride 2         → 32×32 out
//   c3: 32→32, 3×3, pad 1, groups 2         → 32×32 out (16 input channels per group)
//   c4: 32→32, 1×1                          → 32×32 out
//   fc1: 32→64, fc2: 64→10
TEST(CostCorpus, CnnFp32WithinOnePercentOfHandCount) {
  MLSCOPE_REQUIRE_SHARED();
  const uint64_t macs = 64ull * 64 * 16 * (3 * 3 * 3)   // c1
                        + 32ull * 32 * 32 * (16 * 3 * 3)  // c2
                        + 32ull * 32 * 32 * (16 * 3 * 3)  // c3 grouped: 16 in-channels per output
                        + 32ull * 32 * 32 * 32            // c4
                        + 32 * 64 + 64 * 10;              // fc1, fc2
  CostReport r = analyze_cost(open_gen("cnn_fp32"));
  EXPECT_NEAR(static_cast<double>(r.total.macs), static_cast<double>(macs), 0.01 * static_cast<double>(macs));
  EXPECT_EQ(r.total.unknown_ops, 0);
}

// Every corpus model gets a cost report without throwing (unknown shapes are marked, not guessed).
class CostCorpusAll : public ::testing::TestWithParam<test::CorpusCase> {};
TEST_P(CostCorpusAll, CostsWithoutError) {
  ir::Model m = format::open(GetParam().model.string());
  CostReport r;
  ASSERT_NO_THROW(r = analyze_cost(m));
  for (const auto& c : r.ops) {
    if (!c.known) {
      EXPECT_FALSE(c.unknown_reason.empty()) << c.name;
      EXPECT_EQ(c.macs, 0u) << c.name;
    }
  }
}
INSTANTIATE_TEST_SUITE_P(Models, CostCorpusAll, ::testing::ValuesIn(test::corpus_cases()),
                         [](const auto& i) { return test::case_test_name(i.param.name); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CostCorpusAll);
