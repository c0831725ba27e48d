// Cost totals on corpus models vs MACs written out by hand from their documented architecture.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/analysis/cost.h"
#include "core/io/input_files.h"
#include "core/exec/interpreter.h"
#include "core/format/open.h"
#include "support/corpus_models.h"
#include "support/test_paths.h"

using namespace mlscope;
using namespace mlscope::analysis;

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
    CostReport r = analyze_cost(test::open_corpus_gen(model));
    EXPECT_EQ(r.total.macs, macs);
    EXPECT_EQ(r.by_type["conv"].macs, macs - 32);
    EXPECT_EQ(r.by_type["conv"].ops, 5);
    EXPECT_EQ(r.total.unknown_ops, 0);
  }
}

// cnn_fp32 (meta.json: "small CNN, 4 conv incl. stride-2 and grouped conv, residual add, global
// mean, 2 linear", input 1×3×64×64, 10 logits). Weight shapes read with `protoc --decode_raw` from
// the model protobuf (independent of our reader): c1 [32,3,3,3], c2 [64,32,3,3], c3 [64,32,3,3]
// (groups=2 over 64 input channels), c4 [128,64,1,1], fc1 [64,128], fc2 [10,64]; c2 has stride 2.
//   c1: 3→32, 3×3, pad 1            → 64×64 out
//   c2: 32→64, 3×3, pad 1, stride 2 → 32×32 out
//   c3: 64→64, 3×3, pad 1, groups 2 → 32×32 out (32 input channels per group)
//   c4: 64→128, 1×1                 → 32×32 out
TEST(CostCorpus, CnnFp32WithinOnePercentOfHandCount) {
  MLSCOPE_REQUIRE_SHARED();
  const uint64_t macs = 64ull * 64 * 32 * (3 * 3 * 3)    // c1
                        + 32ull * 32 * 64 * (32 * 3 * 3)  // c2
                        + 32ull * 32 * 64 * (32 * 3 * 3)  // c3
                        + 32ull * 32 * 128 * 64           // c4
                        + 128 * 64 + 64 * 10;             // fc1, fc2
  CostReport r = analyze_cost(test::open_corpus_gen("cnn_fp32"));
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

// NeuralNetwork layers: the MACs of every convolution / innerProduct equal the output blob the
// interpreter really produces × the weights each output element reads (weight payload size ÷
// outputChannels) — both taken from outside the cost code.
TEST(CostCorpus, NeuralNetworkMacsFromRealBlobsAndWeightPayloads) {
  MLSCOPE_REQUIRE_SHARED();
  for (const char* rel : {"corpus/mnist-cnn/mnistCNN.mlmodel", "corpus-gen/neuralnetwork_cnn/model.mlmodel",
                          "corpus/pose-cpm/model_cpm.mlmodel"}) {
    SCOPED_TRACE(rel);
    ir::Model m = format::open((test::shared_dir() / rel).string());
    const ir::Function& f = m.functions.at(0);
    exec::RunInputs inputs;
    for (ir::ValueId in : f.inputs) io::add_input_spec(m, f, f.value(in).name + "=random:3", inputs);
    exec::RunOptions opts;
    opts.keep_intermediates = true;
    exec::RunResult run = exec::Interpreter(exec::NumericProfile::builtin("fp32")).run(m, inputs, opts);
    CostReport r = analyze_cost(m);
    uint64_t expected = 0;
    for (const ir::Op& op : f.ops) {
      if (op.type != "convolution" && op.type != "innerProduct") continue;
      const ir::Constant* w = op.attribute_value("weights");
      const ir::Constant* out_channels = op.attribute_value("outputChannels");
      ASSERT_TRUE(w && out_channels) << op.name;
      const auto& y = std::get<exec::Tensor>(run.intermediates.at(f.value(op.outputs[0]).name));
      expected += y.size() * (w->element_count() / uint64_t(out_channels->scalar_int().value()));
    }
    EXPECT_GT(expected, 0u);
    EXPECT_EQ(expected, r.by_type["nn.convolution"].macs + r.by_type["nn.innerProduct"].macs);
  }
}
