#include "core/exec/kernels/gemm.h"

#include <oneapi/dnnl/dnnl.h>
#if DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP
#include <omp.h>
#endif
// GCC 12 warns inside its own AVX-512 conversion intrinsics (an intentionally undefined
// temporary); the warning says nothing about this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/exec/kernels/fp16_simd.h"
#include "core/exec/parallel.h"
#include "core/util/simd_clones.h"

namespace mlscope::exec {

namespace {

// Every path below computes, per output, exactly the reference definition
// (gemm_reference): p = fl32(a*b); if round_products p = r16(p); part = fl32(part + p), then
// r16(part) when accumulating in fp16; chunks of `chunk` terms are added in order to a fp32
// total that starts at 0. Lanes run over outputs (columns), never over k, so each output's
// summation order is the reference's. No FMA contraction is allowed here: products are rounded
// to fp32 before they are added (the intrinsics below are separate mul and add).

// Portable kernel: one row of A against columns [n0, n0+nb) of B, into total[0..nb).
void rows_portable(const OpNumerics& num, const float* a, const float* B, int64_t ldB, int64_t n0, int64_t nb, int64_t K,
                   int64_t chunk, float* total) {
  const bool rp = num.round_products, f16 = num.accumulation == AccumMode::Fp16;
  std::vector<float> part(static_cast<size_t>(nb));
  std::fill(total, total + nb, 0.0f);
  for (int64_t k0 = 0; k0 < K; k0 += chunk) {
    std::fill(part.begin(), part.end(), 0.0f);
    const int64_t k1 = std::min(K, k0 + chunk);
    for (int64_t k = k0; k < k1; ++k) {
      const float av = a[k];
      const float* b = B + k * ldB + n0;
      for (int64_t j = 0; j < nb; ++j) {
        float p = av * b[j];
        if (rp) p = round_fp16_branchfree(p);
        float s = part[size_t(j)] + p;
        part[size_t(j)] = f16 ? round_fp16_branchfree(s) : s;
      }
    }
    for (int64_t j = 0; j < nb; ++j) total[j] += part[size_t(j)];
  }
}

#if defined(__x86_64__) || defined(__i386__)
constexpr int kRoundImm = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;

// AVX-512: a tile of MR rows x 32 columns (two zmm per row), accumulators in registers.
template <bool RP, bool F16>
__attribute__((target("avx512f"))) void tile_avx512(const float* A, int64_t K, const float* B, int64_t ldB, int64_t chunk, float* out) {
  constexpr int MR = 8;
  alignas(64) float tot[MR][32] = {};
  for (int64_t k0 = 0; k0 < K; k0 += chunk) {
    const int64_t k1 = std::min(K, k0 + chunk);
    __m512 acc[MR][2];
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    for (int64_t k = k0; k < k1; ++k) {
      const __m512 b0 = _mm512_loadu_ps(B + k * ldB), b1 = _mm512_loadu_ps(B + k * ldB + 16);
#pragma GCC unroll 8
      for (int r = 0; r < MR; ++r) {
        const __m512 a = _mm512_set1_ps(A[r * K + k]);
        __m512 p0 = _mm512_mul_ps(a, b0), p1 = _mm512_mul_ps(a, b1);
        if constexpr (RP) {
          p0 = _mm512_cvtph_ps(_mm512_cvtps_ph(p0, kRoundImm));
          p1 = _mm512_cvtph_ps(_mm512_cvtps_ph(p1, kRoundImm));
        }
        acc[r][0] = _mm512_add_ps(acc[r][0], p0);
        acc[r][1] = _mm512_add_ps(acc[r][1], p1);
        if constexpr (F16) {
          acc[r][0] = _mm512_cvtph_ps(_mm512_cvtps_ph(acc[r][0], kRoundImm));
          acc[r][1] = _mm512_cvtph_ps(_mm512_cvtps_ph(acc[r][1], kRoundImm));
        }
      }
    }
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      _mm512_store_ps(tot[r], _mm512_add_ps(_mm512_load_ps(tot[r]), acc[r][0]));
      _mm512_store_ps(tot[r] + 16, _mm512_add_ps(_mm512_load_ps(tot[r] + 16), acc[r][1]));
    }
  }
  std::memcpy(out, tot, sizeof tot);
}

// AVX2 + F16C: a tile of MR rows x 16 columns (two ymm per row).
template <bool RP, bool F16>
__attribute__((target("avx2,f16c"))) void tile_avx2(const float* A, int64_t K, const float* B, int64_t ldB, int64_t chunk, float* out) {
  constexpr int MR = 4;
  alignas(32) float tot[MR][16] = {};
  for (int64_t k0 = 0; k0 < K; k0 += chunk) {
    const int64_t k1 = std::min(K, k0 + chunk);
    __m256 acc[MR][2];
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (int64_t k = k0; k < k1; ++k) {
      const __m256 b0 = _mm256_loadu_ps(B + k * ldB), b1 = _mm256_loadu_ps(B + k * ldB + 8);
#pragma GCC unroll 4
      for (int r = 0; r < MR; ++r) {
        const __m256 a = _mm256_broadcast_ss(A + r * K + k);
        __m256 p0 = _mm256_mul_ps(a, b0), p1 = _mm256_mul_ps(a, b1);
        if constexpr (RP) {
          p0 = _mm256_cvtph_ps(_mm256_cvtps_ph(p0, kRoundImm));
          p1 = _mm256_cvtph_ps(_mm256_cvtps_ph(p1, kRoundImm));
        }
        acc[r][0] = _mm256_add_ps(acc[r][0], p0);
        acc[r][1] = _mm256_add_ps(acc[r][1], p1);
        if constexpr (F16) {
          acc[r][0] = _mm256_cvtph_ps(_mm256_cvtps_ph(acc[r][0], kRoundImm));
          acc[r][1] = _mm256_cvtph_ps(_mm256_cvtps_ph(acc[r][1], kRoundImm));
        }
      }
    }
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r) {
      _mm256_store_ps(tot[r], _mm256_add_ps(_mm256_load_ps(tot[r]), acc[r][0]));
      _mm256_store_ps(tot[r] + 8, _mm256_add_ps(_mm256_load_ps(tot[r] + 8), acc[r][1]));
    }
  }
  std::memcpy(out, tot, sizeof tot);
}
#endif

