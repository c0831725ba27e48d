#include "core/exec/kernels/vector_math.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/exec/kernels/fp16_simd.h"

#if defined(__x86_64__) && defined(__GLIBC__)
#define MLSCOPE_HAVE_LIBMVEC 1
#include <immintrin.h>
// glibc's vector ABI names (x86_64 vector function ABI: 'e' = AVX-512, 'd' = AVX2).
extern "C" __m512 _ZGVeN16v_expf(__m512);
extern "C" __m256 _ZGVdN8v_expf(__m256);
#endif

namespace mlscope::exec {

namespace {

#ifdef MLSCOPE_HAVE_LIBMVEC
// A partial last vector goes through the same vector routine from a padded copy.
__attribute__((target("avx512f"))) void exp_avx512(const float* in, float* out, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, _ZGVeN16v_expf(_mm512_loadu_ps(in + i)));
  if (i < n) {
    alignas(64) float tail[16] = {};
    std::memcpy(tail, in + i, (n - i) * sizeof(float));
    _mm512_store_ps(tail, _ZGVeN16v_expf(_mm512_load_ps(tail)));
    std::memcpy(out + i, tail, (n - i) * sizeof(float));
  }
}

__attribute__((target("avx2"))) void exp_avx2(const float* in, float* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _ZGVdN8v_expf(_mm256_loadu_ps(in + i)));
  if (i < n) {
    alignas(32) float tail[8] = {};
    std::memcpy(tail, in + i, (n - i) * sizeof(float));
    _mm256_store_ps(tail, _ZGVdN8v_expf(_mm256_load_ps(tail)));
    std::memcpy(out + i, tail, (n - i) * sizeof(float));
  }
}
#endif

}  // namespace

void exp_array(const float* in, float* out, size_t n) {
#ifdef MLSCOPE_HAVE_LIBMVEC
  switch (detail::simd_path()) {
    case detail::SimdPath::Avx512: exp_avx512(in, out, n); return;
    case detail::SimdPath::Avx2F16c: exp_avx2(in, out, n); return;
    case detail::SimdPath::Scalar: break;
  }
#endif
  for (size_t i = 0; i < n; ++i) out[i] = std::exp(in[i]);
}

const char* exp_array_path() {
#ifdef MLSCOPE_HAVE_LIBMVEC
  switch (detail::simd_path()) {
    case detail::SimdPath::Avx512: return "libmvec-avx512";
    case detail::SimdPath::Avx2F16c: return "libmvec-avx2";
    case detail::SimdPath::Scalar: break;
  }
#endif
  return "scalar";
}

}  // namespace mlscope::exec
