// Every ML program package of the corpus survives read → write → read unchanged (ops, names,
// bindings, types, constant bytes, functions, description), and the rewritten blob file is
// byte-compatible with the reader (alignment, sentinels, dtype codes).
#include <gtest/gtest.h>

#include "core/format/mlpackage_writer.h"
#include "core/format/open.h"
#include "support/corpus_case_print.h"
#include "support/test_paths.h"
#include "support/sample_program.h"

namespace mlscope {
namespace {

std::vector<test::CorpusCase> ml_program_packages() {
  std::vector<test::CorpusCase> out;
  for (auto& c : test::corpus_cases())
    if (c.model.extension() == ".mlpackage") out.push_back(c);
  if (out.empty()) out.push_back({"missing_shared", {}, {}});
  return out;
}

class RoundTripCorpus : public ::testing::TestWithParam<test::CorpusCase> {};

TEST_P(RoundTripCorpus, WriteThenReadGivesTheSameModel) {
  MLSCOPE_REQUIRE_SHARED();
  const auto& c = GetParam();
  ir::Model original = format::open(c.model.string());
  ASSERT_TRUE(original.is_ml_program()) << c.name;
  auto out = test::scratch_dir("roundtrip_" + test::case_test_name(c.name)) / "model.mlpackage";
  format::write_mlpackage(original, out.string());
  ir::Model back = format::open(out.string());
  EXPECT_EQ("", test::diff_models(original, back)) << c.name;
  EXPECT_EQ(original.op_counts(), back.op_counts());
}

INSTANTIATE_TEST_SUITE_P(Corpus, RoundTripCorpus, ::testing::ValuesIn(ml_program_packages()),
                         [](const ::testing::TestParamInfo<test::CorpusCase>& i) { return test::case_test_name(i.param.name); });

}  // namespace
}  // namespace mlscope
