// Matrix product under a profile's accumulation rules. With fp32 accumulation of unrounded
// products it is oneDNN's sgemm (AVX-512 or AVX2 kernels chosen at run time, the engine PyTorch
// uses on CPU); otherwise a blocked loop that rounds each product and/or partial sum to fp16
// exactly: register-tiled SIMD kernels (AVX-512 or AVX2+F16C, chosen at run time) with lanes
// across outputs, so each output keeps the reference's summation order.
#pragma once

#include <cstdint>

#include "core/exec/numeric_profile.h"

namespace mlscope::exec {

/// C[m*ldc + n] = sum_k op(A)[m,k] * op(B)[k,n]  (row-major; op = transpose when trans*).
/// A is M×K (or K×M when transA), B is K×N (or N×K when transB).
void gemm(const OpNumerics& num, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, bool transA,
          const float* B, int64_t ldb, bool transB, float* C, int64_t ldc);

/// The definition gemm() implements, one output at a time in plain scalar code (for tests: the
/// fast kernels must give the same bits for every OpNumerics combination).
void gemm_reference(const OpNumerics& num, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, bool transA,
                    const float* B, int64_t ldb, bool transB, float* C, int64_t ldc);

/// C = A·B (row-major, no transposes) for integer-valued operands with |a·b| ≤ max_abs_product —
/// int8 or uint8 codes minus their zero points (ane-w8a8; 255² covers any of them): every output
/// is the exact integer dot product, rounded once to fp32. sgemm runs over K chunks short enough
/// that every partial sum stays an integer within 2^24 (exact in any summation order: 258 terms
/// at 255², 1,032 for int8 × int8 codes without zero points, a whole 3x3x64 conv in one call);
/// the chunk results are added in double (exact below 2^53).
void gemm_integer_codes(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
                        int64_t ldc, double max_abs_product = 255.0 * 255.0);

/// The same exact integer dot products, kept in double (exact below 2^53) instead of rounded to
/// fp32: for callers that scale the sum before rounding it (int8 linear). B may be given
/// transposed (N×K, as a linear's weight is stored). C is M×N, contiguous.
void gemm_integer_codes_exact(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
                              bool transB, double* C, double max_abs_product = 255.0 * 255.0);

/// True when gemm() would call BLAS directly for these numerics.
bool gemm_uses_blas(const OpNumerics& num);

}  // namespace mlscope::exec

