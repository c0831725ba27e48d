// compare A --against B (#19):
//  * matching: corpus-gen/large_10k_ops against a second copy of itself, by name and by
//    structure (target ≤ 100 ms), as a ratio against opening the model once (reading and
//    parsing every op: the floor of anything that looks at two models). Counters: match_ms,
//    ratio_to_open.
//  * divergence: the W8A8 seed program (B) against its fp16 version (A), both fp32, in lockstep,
//    against the two plain runs measured in the same process (target ≤ 1.3×). Counters: ratio,
//    two_plain_runs_s, divergence_s.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "core/compare/divergence.h"
#include "core/compare/model_match.h"
#include "core/compare/other_model_backend.h"
#include "core/compare/two_models.h"
#include "core/exec/interpreter.h"
#include "core/format/open.h"
#include "core/io/npy.h"

using namespace mlscope;

namespace {

const std::filesystem::path kGen = std::filesystem::path(MLSCOPE_SHARED_DIR) / "corpus-gen";

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void match_10k(benchmark::State& state, compare::MatchMode mode) {
  const auto path = kGen / "large_10k_ops" / "model.mlpackage";
  if (!std::filesystem::exists(path)) return state.SkipWithError("../shared/corpus-gen/large_10k_ops not found");
  const ir::Model a = format::open(path.string()), b = format::open(path.string());
  compare::ModelMatchOptions o;
  o.mode = mode;
  std::vector<double> match_s, open_s;
  size_t matched = 0, compute = 0;
  for (auto _ : state) {
    for (int rep = 0; rep < 7; ++rep) {
      double t0 = now();
      const compare::ModelMatch m = compare::match_models(a, b, o);
      match_s.push_back(now() - t0);
      matched = m.ops.size();
      compute = m.ops.size() + m.unmatched_a.size();
      t0 = now();
      benchmark::DoNotOptimize(format::open(path.string()));
      open_s.push_back(now() - t0);
    }
  }
  state.counters["match_ms"] = median(match_s) * 1e3;
  state.counters["open_ms"] = median(open_s) * 1e3;
  state.counters["ratio_to_open"] = median(match_s) / median(open_s);
  state.counters["matched"] = static_cast<double>(matched);
  state.counters["compute_ops"] = static_cast<double>(compute);
}

void BM_TwoModelsMatchByName_10k(benchmark::State& state) { match_10k(state, compare::MatchMode::Name); }
void BM_TwoModelsMatchByStructure_10k(benchmark::State& state) { match_10k(state, compare::MatchMode::Structure); }
BENCHMARK(BM_TwoModelsMatchByName_10k)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TwoModelsMatchByStructure_10k)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_TwoModelsDivergence(benchmark::State& state) {
  const auto da = kGen / "amplified_conv_tie_fp16", db = kGen / "amplified_conv_tie_w8a8";
  if (!std::filesystem::exists(db)) return state.SkipWithError("../shared/corpus-gen/amplified_conv_tie_w8a8 not found");
  const ir::Model a = format::open((da / "model.mlpackage").string());
  auto b = std::make_shared<const ir::Model>(format::open((db / "model.mlpackage").string()));
  auto m = std::make_shared<const compare::ModelMatch>(compare::match_models(a, *b));
  const exec::RunInputs in{{"x", io::read_npy((da / "input.npy").string())}};
  exec::Interpreter ia(exec::NumericProfile::builtin("fp32"));
  compare::OtherModelBackend ib(std::make_unique<exec::Interpreter>(exec::NumericProfile::builtin("fp32")), b, m, "B:fp32");
  const compare::DivergenceOptions dopt = compare::two_model_divergence_options({}, *m);
  ia.run(a, in, {});
  std::vector<double> plain, div;
  for (auto _ : state) {
    for (int rep = 0; rep < 5; ++rep) {
      double t0 = now();
      benchmark::DoNotOptimize(ia.run(a, in, {}));
      benchmark::DoNotOptimize(ib.run(a, in, {}));
      plain.push_back(now() - t0);
      t0 = now();
      benchmark::DoNotOptimize(compare::run_divergence(ia, ib, a, in, {}, dopt));
      div.push_back(now() - t0);
    }
  }
  state.counters["two_plain_runs_s"] = median(plain);
  state.counters["divergence_s"] = median(div);
  state.counters["ratio"] = median(div) / median(plain);
}
BENCHMARK(BM_TwoModelsDivergence)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace
