// Every real-corpus NeuralNetwork .mlmodel (kind from its expected.json) runs end to end under
// fp32 on seeded random inputs with finite outputs, or — when it holds a layer no interpreter can
// run (a custom layer) — lists exactly that layer as unsupported. Prints which of the session-2
// layer features (deconvolution, quantized weights) each model exercises.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/io/input_files.h"
#include "core/exec/interpreter.h"
#include "core/io/random_inputs.h"
#include "core/format/open.h"
#include "support/test_paths.h"

using namespace mlscope;
using namespace mlscope::exec;
using namespace mlscope::io;

namespace {

std::vector<test::CorpusCase> nn_cases() {
  std::vector<test::CorpusCase> out;
  for (auto& c : test::corpus_cases()) {
    if (c.name.rfind("corpus/", 0) != 0 || c.model.extension() != ".mlmodel") continue;
    std::ifstream in(c.dir / "expected.json");
    const auto e = nlohmann::json::parse(in, nullptr, false);
    if (!e.is_discarded() && e.value("kind", "").rfind("neuralNetwork", 0) == 0) out.push_back(c);
  }
  return out;
}

class ExecNnCorpus : public ::testing::TestWithParam<test::CorpusCase> {};

TEST_P(ExecNnCorpus, RunsEndToEndOrListsItsCustomLayer) {
  MLSCOPE_REQUIRE_SHARED();
  const auto& c = GetParam();
  ir::Model model = format::open(c.model.string());
  const ir::Function* fn = model.main_function();
  ASSERT_NE(fn, nullptr);
  int deconv = 0, quantized = 0;
  for (const auto& op : fn->ops) {
    if (op.type == "convolution" && op.attribute_value("isDeconvolution") && op.attribute_value("isDeconvolution")->scalar_int().value_or(0)) ++deconv;
    for (const auto& a : op.attributes) quantized += a.name.size() > 18 && a.name.ends_with(".quantization.bits");
  }
  std::printf("[ exec ] %s: %d deconvolution layer(s), %d quantized weight blob(s)\n", c.name.c_str(), deconv, quantized);
  auto missing = list_unsupported(model);
  if (!missing.empty()) {
    for (const auto& u : missing) EXPECT_EQ(u.op_type, "nn.custom") << c.name << ": no kernel for " << u.op_type << " (" << u.op_name << ")";
    return;
  }
  RunInputs ins;
  uint64_t seed = 1;
  for (ir::ValueId v : fn->inputs) {
    const std::string name = fn->value(v).name;
    add_input_spec(model, *fn, name + "=random:" + std::to_string(seed++), ins);
  }
  RunResult r = Interpreter(NumericProfile::builtin("fp32")).run(model, ins, {});
  EXPECT_FALSE(r.outputs.empty());
  for (const auto& [name, v] : r.outputs) {
    if (const auto* t = std::get_if<Tensor>(&v); t && t->is_float()) {
      for (float x : t->floats()) ASSERT_TRUE(std::isfinite(x)) << c.name << " output " << name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, ExecNnCorpus, ::testing::ValuesIn(nn_cases()),
                         [](const auto& info) { return test::case_test_name(info.param.name); });

}  // namespace
