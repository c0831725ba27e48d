// The fast profile kernels (SIMD gemm with fp16-rounded products / fp16 accumulation, vectorized
// storage rounding) against plain scalar definitions, for every OpNumerics combination and every
// instruction-set path this CPU has. Bit equality, not closeness: the profiles' results must not
// depend on which kernel ran.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "core/exec/kernels/fp16_simd.h"
#include "core/exec/kernels/gemm.h"
#include "core/exec/interpreter.h"
#include "core/util/half.h"
#include "exec_ir_builder.h"

using namespace mlscope;
using namespace mlscope::exec;
using detail::SimdPath;

namespace {

bool same_bits(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  uint32_t ua, ub;
  std::memcpy(&ua, &a, 4);
  std::memcpy(&ub, &b, 4);
  return ua == ub;
}

// Restores the detected path when a test that forces one ends.
struct PathGuard {
  ~PathGuard() { detail::force_simd_path(SimdPath::Avx512); }
};

std::vector<SimdPath> paths() {
  PathGuard g;
  std::vector<SimdPath> out;
  for (SimdPath p : {SimdPath::Scalar, SimdPath::Avx2F16c, SimdPath::Avx512}) {
    detail::force_simd_path(p);
    if (detail::simd_path() == p) out.push_back(p);
  }
  return out;
}

std::vector<OpNumerics> every_numerics() {
  std::vector<OpNumerics> out;
  for (bool rp : {false, true})
    for (AccumMode acc : {AccumMode::Fp32, AccumMode::Fp16})
      for (int chunk : {0, 1, 5, 32})
        for (RoundingMode r : {RoundingMode::NearestEven, RoundingMode::TowardZero}) {
          OpNumerics n;
          n.round_products = rp;
          n.accumulation = acc;
          n.accumulation_chunk = chunk;
          n.rounding = r;
          if (gemm_uses_blas(n)) continue;  // BLAS sums in its own order; not a profile kernel
          out.push_back(n);
        }
  return out;
}

std::string describe(const OpNumerics& n, SimdPath p) {
  return "round_products=" + std::to_string(n.round_products) + " fp16acc=" + std::to_string(n.accumulation == AccumMode::Fp16) +
         " chunk=" + std::to_string(n.accumulation_chunk) + " toward_zero=" + std::to_string(n.rounding == RoundingMode::TowardZero) +
         " path=" + std::to_string(int(p));
}

// Values of the kind the profiles see (fp16-exact, both signs, tiny and large magnitudes) plus
// arbitrary floats, so products land in fp16's normal, subnormal and overflow ranges.
std::vector<float> values(std::mt19937& gen, size_t n, bool fp16_exact) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<int> scale(-12, 8);
  std::vector<float> v(n);
  for (auto& x : v) {
    x = std::ldexp(normal(gen), scale(gen));
    if (fp16_exact) x = round_to_half(x);
  }
  return v;
}

TEST(ExecGemm, FastKernelsEqualTheScalarDefinitionForEveryNumerics) {
  PathGuard guard;
  std::mt19937 gen(11);
  // Sizes cover whole register tiles, row/column tails, K below and above the chunk sizes, and a
  // product big enough to use two worker threads.
  const std::vector<std::array<int64_t, 3>> sizes = {{1, 1, 1}, {3, 17, 9}, {8, 32, 40}, {13, 70, 33}, {9, 100, 64}, {20, 520, 400}};
  for (SimdPath p : paths()) {
    detail::force_simd_path(p);
    for (const OpNumerics& num : every_numerics())
      for (auto [M, N, K] : sizes)
        for (int trans = 0; trans < 4; ++trans) {
          if (M * N * K > 100000 && (trans || num.rounding == RoundingMode::TowardZero)) continue;  // keep the test short
          const bool ta = trans & 1, tb = trans & 2;
          const auto A = values(gen, size_t(M * K), (M + K) % 2 == 0);
          const auto B = values(gen, size_t(K * N), (M + K) % 2 == 0);
          const int64_t lda = ta ? M : K, ldb = tb ? K : N;
          std::vector<float> fast(size_t(M * N), -1.0f), ref(size_t(M * N), -2.0f);
          gemm(num, M, N, K, A.data(), lda, ta, B.data(), ldb, tb, fast.data(), N);
          gemm_reference(num, M, N, K, A.data(), lda, ta, B.data(), ldb, tb, ref.data(), N);
          for (size_t i = 0; i < fast.size(); ++i)
            ASSERT_TRUE(same_bits(fast[i], ref[i])) << describe(num, p) << " M=" << M << " N=" << N << " K=" << K << " trans=" << trans
                                                    << " at " << i << ": " << fast[i] << " vs " << ref[i];
        }
  }
}

