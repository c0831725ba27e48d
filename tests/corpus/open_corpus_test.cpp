// One test per model in ../shared/corpus and ../shared/corpus-gen: open it with format::open and
// compare what the reader found with the case's expected.json (ground truth made by coremltools /
// an independent scan). Only keys present in each expected.json are compared.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/format/open.h"
#include "support/corpus_case_print.h"
#include "support/corpus_models.h"
#include "support/test_paths.h"

namespace mlscope {
namespace {

using nlohmann::json;
using test::CorpusCase;

class OpenCorpus : public ::testing::TestWithParam<CorpusCase> {};

// ML program functions (NeuralNetwork layers live in an internal function that files don't name).
std::vector<const ir::Function*> mil_functions(const ir::Model& m) {
  std::vector<const ir::Function*> out;
  for (const auto& f : m.functions)
    if (f.dialect == ir::Dialect::MIL) out.push_back(&f);
  return out;
}

int64_t nested_op_count(const ir::Model& m) {
  int64_t n = 0;
  for (const auto* f : mil_functions(m))
    f->walk_all([&](ir::OpId id) {
      if (f->block_depth(f->op(id).parent) > 0) ++n;
      return true;
    });
  for (const auto& s : m.submodels) n += nested_op_count(s);
  return n;
}

void compare_features(const json& expected, const std::vector<ir::Feature>& got, const std::string& what) {
  ASSERT_EQ(expected.size(), got.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    const json& e = expected[i];
    const ir::Feature& f = got[i];
    SCOPED_TRACE(what + " " + f.name);
    EXPECT_EQ(e.at("name").get<std::string>(), f.name);
    if (e.contains("type")) {
      EXPECT_EQ(e["type"].get<std::string>(), std::string(f.type.kind_name()));
    }
    if (e.contains("dtype")) {
      EXPECT_EQ(e["dtype"].get<std::string>(), f.type.dtype_name());
    }
    if (e.contains("shape")) {
      EXPECT_EQ(e["shape"].get<std::vector<int64_t>>(), f.type.shape);
    }
    if (e.contains("width")) {
      EXPECT_EQ(e["width"].get<int64_t>(), f.type.image_width);
    }
    if (e.contains("height")) {
      EXPECT_EQ(e["height"].get<int64_t>(), f.type.image_height);
    }
  }
}

TEST_P(OpenCorpus, MatchesExpected) {
  MLSCOPE_REQUIRE_SHARED();
  const CorpusCase& c = GetParam();
  std::ifstream in(c.dir / "expected.json");
  ASSERT_TRUE(in) << c.dir;
  const json e = json::parse(in);

  ir::Model m = format::open(c.model.string());

  if (e.contains("format")) {
      EXPECT_EQ(e["format"].get<std::string>(), std::string(ir::format_name(m.format)));
    }
  if (e.contains("kind")) {
      EXPECT_EQ(e["kind"].get<std::string>(), m.kind);
    }
  if (e.contains("specification_version")) {
      EXPECT_EQ(e["specification_version"].get<int64_t>(), m.specification_version);
    }
  if (e.contains("functions")) {
    std::multiset<std::string> want, got;
    for (const auto& n : e["functions"]) want.insert(n.get<std::string>());
    for (const auto* f : mil_functions(m)) got.insert(f->name);
    EXPECT_EQ(want, got);
  }
  if (e.contains("block_specializations")) {
    for (const auto& [fname, opsets] : e["block_specializations"].items()) {
      const ir::Function* f = m.function(fname);
      ASSERT_NE(f, nullptr) << fname;
      std::multiset<std::string> want, got;
      for (const auto& o : opsets) want.insert(o.get<std::string>());
      for (const auto& s : f->specializations) got.insert(s.opset);
      EXPECT_EQ(want, got) << fname;
    }
  }
  if (e.contains("op_counts")) {
    std::map<std::string, int64_t> want = e["op_counts"].get<std::map<std::string, int64_t>>();
    EXPECT_EQ(want, m.op_counts());
  }
  if (e.contains("nested_ops")) {
      EXPECT_EQ(e["nested_ops"].get<int64_t>(), nested_op_count(m));
    }
  if (e.contains("submodels")) {
    std::vector<std::string> want = e["submodels"].get<std::vector<std::string>>(), got;
    for (const auto& s : m.submodels) got.push_back(s.kind);
    EXPECT_EQ(want, got);
  }
  if (e.contains("inputs")) compare_features(e["inputs"], m.inputs, "input");
  if (e.contains("outputs")) compare_features(e["outputs"], m.outputs, "output");
  if (e.contains("states")) compare_features(e["states"], m.states, "state");
}

INSTANTIATE_TEST_SUITE_P(Corpus, OpenCorpus, ::testing::ValuesIn(test::corpus_cases_or_placeholder()),
                         [](const ::testing::TestParamInfo<CorpusCase>& i) { return test::case_test_name(i.param.name); });

}  // namespace
}  // namespace mlscope
