// Opening models: (1) open + walk corpus-gen/large_10k_ops, against the machine's own limit of
// merely reading the package's bytes; (2) peak RSS of opening a package whose weight file is
// 1 GiB (sparse, made with our writer), measured in a fresh child process.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/format/mlpackage_writer.h"
#include "core/format/open.h"

namespace {

namespace fs = std::filesystem;
using namespace mlscope;

const char* kChildEnv = "MLSCOPE_BENCH_OPEN_CHILD";
const char* kChildOutEnv = "MLSCOPE_BENCH_OPEN_CHILD_OUT";

// Peak RSS of this process image in KiB (VmHWM counts only the current address space, so pages
// shared with the parent before exec are not included, unlike ru_maxrss).
long vm_hwm_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

int64_t open_and_walk(const std::string& path) {
  ir::Model m = format::open(path);
  int64_t n = 0;
  for (const auto& f : m.functions)
    f.walk_all([&](ir::OpId) {
      ++n;
      return true;
    });
  return n;
}

// Child mode: the benchmark re-executes itself with kChildEnv set; this runs before main() so the
// child's peak RSS is the reader's alone, not the parent benchmark's memory.
[[maybe_unused]] const int child_mode = [] {
  if (const char* path = std::getenv(kChildEnv)) {
    int rc = 3;
    try {
      rc = open_and_walk(path) > 0 ? 0 : 4;
      if (const char* out = std::getenv(kChildOutEnv)) std::ofstream(out) << vm_hwm_kb();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
    }
    std::_Exit(rc);
  }
  return 0;
}();

fs::path large_10k() { return fs::path(MLSCOPE_SHARED_DIR) / "corpus-gen/large_10k_ops/model.mlpackage"; }

double read_all_bytes(const fs::path& dir) {
  auto t0 = std::chrono::steady_clock::now();
  std::vector<char> buf(1 << 20);
  size_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
      total += static_cast<size_t>(in.gcount());
  }
  benchmark::DoNotOptimize(total);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void BM_ReadBytes_Large10k(benchmark::State& state) {
  if (!fs::exists(large_10k())) return state.SkipWithError("../shared/corpus-gen/large_10k_ops not found");
  for (auto _ : state) benchmark::DoNotOptimize(read_all_bytes(large_10k()));
}
BENCHMARK(BM_ReadBytes_Large10k)->Unit(benchmark::kMillisecond);

void BM_OpenWalk_Large10k(benchmark::State& state) {
  if (!fs::exists(large_10k())) return state.SkipWithError("../shared/corpus-gen/large_10k_ops not found");
  // The machine's own limit, measured in the same run: best of 5 plain reads of every file.
  double read_ms = 1e9;
  for (int i = 0; i < 5; ++i) read_ms = std::min(read_ms, read_all_bytes(large_10k()));
  double best_ms = 1e9;
  int64_t ops = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    ops = open_and_walk(large_10k().string());
    best_ms = std::min(best_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  state.counters["ops"] = static_cast<double>(ops);
  state.counters["best_ms"] = best_ms;
  state.counters["read_bytes_ms"] = read_ms;
  state.counters["ratio_vs_read"] = best_ms / read_ms;
}
BENCHMARK(BM_OpenWalk_Large10k)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// A program with one 1 GiB fp16 constant (zero-filled, reserved with ftruncate: no disk blocks).
fs::path sparse_1gib_package() {
  fs::path pkg = fs::path(MLSCOPE_BINARY_DIR) / "bench-scratch" / "sparse_1gib.mlpackage";
  if (fs::exists(pkg / "Manifest.json")) return pkg;
  fs::remove_all(pkg);
  fs::create_directories(pkg.parent_path());
  ir::Model m;
  m.kind = "mlProgram";
  m.specification_version = 8;
  ir::Function f;
  f.name = "main";
  f.opset = "CoreML7";
  ir::BlockId body = f.add_block(ir::kNone);
  f.specializations.push_back({"CoreML7", body});
  ir::Type wt = ir::Type::tensor(ir::DType::Float16, ir::Shape{512, 1024, 1024});
  ir::Constant zeros;
  zeros.type = wt;
  ir::Op c;
  c.type = "const";
  c.name = "w";
  c.outputs.push_back(f.add_value("w", wt, body));
  c.attributes.push_back({"val", std::make_shared<const ir::Constant>(zeros)});
  f.add_op(body, std::move(c));
  ir::Op id;
  id.type = "identity";
  id.name = "out";
  id.inputs.push_back({"x", {{f.ops[0].outputs[0], nullptr}}});
  id.outputs.push_back(f.add_value("y", wt, body));
  f.add_op(body, std::move(id));
  f.blocks[static_cast<size_t>(body)].outputs = {f.ops[1].outputs[0]};
  f.rebuild_uses();
  m.functions.push_back(std::move(f));
  format::WriteOptions opt;
  opt.sparse_zero_constants = true;
  format::write_mlpackage(m, pkg.string(), opt);
  return pkg;
}

void BM_OpenPeakRSS_Sparse1GiB(benchmark::State& state) {
  const fs::path pkg = sparse_1gib_package();
  const auto weight_bytes = fs::file_size(pkg / "Data/com.apple.CoreML/weights/weight.bin");
  const fs::path out = pkg.parent_path() / "child_vmhwm.txt";
  long max_ru_kb = 0, max_hwm_kb = 0;
  for (auto _ : state) {
    pid_t pid = fork();
    if (pid == 0) {
      setenv(kChildEnv, pkg.c_str(), 1);
      setenv(kChildOutEnv, out.c_str(), 1);
      execl("/proc/self/exe", "mlscope_bench", static_cast<char*>(nullptr));
      std::_Exit(127);
    }
    int status = 0;
    rusage ru{};
    wait4(pid, &status, 0, &ru);  // this child's own rusage
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return state.SkipWithError("child failed to open the package");
    long hwm = -1;
    std::ifstream(out) >> hwm;
    max_ru_kb = std::max(max_ru_kb, ru.ru_maxrss);
    max_hwm_kb = std::max(max_hwm_kb, hwm);
  }
  state.counters["weight_file_MiB"] = static_cast<double>(weight_bytes) / (1 << 20);
  // Peak RSS of the process that opened the package (after exec; the target is <= 64 MiB).
  state.counters["child_peak_rss_MiB"] = static_cast<double>(max_hwm_kb) / 1024.0;
  // ru_maxrss also counts the parent's pages the child held between fork and exec.
  state.counters["child_ru_maxrss_MiB"] = static_cast<double>(max_ru_kb) / 1024.0;
}
BENCHMARK(BM_OpenPeakRSS_Sparse1GiB)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
