// Layout of the ~10,000-op program (corpus-gen/large_10k_ops) and crossings vs the plain
// longest-path + barycenter baseline. Target: <= 300 ms; crossings <= baseline.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "core/format/open.h"
#include "core/layout/graph_layout.h"
#include "core/util/error.h"
#include "tests/support/ir_builders.h"

namespace {

using namespace mlscope;

// The real program when the reader can open it; the generated equivalent (same op pattern)
// otherwise, labelled so a figure is never passed off as the real file's.
const ir::Function& large_program(std::string& label) {
  static ir::Model model;
  static ir::Function fallback;
  static std::string source;
  if (source.empty()) {
    const std::string path = std::string(MLSCOPE_SHARED_DIR) + "/corpus-gen/large_10k_ops/model.mlpackage";
    try {
      model = format::open(path);
      source = "large_10k_ops";
    } catch (const Error&) {
      fallback = fixtures::chain_program(2500);
      source = "generated chain (reader unavailable)";
    }
  }
  label = source;
  return source == "large_10k_ops" ? *model.main_function() : fallback;
}

void run_layout(benchmark::State& state, const ir::Function& fn, layout::Ordering ordering, const std::string& label) {
  layout::LayoutOptions opt;
  opt.ordering = ordering;
  int64_t crossings = 0;
  size_t nodes = 0, dummies = 0;
  for (auto _ : state) {
    auto g = layout::layout_function(fn, opt);
    crossings = g.crossings;
    nodes = g.nodes.size();
    dummies = static_cast<size_t>(g.dummy_nodes);
    benchmark::DoNotOptimize(g.nodes.data());
  }
  state.counters["crossings"] = static_cast<double>(crossings);
  state.counters["nodes"] = static_cast<double>(nodes);
  state.counters["dummies"] = static_cast<double>(dummies);
  state.SetLabel(label);
}

void BM_Layout_Large10k(benchmark::State& state) {
  std::string label;
  const auto& fn = large_program(label);
  run_layout(state, fn, layout::Ordering::Improved, label);
}
void BM_Layout_Large10k_Baseline(benchmark::State& state) {
  std::string label;
  const auto& fn = large_program(label);
  run_layout(state, fn, layout::Ordering::Baseline, label + " baseline");
}
// A harder DAG (skip connections) where the ordering matters: crossings vs baseline.
void BM_Layout_RandomDag2k(benchmark::State& state) {
  static const auto fn = fixtures::random_dag(2000, 7);
  run_layout(state, fn, state.range(0) ? layout::Ordering::Improved : layout::Ordering::Baseline,
             state.range(0) ? "improved" : "baseline");
}

}  // namespace

BENCHMARK(BM_Layout_Large10k)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Layout_Large10k_Baseline)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Layout_RandomDag2k)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
