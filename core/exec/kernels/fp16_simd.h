// Exact fp16 rounding of float arrays, vectorized. x86_64 CI machines guarantee only SSE2, so
// the F16C / AVX-512 paths are compiled with target attributes and chosen at run time; every
// path gives the same bits as round_to_half() (IEEE round-to-nearest-even, subnormals, ±inf).
#pragma once

#include <cstddef>
#include <span>

#include "core/exec/numeric_profile.h"

namespace mlscope::exec {

/// Which instruction set the fp16 kernels use on this machine: "avx512f", "avx2+f16c" or "scalar".
const char* fp16_simd_path();

/// Rounds every value of `v` to fp16 precision in place under `mode` (storage rounding).
void round_fp16_inplace(std::span<float> v, RoundingMode mode);

/// The portable branch-free round-to-nearest-even used when F16C is missing (exposed for its
/// exactness test against round_to_half).
float round_fp16_branchfree(float v);

namespace detail {
enum class SimdPath : unsigned char { Scalar, Avx2F16c, Avx512 };
SimdPath simd_path();
/// Test hook: force a path (only downgrades are honored; the CPU must support it).
void force_simd_path(SimdPath p);
}  // namespace detail

}  // namespace mlscope::exec
