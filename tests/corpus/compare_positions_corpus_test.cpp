// Position-wise comparison on real converted models: the transformer's [1, 16, 256] logits and the
// KV-cache decoder's five steps. The reference's per-position top-1 is computed here with plain
// loops over the PyTorch reference, independently of core/compare.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/compare/compare_runs.h"
#include "core/exec/interpreter.h"
#include "core/io/npy.h"
#include "core/format/open.h"
#include "support/test_paths.h"

using namespace mlscope;
using namespace mlscope::compare;

namespace {

// Per row of `classes` scores: the first maximum and its gap to the runner-up.
struct RowTop {
  int64_t argmax;
  double gap;
};
std::vector<RowTop> row_tops(const std::vector<float>& v, size_t classes) {
  std::vector<RowTop> out;
  for (size_t r = 0; r * classes < v.size(); ++r) {
    size_t best = 0;
    for (size_t c = 1; c < classes; ++c)
      if (v[r * classes + c] > v[r * classes + best]) best = c;
    double second = -1e300;
    for (size_t c = 0; c < classes; ++c)
      if (c != best) second = std::max(second, double(v[r * classes + c]));
    out.push_back({int64_t(best), double(v[r * classes + best]) - second});
  }
  return out;
}

BackendRun named(const std::string& name, exec::RunResult r) {
  BackendRun b;
  b.name = name;
  b.result = std::move(r);
  return b;
}

}  // namespace

TEST(ComparePositionsCorpus, TransformerLogitsPerPosition) {
  MLSCOPE_REQUIRE_SHARED();
  const auto dir = test::shared_dir() / "corpus-gen" / "transformer_block_fp32";
  const ir::Model model = format::open((dir / "model.mlpackage").string());
  const exec::Tensor ids = io::read_npy((dir / "input.npy").string());
  const exec::Tensor ref = io::read_npy((dir / "ref_fp32.npy").string());
  ASSERT_EQ(ref.shape(), (exec::Dims{1, 16, 256}));
  const std::vector<RowTop> want = row_tops({ref.floats().begin(), ref.floats().end()}, 256);

  exec::RunInputs in{{model.inputs.front().name, ids}};
  std::vector<BackendRun> runs;
  BackendRun torch;
  torch.name = "pytorch";
  torch.kind = exec::BackendKind::Recorded;
  torch.result.outputs["logits"] = ref;
  runs.push_back(torch);
  for (const char* p : {"fp32", "gpu"}) runs.push_back(named(p, exec::Interpreter(exec::NumericProfile::builtin(p)).run(model, in, {})));
  CompareOptions o;
  o.output_order = {"logits"};
  const Comparison c = compare_runs(runs, "pytorch", o);

  const OutputSummary& fp32 = c.find("fp32")->outputs.at("logits");
  ASSERT_TRUE(fp32.positions) << "a [1, 16, 256] output is compared per position";
  EXPECT_FALSE(fp32.classification);
  EXPECT_EQ(fp32.positions->layout.positions, 16);
  EXPECT_EQ(fp32.positions->layout.classes, 256);
  // fp32 matches torch to ~1e-5 (meta.json), so every position whose top two are further apart
  // than that has the reference's top-1.
  int checked = 0;
  for (size_t p = 0; p < want.size(); ++p) {
    if (want[p].gap < 1e-3) continue;
    EXPECT_EQ(fp32.positions->cls[p].argmax, want[p].argmax) << "position " << p;
    ++checked;
  }
  EXPECT_GE(checked, 12);
  const PositionDelta& d32 = *c.find("fp32")->vs_reference.at("logits").positions;
  EXPECT_EQ(d32.agree + d32.flipped + d32.undecided, 16);
  EXPECT_EQ(d32.flipped, 0);
  // The margin pair per position is the reference's own top two.
  const auto& pairs = c.position_pairs.at("logits");
  for (size_t p = 0; p < want.size(); ++p) EXPECT_EQ(pairs[p].a, want[p].argmax) << p;
  // gpu (fp16 storage) against torch: counted per position, never over the 4096 flattened values.
  const PositionDelta& dg = *c.find("gpu")->vs_reference.at("logits").positions;
  EXPECT_EQ(dg.positions, 16);
  EXPECT_EQ(dg.margin_delta.size(), 16u);
}

TEST(ComparePositionsCorpus, KvCacheDecodeStepsPerPosition) {
  MLSCOPE_REQUIRE_SHARED();
  const auto dir = test::shared_dir() / "corpus-gen" / "stateful_kv_cache";
  const ir::Model model = format::open((dir / "model.mlpackage").string());
  const exec::Tensor seq = io::read_npy((dir / "input.npy").string());  // [5, 1, 1, 32]
  const exec::Tensor ref = io::read_npy((dir / "ref_fp32.npy").string());
  ASSERT_EQ(ref.shape(), (exec::Dims{5, 1, 1, 32}));
  const std::vector<RowTop> want = row_tops({ref.floats().begin(), ref.floats().end()}, 32);

  // Five decode steps, states carried; the steps' outputs stacked are the positions.
  auto decode = [&](const char* profile) {
    exec::Interpreter interp(exec::NumericProfile::builtin(profile));
    std::map<std::string, exec::Tensor> states;
    std::vector<float> got;
    for (int64_t t = 0; t < 5; ++t) {
      exec::RunInputs step;
      step["x"] = exec::Tensor::from_floats(ir::DType::Float32, {1, 1, 32},
                                            std::vector<float>(seq.floats().begin() + t * 32, seq.floats().begin() + (t + 1) * 32));
      for (auto& [n, s] : states) step[n] = s;
      exec::RunResult r = interp.run(model, step, {});
      states = r.states;
      const exec::Tensor y = std::get<exec::Tensor>(r.outputs.at("y")).cast_to(ir::DType::Float32);
      got.insert(got.end(), y.floats().begin(), y.floats().end());
    }
    exec::RunResult all;
    all.outputs["y"] = exec::Tensor::from_floats(ir::DType::Float32, {5, 1, 1, 32}, got);
    return all;
  };
  BackendRun torch;
  torch.name = "pytorch";
  torch.result.outputs["y"] = ref;
  CompareOptions o;
  o.output_order = {"y"};
  const Comparison c = compare_runs({torch, named("fp16", decode("fp16")), named("gpu", decode("gpu"))}, "pytorch", o);
  for (const char* b : {"fp16", "gpu"}) {
    const OutputSummary& s = c.find(b)->outputs.at("y");
    ASSERT_TRUE(s.positions) << b;
    EXPECT_EQ(s.positions->layout.positions, 5);
    const PositionDelta& d = *c.find(b)->vs_reference.at("y").positions;
    int expected_agree = 0;
    for (size_t p = 0; p < want.size(); ++p) {
      const bool same = s.positions->cls[p].argmax == want[p].argmax;
      // fp16 compute (meta.json: loose, atol ~1e-2): positions with a clear winner keep it.
      if (want[p].gap > 0.05) {
        EXPECT_TRUE(same) << b << " position " << p;
      }
      expected_agree += same && s.positions->cls[p].decision == Decision::Strict;
    }
    EXPECT_EQ(d.agree, expected_agree) << b;
    EXPECT_DOUBLE_EQ(d.argmax_agreement, double(d.agree) / double(d.decided)) << b;
  }
}