using TileFn = void (*)(const float*, int64_t, const float*, int64_t, int64_t, float*);

struct TileKernel {
  TileFn fn = nullptr;
  int mr = 0, nr = 0;
};

TileKernel pick_tile(bool rp, bool f16) {
  TileKernel t;
#if defined(__x86_64__) || defined(__i386__)
  switch (detail::simd_path()) {
    case detail::SimdPath::Avx512:
      t.mr = 8, t.nr = 32;
      t.fn = rp ? (f16 ? tile_avx512<true, true> : tile_avx512<true, false>) : (f16 ? tile_avx512<false, true> : tile_avx512<false, false>);
      break;
    case detail::SimdPath::Avx2F16c:
      t.mr = 4, t.nr = 16;
      t.fn = rp ? (f16 ? tile_avx2<true, true> : tile_avx2<true, false>) : (f16 ? tile_avx2<false, true> : tile_avx2<false, false>);
      break;
    case detail::SimdPath::Scalar: break;
  }
#else
  (void)rp, (void)f16;
#endif
  return t;
}

// Toward-zero rounding: exact scalar path, one output at a time (user-defined profiles only).
float dot_toward_zero(const OpNumerics& num, const float* a, const float* b, int64_t K, int64_t bstride, int64_t chunk) {
  const bool f16 = num.accumulation == AccumMode::Fp16;
  float total = 0;
  for (int64_t k0 = 0; k0 < K; k0 += chunk) {
    float part = 0;
    for (int64_t k = k0; k < std::min(K, k0 + chunk); ++k) {
      float p = a[k] * b[k * bstride];
      if (num.round_products) p = round_fp16(p, num.rounding);
      part = f16 ? round_fp16(part + p, num.rounding) : part + p;
    }
    total += part;
  }
  return total;
}

