// exp over arrays (libmvec where available): close to the scalar exp, IEEE special values, and
// the same bits for an element wherever the caller splits the array.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "core/exec/kernels/fp16_simd.h"
#include "core/exec/kernels/vector_math.h"

namespace mlscope::exec {
namespace {

using detail::SimdPath;

// Every path this machine can run (forcing only ever downgrades), restored afterwards.
struct EveryPath {
  ~EveryPath() { detail::force_simd_path(SimdPath::Avx512); }
  template <typename F>
  void run(F f) {
    for (SimdPath p : {SimdPath::Avx512, SimdPath::Avx2F16c, SimdPath::Scalar}) {
      detail::force_simd_path(p);
      SCOPED_TRACE(exp_array_path());
      f();
    }
  }
};

// libmvec's expf is not correctly rounded: its AVX-512 variant measured 2.6 ulp at worst over
// the whole float range (scalar glibc expf: under 1), so the bound is 3 ulp.
TEST(ExecVectorMath, ExpIsWithinThreeUlpOfTheExactValueAcrossTheFloatRange) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-103.0f, 88.0f);
  std::vector<float> x(100003);  // not a multiple of any vector width: the tail is covered
  for (float& v : x) v = dist(rng);
  EveryPath().run([&] {
    std::vector<float> y(x.size());
    exp_array(x.data(), y.data(), x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      const double ref = std::exp(double(x[i]));
      if (ref < double(std::numeric_limits<float>::min())) {  // subnormal results: absolute error
        ASSERT_NEAR(y[i], ref, 3.0 * std::numeric_limits<float>::denorm_min()) << "x = " << x[i];
        continue;
      }
      const double ulp = std::ldexp(1.0, std::ilogb(ref) - 23);
      ASSERT_LE(std::fabs(double(y[i]) - ref), 3.0 * ulp) << "x = " << x[i];
    }
  });
}

TEST(ExecVectorMath, ExpHandlesInfinitiesNaNAndOverflow) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {0.0f, -0.0f, inf, -inf, std::nanf(""), 89.0f, -110.0f, 1.0f};
  EveryPath().run([&] {
    std::vector<float> y(x.size());
    exp_array(x.data(), y.data(), x.size());
    EXPECT_EQ(y[0], 1.0f);
    EXPECT_EQ(y[1], 1.0f);
    EXPECT_EQ(y[2], inf);
    EXPECT_EQ(y[3], 0.0f);
    EXPECT_TRUE(std::isnan(y[4]));
    EXPECT_EQ(y[5], inf);
    EXPECT_EQ(y[6], 0.0f);
    EXPECT_NEAR(y[7], 2.7182817f, 1e-6f);
  });
}

TEST(ExecVectorMath, AnElementGetsTheSameBitsWhereverTheArrayIsSplit) {
  std::vector<float> x(1000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = -20.0f + 0.0413f * float(i);
  EveryPath().run([&] {
    std::vector<float> whole(x.size()), pieces(x.size());
    exp_array(x.data(), whole.data(), x.size());
    // Pieces of odd sizes put every element in a different lane and some in a padded tail.
    for (size_t i0 = 0, step = 1; i0 < x.size(); i0 += step, step = step % 37 + 3)
      exp_array(x.data() + i0, pieces.data() + i0, std::min(step, x.size() - i0));
    for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(whole[i], pieces[i]) << "element " << i;
  });
}

TEST(ExecVectorMath, InPlaceGivesTheSameAsOutOfPlace) {
  std::vector<float> x = {-3.5f, -1.0f, 0.25f, 2.0f, 7.75f, 10.0f, -0.125f, 4.5f, 1e-3f, -50.0f, 30.0f};
  std::vector<float> y(x.size());
  exp_array(x.data(), y.data(), x.size());
  exp_array(x.data(), x.data(), x.size());
  EXPECT_EQ(x, y);
}

}  // namespace
}  // namespace mlscope::exec
