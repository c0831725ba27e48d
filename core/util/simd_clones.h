// Hot elementwise loops compiled for AVX-512, AVX2 and baseline x86-64 at once, the best clone
// picked when the program loads (GCC function multiversioning). The default build targets
// baseline x86-64 (SSE2) so that it runs everywhere; these loops then use 4 lanes where the
// machine has 16. Only for loops whose every operation is an exactly rounded IEEE operation
// (no FMA: the kernels build with -ffp-contract=off), so every clone gives the same bits.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define MLSCOPE_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MLSCOPE_SIMD_CLONES
#endif
