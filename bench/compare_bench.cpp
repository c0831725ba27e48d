// compare benchmarks on the seed network (corpus-gen/amplified_conv_tie_w8a8_ct9, 224×224 convs):
//  * sweep: N seeded inputs through fp16 + ane-w8a8 on worker threads, against N × (one fp16 run +
//    one ane-w8a8 run) measured in the same process. Counters: ratio (target ≤ 1.2), cpu_util
//    (process CPU time / wall / 2 cores; ≈ 1 when both cores are busy).
//    N = $MLSCOPE_BENCH_SWEEP_N (default 20; the per-input ratio extrapolates to 200).
//  * divergence: run_divergence (streaming: both runs in lockstep on two threads, 64 MiB budget;
//    and the keep-everything path) against two plain sequential runs. Counters: ratio =
//    divergence / two runs (target ≤ 1.3), overhead = ratio − 1, cpu_util (both cores busy ≈ 1).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "bench/seed_network.h"
#include "core/compare/divergence.h"
#include "core/compare/sweep.h"
#include "core/exec/interpreter.h"
#include "core/io/npy.h"
#include "core/format/open.h"

using namespace mlscope;

namespace {

using bench::kSeedDir;

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

compare::SweepBackend profile_backend(const std::string& name) {
  exec::NumericProfile p = exec::NumericProfile::builtin(name);
  return {name, [p] { return std::unique_ptr<exec::Backend>(new exec::Interpreter(p)); }};
}

void BM_CompareSweepVsRuns(benchmark::State& state) {
  if (!bench::seed_found(state)) return;
  const char* env = std::getenv("MLSCOPE_BENCH_SWEEP_N");
  const size_t n = env ? std::strtoul(env, nullptr, 10) : 20;
  const ir::Model m = format::open((kSeedDir / "model.mlpackage").string());
  std::vector<compare::SweepBackend> backends{profile_backend("fp16"), profile_backend("ane-w8a8")};
  compare::SweepInputs inputs = compare::seeded_random_inputs(m, 0, n);
  for (auto _ : state) {
    // One input through both backends, sequentially: the per-input cost of the runs alone.
    const exec::RunInputs in = inputs.make(0);
    auto a = backends[0].make(), b = backends[1].make();
    a->run(m, in, {});  // warm-up (weights decoded, pages touched)
    double best = 1e30, best_cpu = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
      const double t0 = now();
      const std::clock_t c0 = std::clock();
      benchmark::DoNotOptimize(a->run(m, in, {}));
      benchmark::DoNotOptimize(b->run(m, in, {}));
      best = std::min(best, now() - t0);
      best_cpu = std::min(best_cpu, static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC);
    }
    compare::SweepOptions o;
    o.threads = 2;
    compare::SweepResult r = compare::run_sweep(m, backends, inputs, o);
    state.counters["inputs"] = static_cast<double>(n);
    state.counters["one_input_both_backends_s"] = best;
    state.counters["sweep_wall_s"] = r.wall_seconds;
    state.counters["ratio_vs_n_runs"] = r.wall_seconds / (static_cast<double>(n) * best);
    state.counters["cpu_util_2cores"] = r.cpu_seconds / r.wall_seconds / 2.0;
    // Load-independent: CPU spent by the sweep over CPU of N sequential input runs (1.0 = no overhead).
    state.counters["one_input_both_backends_cpu_s"] = best_cpu;
    state.counters["sweep_cpu_s"] = r.cpu_seconds;
    state.counters["cpu_ratio_vs_n_runs"] = r.cpu_seconds / (static_cast<double>(n) * best_cpu);
    state.counters["extrapolated_200_s"] = r.wall_seconds / static_cast<double>(n) * 200.0;
  }
}
BENCHMARK(BM_CompareSweepVsRuns)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

void BM_CompareDivergenceOverhead(benchmark::State& state) {
  if (!bench::seed_found(state)) return;
  const ir::Model m = format::open((kSeedDir / "model.mlpackage").string());
  const exec::RunInputs in{{"x", io::read_npy((kSeedDir / "input.npy").string())}};
  exec::Interpreter a(exec::NumericProfile::builtin("fp32")), b(exec::NumericProfile::builtin("ane-w8a8"));
  a.run(m, in, {});
  for (auto _ : state) {
    double plain = 1e30, observed_runs = 1e30, div = 1e30, keep = 1e30, div_cpu = 0;
    exec::RunOptions observed;
    observed.on_value = [](const ir::Op&, const std::string&, const exec::RunValue&) {};
    observed.on_codes = [](const ir::Op&, const std::string&, const exec::DequantizedCodes&) {};
    compare::DivergenceOptions keep_all;
    keep_all.streaming = false;
    for (int rep = 0; rep < 5; ++rep) {  // best of 5: the VM's noise comes in bursts
      double t0 = now();
      benchmark::DoNotOptimize(a.run(m, in, {}));
      benchmark::DoNotOptimize(b.run(m, in, {}));
      plain = std::min(plain, now() - t0);
      // The same two runs with every value observed as divergence observes them (deferred
      // dequantize outputs as codes): the rest of the gap to divergence is turn-taking and the
      // reductions.
      t0 = now();
      benchmark::DoNotOptimize(a.run(m, in, observed));
      benchmark::DoNotOptimize(b.run(m, in, observed));
      observed_runs = std::min(observed_runs, now() - t0);
      t0 = now();
      const std::clock_t c0 = std::clock();
      benchmark::DoNotOptimize(compare::run_divergence(a, b, m, in, {}, {}));
      const double wall = now() - t0;
      if (wall < div) {
        div = wall;
        div_cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
      }
      t0 = now();
      benchmark::DoNotOptimize(compare::run_divergence(a, b, m, in, {}, keep_all));
      keep = std::min(keep, now() - t0);
    }
    state.counters["two_plain_runs_s"] = plain;
    state.counters["observed_runs_s"] = observed_runs;
    state.counters["divergence_s"] = div;
    state.counters["ratio"] = div / plain;
    state.counters["overhead"] = div / plain - 1.0;
    state.counters["cpu_util_2cores"] = div_cpu / div / 2.0;
    state.counters["keep_all_s"] = keep;
    state.counters["keep_all_ratio"] = keep / plain;
  }
}
BENCHMARK(BM_CompareDivergenceOverhead)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace
