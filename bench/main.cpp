// The one main() of mlscope_bench; benchmark files only register benchmarks.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