TEST(ExecGemm, ReferenceFollowsTheWrittenRules) {
  // The reference itself against hand-computed cases: fp16 accumulation stalls at 2048,
  // chunking restores 4096, product rounding of (1 + 2^-10)^2.
  std::vector<float> a(4096, 1.0f), b(4096, 1.0f);
  float c = 0;
  OpNumerics f16;
  f16.accumulation = AccumMode::Fp16;
  gemm_reference(f16, 1, 1, 4096, a.data(), 4096, false, b.data(), 1, false, &c, 1);
  EXPECT_EQ(c, 2048.0f);
  f16.accumulation_chunk = 1024;
  gemm_reference(f16, 1, 1, 4096, a.data(), 4096, false, b.data(), 1, false, &c, 1);
  EXPECT_EQ(c, 4096.0f);
  OpNumerics prod;
  prod.round_products = true;
  float x = 1.0009765625f;
  gemm_reference(prod, 1, 1, 1, &x, 1, false, &x, 1, false, &c, 1);
  EXPECT_EQ(c, 1.001953125f);
}

TEST(ExecGemm, VectorizedStorageRoundingEqualsRoundToHalf) {
  PathGuard guard;
  std::mt19937 gen(5);
  std::uniform_int_distribution<uint32_t> bits;
  std::vector<float> v(100003);  // odd length: exercises the vector tails
  for (auto& x : v) {
    uint32_t u = bits(gen);
    std::memcpy(&x, &u, 4);
  }
  for (float special : {0.0f, -0.0f, 65504.0f, 65519.0f, 65520.0f, -65520.0f, 6.1035156e-05f, 5.9604645e-08f, 2.9802322e-08f, INFINITY})
    v.push_back(special);
  for (SimdPath p : paths()) {
    detail::force_simd_path(p);
    for (RoundingMode mode : {RoundingMode::NearestEven, RoundingMode::TowardZero}) {
      std::vector<float> r = v;
      round_fp16_inplace(r, mode);
      for (size_t i = 0; i < v.size(); ++i) {
        const float want = mode == RoundingMode::NearestEven ? round_to_half(v[i]) : round_fp16(v[i], mode);
        ASSERT_TRUE(same_bits(r[i], want)) << "path " << int(p) << " value " << std::hexfloat << v[i];
      }
    }
  }
}

// conv (im2col tiles + gemm) under product rounding / fp16 accumulation against a direct
// convolution written from the definition: per output, terms in (channel, ky, kx) order.
TEST(ExecGemm, ConvUnderEveryProfileRuleEqualsDirectConvolution) {
  const int64_t C = 5, O = 7, H = 9, W = 11, KH = 3, KW = 3;
  std::mt19937 gen(3);
  const auto xv = values(gen, size_t(C * H * W), true);
  const auto wv = values(gen, size_t(O * C * KH * KW), true);
  test::ProgramBuilder pb;
  const ir::Type xt = ir::Type::tensor(ir::DType::Float32, ir::Shape{1, C, H, W});
  auto x = pb.input("x", xt);
  auto ints = [](std::vector<int64_t> v) { return ir::Constant::from_ints(v, ir::Shape{int64_t(v.size())}); };
  auto y = pb.op("conv", "conv",
                 {test::in("x", test::ProgramBuilder::ref(x)),
                  test::in("weight", test::ProgramBuilder::lit(ir::Constant::from_floats(wv, ir::Shape{O, C, KH, KW}))),
                  test::in("strides", test::ProgramBuilder::lit(ints({1, 1}))), test::in("dilations", test::ProgramBuilder::lit(ints({1, 1}))),
                  test::in("pad_type", test::ProgramBuilder::lit(ir::Constant::from_string("custom"))),
                  test::in("pad", test::ProgramBuilder::lit(ints({1, 1, 1, 1}))), test::in("groups", test::ProgramBuilder::lit(ir::Constant::from_ints({1}, ir::Shape{})))},
                 {ir::Type::tensor(ir::DType::Float32, ir::Shape{1, O, H, W})});
  pb.output(y[0]);
  const ir::Model model = pb.model();
  for (const OpNumerics& num : every_numerics()) {
    NumericProfile prof = NumericProfile::builtin("fp32");
    prof.defaults = num;
    RunResult r = Interpreter(prof).run(model, {{"x", Tensor::from_floats(ir::DType::Float32, {1, C, H, W}, xv)}}, {});
    const Tensor& out = std::get<Tensor>(r.outputs.at("conv"));
    const int64_t chunk = num.accumulation_chunk > 0 ? num.accumulation_chunk : C * KH * KW;
    for (int64_t o = 0; o < O; ++o)
      for (int64_t i = 0; i < H; ++i)
        for (int64_t j = 0; j < W; ++j) {
          float total = 0, part = 0;
          int64_t n = 0;
          for (int64_t c = 0; c < C; ++c)
            for (int64_t a = 0; a < KH; ++a)
              for (int64_t b = 0; b < KW; ++b) {
                const int64_t ii = i + a - 1, jj = j + b - 1;
                const float xin = ii < 0 || ii >= H || jj < 0 || jj >= W ? 0.0f : xv[size_t((c * H + ii) * W + jj)];
                float p = wv[size_t(((o * C + c) * KH + a) * KW + b)] * xin;
                if (num.round_products) p = round_fp16(p, num.rounding);
                part = num.accumulation == AccumMode::Fp16 ? round_fp16(part + p, num.rounding) : part + p;
                if (++n == chunk) total += part, part = 0, n = 0;
              }
          if (n) total += part;
          ASSERT_TRUE(same_bits(out.floats()[size_t((o * H + i) * W + j)], total))
              << describe(num, detail::simd_path()) << " at " << o << "," << i << "," << j;
        }
  }
}

}  // namespace

