// MIL text parsing speed on the largest real model.mil in the corpus (silero-vad 256 ms,
// 1000+ ops), as bytes/s and as a ratio against the machine's own limit: a memchr line scan of
// the same bytes (touching every byte once, doing nothing else).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/format/mil_lexer.h"
#include "core/format/mil_parser.h"
#include "core/format/mil_printer.h"

namespace {

namespace fs = std::filesystem;

fs::path shared_dir() {
  if (const char* env = std::getenv("MLSCOPE_SHARED_DIR")) return env;
  return fs::weakly_canonical(fs::path(MLSCOPE_SHARED_DIR));
}

const fs::path& bundle() {
  static const fs::path p =
      shared_dir() / "corpus" / "silero-vad-256ms-mlmodelc" / "silero-vad-unified-256ms-v6.0.0.mlmodelc";
  return p;
}

const std::string& text() {
  static const std::string t = [] {
    std::ifstream in(bundle() / "model.mil", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }();
  return t;
}

bool have_text(benchmark::State& state) {
  if (!text().empty()) return true;
  state.SkipWithError("../shared corpus not found: silero-vad-256ms model.mil missing");
  return false;
}

size_t count_lines(const std::string& t) {
  size_t lines = 0;
  const char* p = t.data();
  const char* end = p + t.size();
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    if (!nl) break;
    ++lines;
    p = static_cast<const char*>(nl) + 1;
  }
  return lines;
}

/// Seconds per memchr line scan of the text, measured now (same run, same machine state).
double memchr_scan_seconds() {
  const int reps = 2000;
  auto t0 = std::chrono::steady_clock::now();
  size_t sink = 0;
  for (int i = 0; i < reps; ++i) {
    sink += count_lines(text());
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(sink);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
}

// The machine's limit for "look at every byte": count lines with memchr.
void BM_MilLineScanMemchr(benchmark::State& state) {
  if (!have_text(state)) return;
  const std::string& t = text();
  for (auto _ : state) {
    size_t lines = count_lines(t);
    benchmark::DoNotOptimize(lines);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(t.size()));
}
BENCHMARK(BM_MilLineScanMemchr);

void BM_MilLexOnly(benchmark::State& state) {
  if (!have_text(state)) return;
  for (auto _ : state) {
    mlscope::format::MilLexer lex(text(), "model.mil");
    size_t n = 0;
    while (lex.next().kind != mlscope::format::MilToken::Kind::End) ++n;
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text().size()));
}
BENCHMARK(BM_MilLexOnly);

// Full parse into IR: types, literals, name resolution, BLOBFILE records (weight file mmap'd).
void BM_MilParseSilero256ms(benchmark::State& state) {
  if (!have_text(state)) return;
  mlscope::format::MilSource src{"model.mil", bundle().string(), false};
  int64_t ops = 0;
  double scan = memchr_scan_seconds();
  double parse_total = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    mlscope::ir::Model m;
    mlscope::format::parse_mil_program(text(), src, m);
    ops = m.op_count();
    benchmark::DoNotOptimize(m);
    parse_total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  state.counters["ops"] = static_cast<double>(ops);
  // Parse speed as a fraction of the memchr scan speed (1.0 = as fast as just finding newlines).
  state.counters["ratio_vs_memchr"] = scan / (parse_total / static_cast<double>(state.iterations()));
  state.counters["MB"] = static_cast<double>(text().size()) / 1e6;
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text().size()));
}
BENCHMARK(BM_MilParseSilero256ms)->Unit(benchmark::kMicrosecond);

void BM_MilPrintSilero256ms(benchmark::State& state) {
  if (!have_text(state)) return;
  mlscope::format::MilSource src{"model.mil", bundle().string(), false};
  mlscope::ir::Model m;
  mlscope::format::parse_mil_program(text(), src, m);
  for (auto _ : state) {
    auto t = mlscope::format::print_mil_text(m);
    benchmark::DoNotOptimize(t);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text().size()));
}
BENCHMARK(BM_MilPrintSilero256ms)->Unit(benchmark::kMicrosecond);

}  // namespace
