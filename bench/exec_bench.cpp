// Interpreter speed on the seed network (corpus-gen/amplified_conv_tie_w8a8_ct9: five convs at
// 224x224), compared in the same run with the interpreter's own BLAS (oneDNN's sgemm) on the seed's largest
// conv as a matrix product (64 x 50176 x 576). Reports GFLOP/s counters; the ratio
// fp32-run GFLOP/s / sgemm GFLOP/s is the "≥ 60% of BLAS" figure, and the gpu/ane times over the
// fp32 time are the profile overheads. Peak activation bytes (buffers freed after last use) are
// reported as a counter next to weights + 4 x the largest activation.
#include <benchmark/benchmark.h>
#include <oneapi/dnnl/dnnl.h>
#include <omp.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/seed_network.h"
#include "core/exec/buffer_pool.h"
#include "core/exec/interpreter.h"
#include "core/io/npy.h"
#include "core/format/open.h"

namespace {

using namespace mlscope;

using bench::kSeedDir;

// FLOPs of the seed network (2 per multiply-add).
double seed_flops() { return 2.0 * bench::seed_multiply_adds(); }

void BM_Sgemm(benchmark::State& state) {
  const int M = 64, N = 50176, K = 576;
  std::vector<float> a(size_t(M) * K, 0.01f), b(size_t(K) * N, 0.02f), c(size_t(M) * N);
  // The BLAS at its best: one call on every core (the interpreter itself keeps sgemm
  // single-threaded and splits products over its own threads).
  const int threads = int(std::max(1u, std::thread::hardware_concurrency()));
  const int previous = omp_get_max_threads();
  omp_set_num_threads(threads);
  for (auto _ : state) {
    dnnl_sgemm('N', 'N', M, N, K, 1.0f, a.data(), K, b.data(), N, 0.0f, c.data(), N);
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * M * N * K * double(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  state.counters["threads"] = omp_get_max_threads();
  omp_set_num_threads(previous);
}
BENCHMARK(BM_Sgemm)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SeedRun(benchmark::State& state, const char* profile) {
  if (!bench::seed_found(state)) return;
  ir::Model model = format::open((kSeedDir / "model.mlpackage").string());
  exec::RunInputs ins = {{"x", io::read_npy((kSeedDir / "input.npy").string())}};
  exec::Interpreter interp(exec::NumericProfile::builtin(profile));
  uint64_t peak = 0;
  interp.run(model, ins, {});  // warm-up: buffers recycled, weights' pages touched
  const exec::BufferPoolStats before = exec::buffer_pool_stats();
  for (auto _ : state) {
    exec::RunResult r = interp.run(model, ins, {});
    peak = std::max(peak, r.peak_live_bytes);
    benchmark::DoNotOptimize(r.outputs);
  }
  state.counters["GFLOP/s"] = benchmark::Counter(seed_flops() * double(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  state.counters["peak_live_MB"] = double(peak) / 1e6;
  // Fresh large allocations per run (each one is page faults and zeroing): 0 when the buffer
  // pool serves every activation and im2col tile.
  const exec::BufferPoolStats after = exec::buffer_pool_stats();
  state.counters["pool_misses"] = double(after.allocated - before.allocated) / double(state.iterations());
  // Largest activation: 64 x 224 x 224 floats; weights: the model's stored bytes.
  state.counters["budget_MB"] = (double(model.weight_bytes()) + 4.0 * 64 * 224 * 224 * 4) / 1e6;
}
BENCHMARK_CAPTURE(BM_SeedRun, fp32, "fp32")->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK_CAPTURE(BM_SeedRun, gpu, "gpu")->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK_CAPTURE(BM_SeedRun, gpu_lowacc, "gpu-lowacc")->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK_CAPTURE(BM_SeedRun, ane, "ane")->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK_CAPTURE(BM_SeedRun, ane_w8a8, "ane-w8a8")->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// Peak RSS of a whole `mlscope-cli run` (intermediates off) in a child process, measured by
// /usr/bin/time (a fork of this benchmark would inherit its RSS into ru_maxrss), next to the same
// binary doing no run (`mlscope-cli info`: binary + libraries floor) and the budget weights +
// 4 x largest activation.
uint64_t child_peak_rss_kb(const std::string& args) {
  const std::string out = "/tmp/mlscope_bench_rss.txt";
  const std::string cmd = "/usr/bin/time -f %M -o " + out + " " + std::string(MLSCOPE_BINARY_DIR) + "/app/mlscope-cli " + args + " > /dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return 0;
  std::ifstream in(out);
  uint64_t kb = 0;
  in >> kb;
  return kb;
}

void BM_SeedRunPeakRss(benchmark::State& state) {
  if (!bench::seed_found(state)) return;
  const std::string model = (kSeedDir / "model.mlpackage").string();
  uint64_t run_kb = 0, floor_kb = 0;
  for (auto _ : state) {
    run_kb = child_peak_rss_kb("run " + model + " --profile fp32 --input x=" + (kSeedDir / "input.npy").string() + " --output-dir /tmp/mlscope_bench_rss");
    floor_kb = child_peak_rss_kb("info " + model);
  }
  if (!run_kb || !floor_kb) state.SkipWithError("mlscope-cli failed (build the mlscope-cli target)");
  ir::Model m = format::open(model);
  state.counters["run_peak_RSS_MB"] = double(run_kb) * 1024 / 1e6;
  state.counters["info_peak_RSS_MB"] = double(floor_kb) * 1024 / 1e6;
  state.counters["budget_MB"] = (double(m.weight_bytes()) + 4.0 * 64 * 224 * 224 * 4) / 1e6;
}
BENCHMARK(BM_SeedRunPeakRss)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
