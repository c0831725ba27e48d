// The seed network the exec, compare and band benchmarks run (corpus-gen/amplified_conv_tie_w8a8_ct9,
// five convs at 224x224): where it is, its multiply-adds, and the skip when ../shared is absent.
#pragma once

#include <benchmark/benchmark.h>

#include <filesystem>

namespace mlscope::bench {

inline const std::filesystem::path kSeedDir = std::filesystem::path(MLSCOPE_SHARED_DIR) / "corpus-gen" / "amplified_conv_tie_w8a8_ct9";

/// Multiply-adds of its convs and linear, from the shapes: conv 3->64, 3 x conv 64->64 (3x3),
/// conv 64->16 (1x1) at 224x224, linear 16->2.
inline double seed_multiply_adds() {
  const double hw = 224.0 * 224.0;
  return hw * (64 * 3 * 9 + 3 * 64 * 64 * 9 + 16 * 64) + 16 * 2;
}

/// False (the benchmark skipped with the reason) when ../shared is not beside the checkout.
inline bool seed_found(benchmark::State& state) {
  if (std::filesystem::exists(kSeedDir)) return true;
  state.SkipWithError("../shared/corpus-gen/amplified_conv_tie_w8a8_ct9 not found");
  return false;
}

}  // namespace mlscope::bench