namespace mlscope::exec {
namespace {

// Integer codes (int8/uint8 minus zero points, |v| <= 255): every output must be the exact dot
// product, including K far past the 258 terms whose fp32 sums stay exact, and at the extremes
// where a plain fp32 sgemm would round.
TEST(ExecGemm, IntegerCodesGiveTheExactDotProductsForAnyK) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> code(-255, 255);
  for (int64_t K : {1, 257, 258, 259, 600, 2047}) {
    const int64_t M = 5, N = 37;
    std::vector<float> A(size_t(M * K)), B(size_t(K * N)), C(size_t(M * N));
    for (auto& v : A) v = float(code(rng));
    for (auto& v : B) v = float(code(rng));
    for (int64_t k = 0; k < K; ++k) A[size_t(k)] = 255.0f, B[size_t(k * N)] = (k % 2 ? 255.0f : -255.0f) + (k == 0 ? 1.0f : 0.0f);
    gemm_integer_codes(M, N, K, A.data(), K, B.data(), N, C.data(), N);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        int64_t exact = 0;
        for (int64_t k = 0; k < K; ++k) exact += int64_t(A[size_t(m * K + k)]) * int64_t(B[size_t(k * N + n)]);
        ASSERT_EQ(C[size_t(m * N + n)], float(exact)) << "K " << K << " at " << m << "," << n;
      }
  }
}

// int8 x int8 codes without zero points bound every product by 128 x 127: chunks of 1,032 terms
// (a 3x3x64 conv's K = 576 in one sgemm call) must still give exact sums, with every partial
// sum pushed to the edge of 2^24 by same-signed extremes.
TEST(ExecGemm, IntegerCodesWithATighterProductBoundStayExact) {
  std::mt19937 rng(12);
  std::uniform_int_distribution<int> a_code(-128, 127), b_code(-127, 127);
  for (int64_t K : {576, 1032, 1033, 2100}) {
    const int64_t M = 3, N = 19;
    std::vector<float> A(size_t(M * K)), B(size_t(K * N)), C(size_t(M * N));
    for (auto& v : A) v = float(a_code(rng));
    for (auto& v : B) v = float(b_code(rng));
    for (int64_t k = 0; k < K; ++k) A[size_t(k)] = -128.0f, B[size_t(k * N)] = -127.0f;  // row 0 . column 0 = K x 16256
    gemm_integer_codes(M, N, K, A.data(), K, B.data(), N, C.data(), N, 128.0 * 127.0);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        int64_t exact = 0;
        for (int64_t k = 0; k < K; ++k) exact += int64_t(A[size_t(m * K + k)]) * int64_t(B[size_t(k * N + n)]);
        ASSERT_EQ(C[size_t(m * N + n)], float(exact)) << "K " << K << " at " << m << "," << n;
      }
  }
}

}  // namespace
}  // namespace mlscope::exec
