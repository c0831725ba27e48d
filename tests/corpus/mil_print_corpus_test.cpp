// The MIL text view of every corpus ML program (protobuf .mlpackage/.mlmodel included): print it,
// parse the text back, and get the same program (op types, names, bindings, types, constants)
// and the op counts of expected.json. Each op's reported line holds that op's statement.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/format/mil_parser.h"
#include "core/format/mil_printer.h"
#include "core/format/open.h"
#include "core/util/error.h"
#include "support/ir_compare.h"
#include "support/sample_program.h"
#include "support/test_paths.h"

namespace mlscope::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

json expected_of(const CorpusCase& c) {
  std::ifstream in(c.dir / "expected.json");
  return json::parse(in);
}

std::vector<CorpusCase> ml_program_cases() {
  std::vector<CorpusCase> out;
  for (auto& c : corpus_cases()) {
    json e = expected_of(c);
    if (e.value("kind", "") == "mlProgram") out.push_back(c);
  }
  return out;
}

/// What `@model_path` names for this model: the folder holding weights/.
std::string model_path_of(const ir::Model& m) {
  if (!m.weight_files.empty()) return fs::path(m.weight_files[0]->path()).parent_path().parent_path().string();
  return fs::path(m.path).string();
}

class MilPrintCase : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(MilPrintCase, PrintedTextParsesBackToTheSameProgram) {
  MLSCOPE_REQUIRE_SHARED();
  const CorpusCase& c = GetParam();
  ir::Model m = format::open(c.model.string());
  format::MilText text = format::print_mil_text(m);
  ir::Model back;
  format::MilSource src{"printed.mil", model_path_of(m), false};
  try {
    format::parse_mil_program(text.text, src, back);
  } catch (const Error& e) {
    std::istringstream in(text.text);
    std::string l;
    for (int i = 0; i < e.where().line && std::getline(in, l); ++i) {}
    FAIL() << e.what() << "\n  line: " << l.substr(0, 400);
  }
  EXPECT_EQ(diff_programs(m, back), "");
  json e = expected_of(c);
  std::map<std::string, int64_t> want;
  for (const auto& [k, v] : e["op_counts"].items()) want[k] = v.get<int64_t>();
  EXPECT_EQ(back.op_counts(), want);
  // Each op's line is its statement: "<results> <last output name> = <type>(".
  std::vector<std::string> lines;
  std::istringstream in(text.text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(text.op_line.size(), m.functions.size());
  for (size_t fi = 0; fi < m.functions.size(); ++fi) {
    const ir::Function& f = m.functions[fi];
    f.walk([&](ir::OpId o) {
      int ln = text.op_line[fi][static_cast<size_t>(o)];
      EXPECT_GT(ln, 0);
      if (ln <= 0 || ln > static_cast<int>(lines.size())) return false;
      const ir::Op& op = f.op(o);
      std::string want_text = op.outputs.empty() ? " " + op.type + "(" : " " + f.value(op.outputs.back()).name + " = " + op.type + "(";
      EXPECT_NE(lines[static_cast<size_t>(ln - 1)].find(want_text), std::string::npos) << want_text;
      return true;
    });
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, MilPrintCase, ::testing::ValuesIn(ml_program_cases()),
                         [](const auto& info) { return case_test_name(info.param.name); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(MilPrintCase);

TEST(MilPrintCorpus, MlProgramCasesExist) {
  MLSCOPE_REQUIRE_SHARED();
  EXPECT_GE(ml_program_cases().size(), 10u);
}

}  // namespace
}  // namespace mlscope::test
