// The per-op divergence reduction sums in float groups for speed; these tests hold its cosine,
// relative error and max abs diff against the same quantities computed in long double, on the
// cases that float sums get wrong (near-equal values, magnitudes float squares cannot hold,
// one side near zero) and on values long enough to span several blocks and a ragged tail.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "core/compare/divergence.h"
#include "support/ir_builders.h"

using namespace mlscope;
using namespace mlscope::compare;

namespace {

constexpr size_t kLong = (size_t(1) << 17) + 333;  // two 64 Ki blocks and a tail

OpDivergence diverge(const std::vector<float>& a, const std::vector<float>& b) {
  const ir::Function fn =
      fixtures::single_op_function("relu", "r", "r_out", ir::DType::Float32, a.size());
  exec::RunResult ra, rb;
  const exec::Dims shape{int64_t(a.size())};
  ra.intermediates = {{"r_out", exec::Tensor::from_floats(ir::DType::Float32, shape, a)}};
  rb.intermediates = {{"r_out", exec::Tensor::from_floats(ir::DType::Float32, shape, b)}};
  const DivergenceReport r = divergence_from_results(fn, ra, rb, {});
  EXPECT_EQ(r.ops.size(), 1u);
  EXPECT_TRUE(r.ops.at(0).compared);
  return r.ops.at(0);
}

struct Exact {
  long double one_minus_cosine, rel_error, max_abs_diff;
};
Exact exact(const std::vector<float>& a, const std::vector<float>& b) {
  long double dot = 0, na = 0, nb = 0, dd = 0, mx = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const long double x = a[i], y = b[i], d = y - x;
    dot += x * y;
    na += x * x;
    nb += y * y;
    dd += d * d;
    mx = std::max(mx, std::fabs(d));
  }
  return {1 - dot / std::sqrt(na * nb), std::sqrt(dd / na), mx};
}

std::vector<float> wave(size_t n, double scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = float(scale * (std::sin(double(i) * 0.013) + 0.3 * std::cos(double(i) * 0.0071)));
  return v;
}

std::vector<float> perturbed(const std::vector<float>& a, double relative, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, relative);
  std::vector<float> b(a.size());
  for (size_t i = 0; i < a.size(); ++i) b[i] = float(a[i] * (1 + noise(rng)));
  return b;
}

void expect_close_to_exact(const OpDivergence& d, const Exact& e, double rel_tol) {
  EXPECT_NEAR(1 - d.cosine, double(e.one_minus_cosine),
              rel_tol * double(e.one_minus_cosine) + 1e-15);
  EXPECT_NEAR(d.rel_error, double(e.rel_error), rel_tol * double(e.rel_error));
  EXPECT_NEAR(d.max_abs_diff, double(e.max_abs_diff), 1e-6 * double(e.max_abs_diff));
}

}  // namespace

// fp16-like differences (1e-4 relative) put 1 − cosine near 1e-9, far below the 1e-7 rounding of a
// float sum: the reduction must take it from the squared differences, to 1%.
TEST(CompareDivergenceSums, NearEqualValuesKeepOneMinusCosineAccurate) {
  for (double relative : {1e-4, 1e-3, 3e-6}) {
    const std::vector<float> a = wave(kLong, 2.5), b = perturbed(a, relative, 7);
    const Exact e = exact(a, b);
    ASSERT_GT(e.one_minus_cosine, 0) << relative;
    SCOPED_TRACE(relative);
    expect_close_to_exact(diverge(a, b), e, 0.01);
  }
}

TEST(CompareDivergenceSums, UnrelatedOppositeAndLopsidedValues) {
  const std::vector<float> a = wave(kLong, 1.0);
  std::vector<float> unrelated(kLong), opposite(kLong), tiny_copy(kLong);
  std::mt19937 rng(3);
  std::normal_distribution<float> n01(0, 1);
  for (size_t i = 0; i < kLong; ++i) {
    unrelated[i] = n01(rng);
    opposite[i] = -a[i];
    tiny_copy[i] = a[i] * 1e-9f + 1e-12f * n01(rng);  // other side almost zero, same direction
  }
  for (const auto* b : {&unrelated, &opposite, &tiny_copy}) {
    const Exact e = exact(a, *b);
    const OpDivergence d = diverge(a, *b);
    EXPECT_NEAR(d.cosine, double(1 - e.one_minus_cosine), 1e-6);
    EXPECT_NEAR(d.rel_error, double(e.rel_error), 1e-6 * double(e.rel_error));
    EXPECT_NEAR(d.max_abs_diff, double(e.max_abs_diff), 1e-6 * double(e.max_abs_diff));
  }
}

// Squares of 1e25 overflow float and squares of 1e-25 underflow it: such blocks are summed in
// double, so nothing is lost (an attention mask's -1e30 sits beside ordinary activations).
TEST(CompareDivergenceSums, MagnitudesFloatSquaresCannotHold) {
  for (double scale : {1e25, 1e-25, 1e-19}) {
    const std::vector<float> a = wave(kLong, scale), b = perturbed(a, 1e-3, 11);
    SCOPED_TRACE(scale);
    expect_close_to_exact(diverge(a, b), exact(a, b), 1e-3);
  }
  std::vector<float> a = wave(kLong, 1.0);
  a[kLong / 2] = -1e30f;
  std::vector<float> b = perturbed(a, 1e-3, 12);
  b[kLong / 2] = -1e30f;
  expect_close_to_exact(diverge(a, b), exact(a, b), 1e-3);
}

TEST(CompareDivergenceSums, EqualZeroAndNonFiniteValues) {
  const std::vector<float> a = wave(kLong, 3.0), zeros(kLong, 0.0f);
  const OpDivergence same = diverge(a, a);
  EXPECT_EQ(same.cosine, 1.0);
  EXPECT_EQ(same.rel_error, 0.0);
  EXPECT_EQ(same.max_abs_diff, 0.0);
  EXPECT_EQ(diverge(zeros, zeros).cosine, 1.0);
  EXPECT_EQ(diverge(a, zeros).cosine, 0.0);
  // One subnormal step apart: a difference whose float square is zero must not read as equal.
  std::vector<float> b = zeros;
  b[kLong - 1] = std::numeric_limits<float>::denorm_min();
  EXPECT_GT(diverge(zeros, b).max_abs_diff, 0.0);
  EXPECT_EQ(diverge(zeros, b).cosine, 0.0);
  std::vector<float> c = zeros;
  c[5] = std::numeric_limits<float>::denorm_min() * 4;
  b[5] = std::numeric_limits<float>::denorm_min() * 5;
  b[kLong - 1] = 0;
  const OpDivergence tiny = diverge(c, b);
  EXPECT_EQ(tiny.max_abs_diff, double(std::numeric_limits<float>::denorm_min()));
  EXPECT_NEAR(tiny.rel_error, 0.25, 1e-12);
  std::vector<float> with_nan = a, with_inf = a;
  with_nan[kLong - 2] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(diverge(a, with_nan).max_abs_diff));
  with_inf[3] = std::numeric_limits<float>::infinity();
  const OpDivergence inf = diverge(a, with_inf);
  EXPECT_TRUE(std::isinf(inf.max_abs_diff));
  EXPECT_TRUE(std::isinf(inf.rel_error));
}
