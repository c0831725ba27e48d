// The one main() of mlscope_bench (every bench/*.cpp only registers benchmarks).
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
