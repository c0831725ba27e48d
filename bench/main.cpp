// The one main() of mlscope_bench (each bench/*.cpp only registers benchmarks).
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
