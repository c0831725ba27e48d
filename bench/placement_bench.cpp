// Placement estimation on corpus-gen/large_10k_ops (17,500 ops incl. consts): the estimator
// against a plain walk over the same ops (the floor: visiting every op once, reading its type).
// Target: estimation <= 30 ms. The ratio estimate/walk is reported as a counter.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "core/analysis/placement_estimator.h"
#include "core/format/open.h"

namespace {

using namespace mlscope;

const ir::Model* large_model() {
  static const ir::Model* m = [] () -> const ir::Model* {
    const auto path = std::filesystem::path(MLSCOPE_SHARED_DIR) / "corpus-gen/large_10k_ops/model.mlpackage";
    if (!std::filesystem::exists(path)) return nullptr;
    return new ir::Model(format::open(path.string()));
  }();
  return m;
}

// The peer: one pass over the plan's ops touching the op type, inputs and outputs.
int64_t plain_walk(const ir::Model& m) {
  int64_t n = 0;
  for (const auto& [label, fn] : analysis::plan_functions(m))
    for (ir::OpId id : fn->program_order()) {
      const auto& op = fn->op(id);
      n += static_cast<int64_t>(op.type.size() + op.inputs.size() + op.outputs.size());
    }
  return n;
}

double seconds_of(const std::function<void()>& f, int reps) {
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
}

void BM_PlacementWalk_large10k(benchmark::State& state) {
  const ir::Model* m = large_model();
  if (!m) return state.SkipWithError("../shared/corpus-gen/large_10k_ops not found");
  for (auto _ : state) benchmark::DoNotOptimize(plain_walk(*m));
}
BENCHMARK(BM_PlacementWalk_large10k)->Unit(benchmark::kMillisecond);

void BM_PlacementEstimate_large10k(benchmark::State& state) {
  const ir::Model* m = large_model();
  if (!m) return state.SkipWithError("../shared/corpus-gen/large_10k_ops not found");
  size_t ops = 0;
  for (auto _ : state) {
    auto p = analysis::estimate_placement(*m);
    ops = p.ops.size();
    benchmark::DoNotOptimize(p);
  }
  // Same-run peer measurement for the ratio (the walk is fast; several reps smooth it).
  const double walk = seconds_of([&] { benchmark::DoNotOptimize(plain_walk(*m)); }, 20);
  const double est = seconds_of([&] { benchmark::DoNotOptimize(analysis::estimate_placement(*m)); }, 3);
  state.counters["ops"] = static_cast<double>(ops);
  state.counters["estimate_ms"] = est * 1e3;
  state.counters["ratio_vs_walk"] = est / walk;
  state.counters["target_ms"] = 30;
}
BENCHMARK(BM_PlacementEstimate_large10k)->Unit(benchmark::kMillisecond);

}  // namespace
