// Cost of the emulated Neural Engine on the seed network (corpus-gen/amplified_conv_tie_w8a8_ct9),
// as ratios measured in the same process:
//  - BM_SeedBandOverAne: the band (66 accumulation schemes sharing their common prefix) against
//    one run of its default member, timed alternately so machine noise hits both alike; the
//    target is band <= 3x one `ane` run.
//  - BM_SeedOverRoundedMacBound: a profile that rounds every product (or every partial sum) can
//    be no faster than its own matrix kernel at full speed. The kernel's rate is measured on a
//    cache-resident tile of the seed's largest conv on every kernel thread; the network's
//    multiply-adds at that rate are the run's lower bound. Target: run <= 1.2x its bound.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <vector>

#include "bench/seed_network.h"
#include "core/exec/band_runner.h"
#include "core/exec/kernels/gemm.h"
#include "core/exec/interpreter.h"
#include "core/io/npy.h"
#include "core/format/open.h"

namespace {

using namespace mlscope;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Seed {
  ir::Model model;
  exec::RunInputs inputs;
};

bool load_seed(benchmark::State& state, Seed& seed) {
  if (!bench::seed_found(state)) return false;
  seed.model = format::open((bench::kSeedDir / "model.mlpackage").string());
  seed.inputs = {{"x", io::read_npy((bench::kSeedDir / "input.npy").string())}};
  return true;
}

void BM_SeedBandOverAne(benchmark::State& state, const char* band_name) {
  Seed seed;
  if (!load_seed(state, seed)) return;
  exec::BandBackend band(band_name);
  exec::Interpreter one(band.members().front());
  one.run(seed.model, seed.inputs, {});  // warm-up: buffers recycled, weights' pages touched
  std::vector<double> one_s, band_s, ratio;
  uint64_t ops = 0;
  for (auto _ : state) {
    auto t0 = Clock::now();
    exec::RunResult a = one.run(seed.model, seed.inputs, {});
    one_s.push_back(seconds_since(t0));
    benchmark::DoNotOptimize(a.outputs);
    int64_t executed = 0;
    exec::RunOptions counting;
    counting.progress = [&executed](const Progress&) { ++executed; };
    t0 = Clock::now();
    exec::RunResult b = band.run(seed.model, seed.inputs, counting);
    band_s.push_back(seconds_since(t0));
    benchmark::DoNotOptimize(b.band_members);
    ratio.push_back(band_s.back() / one_s.back());
    state.SetIterationTime(band_s.back());
    ops = uint64_t(executed);
  }
  state.counters["members"] = double(band.members().size());
  state.counters["one_run_ms"] = 1e3 * median(one_s);
  state.counters["band_ms"] = 1e3 * median(band_s);
  state.counters["band_over_one"] = median(ratio);  // target <= 3
  state.counters["op_executions"] = double(ops);    // over every branch of the band
}
BENCHMARK_CAPTURE(BM_SeedBandOverAne, ane_band, "ane-band")->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(5);
BENCHMARK_CAPTURE(BM_SeedBandOverAne, ane_w8a8_band, "ane-w8a8-band")->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(5);

void BM_SeedOverRoundedMacBound(benchmark::State& state, const char* profile_name) {
  Seed seed;
  if (!load_seed(state, seed)) return;
  const exec::NumericProfile profile = exec::NumericProfile::builtin(profile_name);
  const auto conv = profile.by_op_type.find("conv");
  const exec::OpNumerics num = conv == profile.by_op_type.end() ? profile.defaults : conv->second;
  // The kernel at its best: the shape of one of the seed conv's im2col tiles (64 outputs x 448
  // pixels x 3*3*64 terms, about 1 MB of columns as conv uses), cache-resident, called
  // repeatedly; gemm() splits the rows over every kernel thread as in the network.
  const int64_t M = 64, N = 448, K = 576, calls = 40;
  std::vector<float> a(size_t(M * K)), b(size_t(K * N)), c(size_t(M * N));
  for (size_t i = 0; i < a.size(); ++i) a[i] = 0.01f * float(int(i % 97) - 48);
  for (size_t i = 0; i < b.size(); ++i) b[i] = 0.02f * float(int(i % 89) - 44);
  exec::Interpreter interp(profile);
  interp.run(seed.model, seed.inputs, {});
  exec::gemm(num, M, N, K, a.data(), K, false, b.data(), N, false, c.data(), N);
  std::vector<double> kernel_rate, run_s, ratio;
  for (auto _ : state) {
    auto t0 = Clock::now();
    for (int64_t r = 0; r < calls; ++r) {
      exec::gemm(num, M, N, K, a.data(), K, false, b.data(), N, false, c.data(), N);
      benchmark::DoNotOptimize(c.data());
    }
    kernel_rate.push_back(double(M) * N * K * calls / seconds_since(t0));
    t0 = Clock::now();
    exec::RunResult r = interp.run(seed.model, seed.inputs, {});
    run_s.push_back(seconds_since(t0));
    benchmark::DoNotOptimize(r.outputs);
    ratio.push_back(run_s.back() / (bench::seed_multiply_adds() / kernel_rate.back()));
    state.SetIterationTime(run_s.back());
  }
  state.counters["kernel_GMAC/s"] = median(kernel_rate) / 1e9;
  state.counters["bound_ms"] = 1e3 * bench::seed_multiply_adds() / median(kernel_rate);
  state.counters["run_ms"] = 1e3 * median(run_s);
  state.counters["run_over_bound"] = median(ratio);  // target <= 1.2
}
BENCHMARK_CAPTURE(BM_SeedOverRoundedMacBound, ane, "ane")->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(5);
BENCHMARK_CAPTURE(BM_SeedOverRoundedMacBound, gpu_lowacc, "gpu-lowacc")->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(5);

}  // namespace
