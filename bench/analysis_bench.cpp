// Lineage + cost on corpus-gen/large_10k_ops (target ≤ 50 ms), reported as a ratio against a
// plain walk over every op that touches each op's inputs and output types (the floor: any
// analysis has to visit that much).
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "core/analysis/cost.h"
#include "core/analysis/lineage.h"
#include "core/format/open.h"

namespace {

const mlscope::ir::Model* large_model(std::string* error) {
  static std::unique_ptr<mlscope::ir::Model> model;
  static std::string err;
  if (!model && err.empty()) {
    try {
      auto p = std::filesystem::path(MLSCOPE_SHARED_DIR) / "corpus-gen/large_10k_ops/model.mlpackage";
      model = std::make_unique<mlscope::ir::Model>(mlscope::format::open(p.string()));
    } catch (const std::exception& e) {
      err = e.what();
    }
  }
  *error = err;
  return model.get();
}

uint64_t plain_walk(const mlscope::ir::Model& m) {
  uint64_t acc = 0;
  for (const auto& f : m.functions)
    f.walk([&](mlscope::ir::OpId o) {
      const auto& op = f.op(o);
      for (const auto& in : op.inputs)
        for (const auto& b : in.bindings) acc += static_cast<uint64_t>(b.value);
      for (auto v : op.outputs) acc += f.value(v).type.shape.rank();
      return true;
    });
  return acc;
}

void BM_PlainWalk_10k(benchmark::State& state) {
  std::string err;
  const auto* m = large_model(&err);
  if (!m) return state.SkipWithError(err.c_str());
  for (auto _ : state) benchmark::DoNotOptimize(plain_walk(*m));
}

void BM_LineageAndCost_10k(benchmark::State& state) {
  std::string err;
  const auto* m = large_model(&err);
  if (!m) return state.SkipWithError(err.c_str());
  using clock = std::chrono::steady_clock;
  double analysis_s = 0, walk_s = 0;
  for (auto _ : state) {
    auto t0 = clock::now();
    auto q = mlscope::analysis::analyze_quantization(*m);
    auto c = mlscope::analysis::analyze_cost(*m);
    benchmark::DoNotOptimize(q.tensors.size() + c.ops.size());
    auto t1 = clock::now();
    state.PauseTiming();
    auto t2 = clock::now();
    benchmark::DoNotOptimize(plain_walk(*m));
    auto t3 = clock::now();
    state.ResumeTiming();
    analysis_s += std::chrono::duration<double>(t1 - t0).count();
    walk_s += std::chrono::duration<double>(t3 - t2).count();
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["analysis_ms"] = 1e3 * analysis_s / n;
  state.counters["walk_ms"] = 1e3 * walk_s / n;
  state.counters["ratio_vs_walk"] = walk_s > 0 ? analysis_s / walk_s : 0;
  state.counters["ops"] = static_cast<double>(m->op_count());
}

}  // namespace

BENCHMARK(BM_PlainWalk_10k)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LineageAndCost_10k)->Unit(benchmark::kMillisecond);
