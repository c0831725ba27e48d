#include "core/exec/gemm.h"

#include <cblas.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "core/util/half.h"

namespace mlscope::exec {

namespace {

inline uint32_t bits_of(float f) { uint32_t b; std::memcpy(&b, &f, 4); return b; }
inline float from_bits(uint32_t b) { float f; std::memcpy(&f, &b, 4); return f; }

// Round-to-nearest-even to fp16 precision for values in the fp16 normal range; `bad` is set
// when the value is outside it (fp16 subnormal or overflow) so the caller recomputes exactly.
inline float r16_fast(float v, uint32_t& bad) {
  uint32_t b = bits_of(v);
  uint32_t a = b & 0x7FFFFFFFu;
  bad |= static_cast<uint32_t>((a - 0x38800000u) >= (0x477FF000u - 0x38800000u)) & static_cast<uint32_t>(a != 0);
  return from_bits((b + 0xFFFu + ((b >> 13) & 1u)) & 0xFFFFE000u);
}

inline float r16(float v, RoundingMode m) { return round_fp16(v, m); }

// One output row block: acc over k of product rules, exact scalar version (reference path).
float dot_exact(const OpNumerics& num, const float* a, const float* b, int64_t K, int64_t bstride) {
  const bool fp16acc = num.accumulation == AccumMode::Fp16;
  float total = 0, part = 0;
  int n = 0;
  for (int64_t k = 0; k < K; ++k) {
    float p = a[k] * b[k * bstride];
    if (num.round_products) p = r16(p, num.rounding);
    part = fp16acc ? r16(part + p, num.rounding) : part + p;
    if (num.accumulation_chunk > 0 && ++n == num.accumulation_chunk) {
      total += part;
      part = 0;
      n = 0;
    }
  }
  return total + part;
}

}  // namespace

bool gemm_uses_blas(const OpNumerics& num) {
  return num.accumulation == AccumMode::Fp32 && !num.round_products && num.accumulation_chunk == 0;
}

void gemm(const OpNumerics& num, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, bool transA,
          const float* B, int64_t ldb, bool transB, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    for (int64_t m = 0; m < M; ++m) std::memset(C + m * ldc, 0, size_t(N) * sizeof(float));
    return;
  }
  if (gemm_uses_blas(num)) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, int(M), int(N), int(K),
                1.0f, A, int(lda), B, int(ldb), 0.0f, C, int(ldc));
    return;
  }
  // Contiguous copies: Am (M×K), Bk (K×N), so the inner loop runs over n (vectorizable).
  std::vector<float> Am(size_t(M * K)), Bk(size_t(K * N));
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < K; ++k) Am[size_t(m * K + k)] = transA ? A[k * lda + m] : A[m * lda + k];
  for (int64_t k = 0; k < K; ++k)
    for (int64_t n = 0; n < N; ++n) Bk[size_t(k * N + n)] = transB ? B[n * ldb + k] : B[k * ldb + n];
  const bool fp16acc = num.accumulation == AccumMode::Fp16;
  const bool nearest = num.rounding == RoundingMode::NearestEven;
  const int64_t chunk = num.accumulation_chunk > 0 ? num.accumulation_chunk : K;
  constexpr int64_t NB = 256;
  std::vector<float> part(NB), total(NB);
  for (int64_t m = 0; m < M; ++m) {
    const float* a = &Am[size_t(m * K)];
    for (int64_t n0 = 0; n0 < N; n0 += NB) {
      const int64_t nb = std::min(NB, N - n0);
      std::fill(total.begin(), total.begin() + nb, 0.0f);
      uint32_t bad = 0;
      if (nearest) {
        for (int64_t k0 = 0; k0 < K; k0 += chunk) {
          std::fill(part.begin(), part.begin() + nb, 0.0f);
          const int64_t k1 = std::min(K, k0 + chunk);
          for (int64_t k = k0; k < k1; ++k) {
            const float av = a[k];
            const float* b = &Bk[size_t(k * N + n0)];
            float* p = part.data();
            if (num.round_products && fp16acc) {
              for (int64_t j = 0; j < nb; ++j) p[j] = r16_fast(p[j] + r16_fast(av * b[j], bad), bad);
            } else if (num.round_products) {
              for (int64_t j = 0; j < nb; ++j) p[j] += r16_fast(av * b[j], bad);
            } else {
              for (int64_t j = 0; j < nb; ++j) p[j] = r16_fast(p[j] + av * b[j], bad);
            }
          }
          for (int64_t j = 0; j < nb; ++j) total[size_t(j)] += part[size_t(j)];
        }
      }
      if (!nearest || bad) {
        // Exact scalar path (subnormal/overflowing fp16 values or toward-zero rounding).
        for (int64_t j = 0; j < nb; ++j) total[size_t(j)] = dot_exact(num, a, &Bk[size_t(n0 + j)], K, N);
      }
      std::memcpy(C + m * ldc + n0, total.data(), size_t(nb) * sizeof(float));
    }
  }
  (void)fp16acc;
}

}  // namespace mlscope::exec
