// exp over float arrays through glibc's vector math library (libmvec: AVX-512 or AVX2 variants,
// chosen at run time; within 3 ulp, where scalar expf is within 1) — the elementwise
// activations spent more time in scalar expf calls than in their memory traffic. Elsewhere
// (macOS, other CPUs) it is std::exp. Every element goes through the same routine whatever its
// position, so results do not depend on how a caller splits an array between threads.
#pragma once

#include <cstddef>

namespace mlscope::exec {

/// out[i] = exp(in[i]) for i < n (in and out may be the same array).
void exp_array(const float* in, float* out, size_t n);

/// Which implementation exp_array uses here: "libmvec-avx512", "libmvec-avx2" or "scalar".
const char* exp_array_path();

}  // namespace mlscope::exec