// Rows [m_begin, m_end) of C (A is Mpad x K contiguous, padded with zero rows to whole tiles).
void profile_rows(const OpNumerics& num, const TileKernel& tk, int64_t m_begin, int64_t m_end, int64_t M, int64_t N, int64_t K,
                  int64_t chunk, const float* Am, const float* B, int64_t ldB, float* C, int64_t ldc) {
  const bool nearest = num.rounding == RoundingMode::NearestEven;
  std::vector<float> tile(static_cast<size_t>(std::max(tk.mr * tk.nr, 1)));
  std::vector<float> row(static_cast<size_t>(N));
  const int64_t n_tiled = tk.fn && nearest ? N / tk.nr * tk.nr : 0;
  for (int64_t m0 = m_begin; m0 < m_end; m0 += std::max(tk.mr, 1)) {
    const int64_t mr = tk.fn ? std::min<int64_t>(tk.mr, M - m0) : 1;
    for (int64_t n0 = 0; n0 < n_tiled; n0 += tk.nr) {
      tk.fn(Am + m0 * K, K, B + n0, ldB, chunk, tile.data());
      for (int64_t r = 0; r < mr; ++r) std::memcpy(C + (m0 + r) * ldc + n0, tile.data() + r * tk.nr, size_t(tk.nr) * sizeof(float));
    }
    if (n_tiled == N) continue;
    for (int64_t r = 0; r < mr; ++r) {
      const float* a = Am + (m0 + r) * K;
      if (nearest) {
        rows_portable(num, a, B, ldB, n_tiled, N - n_tiled, K, chunk, row.data());
      } else {
        for (int64_t j = n_tiled; j < N; ++j) row[size_t(j - n_tiled)] = dot_toward_zero(num, a, B + j, K, ldB, chunk);
      }
      std::memcpy(C + (m0 + r) * ldc + n_tiled, row.data(), size_t(N - n_tiled) * sizeof(float));
    }
  }
}

// Products smaller than this many multiply-adds run on one thread (handing work over would dominate).
constexpr double kParallelMacs = 4e6;

// oneDNN's sgemm runs single-threaded here: the interpreter splits each product across its own
// threads (column blocks below; tiles in conv), which a sweep caps to one per run. Left to its
// OpenMP runtime, every calling thread would start a team of its own (more threads than cores,
// spinning while the elementwise kernels run), and the thread count would change its fp32 sums
// at the last bit between contexts. OpenMP's thread count belongs to the calling thread and the
// host program may change it (a benchmark timing sgemm on every core does), so it is checked on
// every call.
void use_single_threaded_blas() {
#if DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP
  if (omp_get_max_threads() != 1) omp_set_num_threads(1);
#endif
}

// C[:, n0:n1) for one column block: single-threaded sgemm, the same arithmetic per output
// whatever the block (sgemm's K blocking does not depend on N).
void blas_columns(int64_t M, int64_t n0, int64_t n1, int64_t K, const float* A, int64_t lda, bool transA, const float* B,
                  int64_t ldb, bool transB, float* C, int64_t ldc) {
  use_single_threaded_blas();
  const float* Bn = transB ? B + n0 * ldb : B + n0;
  // dnnl_sgemm is row-major like the rest of this file; a failure status means bad arguments,
  // which the callers' shape checks rule out.
  const dnnl_status_t st = dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', M, n1 - n0, K, 1.0f, A, lda, Bn, ldb, 0.0f, C + n0, ldc);
  if (st != dnnl_success) throw std::runtime_error("dnnl_sgemm failed with status " + std::to_string(int(st)));
}

MLSCOPE_SIMD_CLONES void add_to_total(const float* __restrict part, double* __restrict total, size_t n) {
  for (size_t i = 0; i < n; ++i) total[i] += double(part[i]);
}
MLSCOPE_SIMD_CLONES void round_total(const double* __restrict total, float* __restrict out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = float(total[i]);
}
}  // namespace

namespace {
// Terms whose sum stays within 2^24 however sgemm orders it: 258 at 255^2.
int64_t exact_terms(double max_abs_product) {
  return std::max<int64_t>(1, int64_t(16777216.0 / std::max(1.0, max_abs_product)));
}
}  // namespace

void gemm_integer_codes_exact(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
                              bool transB, double* C, double max_abs_product) {
  const int64_t chunk = exact_terms(max_abs_product);
  const OpNumerics plain;  // fp32 sums of unrounded products: sgemm
  // Chunk results are integers below 2^24; their sums stay exact in double (below 2^53).
  std::fill(C, C + M * N, 0.0);
  std::vector<float> part(size_t(M * N));
  for (int64_t k0 = 0; k0 < K; k0 += chunk) {
    gemm(plain, M, N, std::min(chunk, K - k0), A + k0, lda, false, transB ? B + k0 : B + k0 * ldb, ldb, transB, part.data(), N);
    add_to_total(part.data(), C, part.size());
  }
}

