#include "core/exec/kernels/fp16_simd.h"

// GCC 12 warns inside its own AVX-512 conversion intrinsics (an intentionally undefined
// temporary); the warning says nothing about this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <atomic>
#include <cstring>

#include "core/util/half.h"

namespace mlscope::exec {

namespace detail {

namespace {
SimdPath detect() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return SimdPath::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c")) return SimdPath::Avx2F16c;
#endif
  return SimdPath::Scalar;
}
const SimdPath kDetected = detect();
std::atomic<SimdPath> g_path{kDetected};
}  // namespace

SimdPath simd_path() { return g_path.load(std::memory_order_relaxed); }
void force_simd_path(SimdPath p) { g_path.store(p <= kDetected ? p : kDetected, std::memory_order_relaxed); }

}  // namespace detail

const char* fp16_simd_path() {
  switch (detail::simd_path()) {
    case detail::SimdPath::Avx512: return "avx512f";
    case detail::SimdPath::Avx2F16c: return "avx2+f16c";
    case detail::SimdPath::Scalar: break;
  }
  return "scalar";
}

namespace {

inline uint32_t bits_of(float f) { uint32_t b; std::memcpy(&b, &f, 4); return b; }
inline float from_bits(uint32_t b) { float f; std::memcpy(&f, &b, 4); return f; }

// Normal range: round the float's mantissa to 10 bits (nearest-even); fp16 subnormal range: the
// add-and-subtract trick (the float ulp at 0.75 is 2^-24, the fp16 subnormal spacing);
// |v| >= 65520 becomes inf; NaN stays NaN.
inline float r16_portable(float v) {
  uint32_t b = bits_of(v);
  const uint32_t a = b & 0x7FFFFFFFu;
  const uint32_t normal = (b + 0xFFFu + ((b >> 13) & 1u)) & 0xFFFFE000u;
  const uint32_t sub = bits_of((v + 0.75f) - 0.75f) | (b & 0x80000000u);  // keep -0
  const uint32_t inf = (b & 0x80000000u) | 0x7F800000u;
  uint32_t r = a < 0x38800000u ? sub : normal;
  r = (a >= 0x477FF000u && a <= 0x7F800000u) ? inf : r;
  r = a > 0x7F800000u ? (b | 0x00400000u) : r;
  return from_bits(r);
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx512f"))) void round_avx512(float* p, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(p + i, _mm512_cvtph_ps(_mm512_cvtps_ph(_mm512_loadu_ps(p + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)));
  if (i < n) {
    const __mmask16 m = __mmask16((1u << (n - i)) - 1u);
    const __m512 v = _mm512_maskz_loadu_ps(m, p + i);
    _mm512_mask_storeu_ps(p + i, m, _mm512_cvtph_ps(_mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)));
  }
}

__attribute__((target("avx2,f16c"))) void round_avx2(float* p, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(p + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(p + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)));
  for (; i < n; ++i) p[i] = r16_portable(p[i]);
}
#endif

}  // namespace

float round_fp16_branchfree(float v) { return r16_portable(v); }

void round_fp16_inplace(std::span<float> v, RoundingMode mode) {
  if (mode != RoundingMode::NearestEven) {
    for (float& x : v) x = round_fp16(x, mode);
    return;
  }
  switch (detail::simd_path()) {
#if defined(__x86_64__) || defined(__i386__)
    case detail::SimdPath::Avx512: round_avx512(v.data(), v.size()); return;
    case detail::SimdPath::Avx2F16c: round_avx2(v.data(), v.size()); return;
#endif
    default: break;
  }
  for (float& x : v) x = r16_portable(x);
}

}  // namespace mlscope::exec