void gemm_integer_codes(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
                        int64_t ldc, double max_abs_product) {
  if (K <= exact_terms(max_abs_product)) {
    gemm(OpNumerics{}, M, N, K, A, lda, false, B, ldb, false, C, ldc);  // one chunk: sgemm's sums are exact
    return;
  }
  std::vector<double> total(size_t(M * N));
  gemm_integer_codes_exact(M, N, K, A, lda, B, ldb, false, total.data(), max_abs_product);
  for (int64_t m = 0; m < M; ++m) round_total(total.data() + m * N, C + m * ldc, size_t(N));
}

bool gemm_uses_blas(const OpNumerics& num) {
  return num.accumulation == AccumMode::Fp32 && !num.round_products && num.accumulation_chunk == 0;
}

void gemm_reference(const OpNumerics& num, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, bool transA, const float* B,
                    int64_t ldb, bool transB, float* C, int64_t ldc) {
  const int64_t chunk = num.accumulation_chunk > 0 ? num.accumulation_chunk : std::max<int64_t>(K, 1);
  const bool f16 = num.accumulation == AccumMode::Fp16;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      float total = 0;
      for (int64_t k0 = 0; k0 < K; k0 += chunk) {
        float part = 0;
        for (int64_t k = k0; k < std::min(K, k0 + chunk); ++k) {
          const float a = transA ? A[k * lda + m] : A[m * lda + k];
          const float b = transB ? B[n * ldb + k] : B[k * ldb + n];
          float p = a * b;
          if (num.round_products) p = round_fp16(p, num.rounding);
          part = f16 ? round_fp16(part + p, num.rounding) : part + p;
        }
        total += part;
      }
      C[m * ldc + n] = total;
    }
}

void gemm(const OpNumerics& num, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, bool transA,
          const float* B, int64_t ldb, bool transB, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    for (int64_t m = 0; m < M; ++m) std::memset(C + m * ldc, 0, size_t(N) * sizeof(float));
    return;
  }
  if (gemm_uses_blas(num)) {
    // Column blocks fixed by the shape alone (never by the thread count: sgemm's edge kernels
    // round differently for different block widths), spread over the kernel threads.
    const int64_t blocks = double(M) * double(N) * double(K) < kParallelMacs ? 1 : std::clamp<int64_t>(N / 256, 1, 8);
    const int64_t block = (N / blocks + 15) / 16 * 16;
    parallel_for(uint64_t(blocks), [&](uint64_t b0, uint64_t b1) {
      for (uint64_t b = b0; b < b1; ++b) {
        const int64_t n0 = std::min(N, int64_t(b) * block), n1 = b + 1 == uint64_t(blocks) ? N : std::min(N, n0 + block);
        if (n0 < n1) blas_columns(M, n0, n1, K, A, lda, transA, B, ldb, transB, C, ldc);
      }
    }, 1);
    return;
  }
  const TileKernel tk = pick_tile(num.round_products, num.accumulation == AccumMode::Fp16);
  const int64_t mr = std::max(tk.mr, 1);
  const int64_t Mpad = (M + mr - 1) / mr * mr;
  // Contiguous copies: Am (Mpad x K, zero rows past M), Bk (K x N) when B is transposed, so the
  // lanes run over contiguous columns.
  std::vector<float> Am(size_t(Mpad * K), 0.0f), Bk;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < K; ++k) Am[size_t(m * K + k)] = transA ? A[k * lda + m] : A[m * lda + k];
  const float* Bp = B;
  int64_t ldB = ldb;
  if (transB) {
    Bk.resize(size_t(K * N));
    for (int64_t k = 0; k < K; ++k)
      for (int64_t n = 0; n < N; ++n) Bk[size_t(k * N + n)] = B[n * ldb + k];
    Bp = Bk.data();
    ldB = N;
  }
  const int64_t chunk = num.accumulation_chunk > 0 ? num.accumulation_chunk : K;
  const int64_t tiles = Mpad / mr;
  if (double(M) * double(N) * double(K) < kParallelMacs || tiles < 2) {
    profile_rows(num, tk, 0, M, M, N, K, chunk, Am.data(), Bp, ldB, C, ldc);
    return;
  }
  // Row tiles split over the kernel threads; each output is still computed by one sequential chain.
  parallel_for(uint64_t(tiles), [&](uint64_t t0, uint64_t t1) {
    const int64_t m0 = int64_t(t0) * mr, m1 = std::min(M, int64_t(t1) * mr);
    if (m0 < m1) profile_rows(num, tk, m0, m1, M, N, K, chunk, Am.data(), Bp, ldB, C, ldc);
  }, 1);
}

}  // namespace mlscope::exec
