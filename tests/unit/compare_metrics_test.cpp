// Metrics on hand-computed examples (values worked out on paper in the comments).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/compare/metrics.h"

using namespace mlscope::compare;

TEST(CompareMetrics, DiffStatsHandComputed) {
  // d = [0, 0, 0, 1]; |a|² = 30, |b|² = 39, a·b = 34, peak |a| = 4.
  std::vector<double> a{1, 2, 3, 4}, b{1, 2, 3, 5};
  DiffStats s = diff_stats(a, b);
  EXPECT_FALSE(s.equal);
  EXPECT_EQ(s.count, 4u);
  EXPECT_DOUBLE_EQ(s.max_abs_diff, 1.0);
  EXPECT_DOUBLE_EQ(s.mean_abs_diff, 0.25);
  EXPECT_DOUBLE_EQ(s.max_rel_diff, 0.25);
  EXPECT_NEAR(s.cosine, 34.0 / std::sqrt(30.0 * 39.0), 1e-15);
  EXPECT_NEAR(s.snr_db, 10 * std::log10(30.0), 1e-12);         // 14.7712...
  EXPECT_NEAR(s.psnr_db, 10 * std::log10(16.0 / 0.25), 1e-12);  // 18.0618...
  EXPECT_EQ(s.worst_index, 3);
}

TEST(CompareMetrics, IdenticalArraysAreEqualWithInfiniteSnr) {
  std::vector<double> a{0.5, -2, 7};
  DiffStats s = diff_stats(a, a);
  EXPECT_TRUE(s.equal);
  EXPECT_EQ(s.max_abs_diff, 0);
  EXPECT_EQ(s.cosine, 1);
  EXPECT_TRUE(std::isinf(s.snr_db));
  EXPECT_TRUE(std::isinf(s.psnr_db));
  EXPECT_EQ(s.worst_index, -1);
}

TEST(CompareMetrics, CosineEdgeCases) {
  std::vector<double> z{0, 0}, x{1, 0}, y{0, 2}, nx{-3, 0};
  EXPECT_EQ(cosine_similarity(z, z), 1);
  EXPECT_EQ(cosine_similarity(z, x), 0);
  EXPECT_EQ(cosine_similarity(x, y), 0);
  EXPECT_DOUBLE_EQ(cosine_similarity(x, nx), -1);
  EXPECT_THROW(diff_stats(x, std::vector<double>{1}), std::invalid_argument);
}

TEST(CompareMetrics, RelativeDiffAgainstZeroReferenceStaysFinite) {
  std::vector<double> a{0, 1}, b{1e-6, 1};
  DiffStats s = diff_stats(a, b);
  EXPECT_TRUE(std::isfinite(s.max_rel_diff));
  EXPECT_GT(s.max_rel_diff, 1e5);
}

TEST(CompareMetrics, NanIsNeverEqual) {
  std::vector<double> a{1, NAN}, b{1, NAN};
  EXPECT_FALSE(diff_stats(a, b).equal);
}

// The seed's cross-backend row (seed 000): CPU_ONLY vs CPU_AND_NE, fp16 values written exactly.
TEST(CompareMetrics, SeedTwoClassMarginIsY0MinusY1) {
  std::vector<double> cpu{3.1015625, 3.572265625}, ne{4.44140625, 3.68359375};
  MarginPair p = margin_pair(cpu);
  EXPECT_EQ(p.a, 0);
  EXPECT_EQ(p.b, 1);
  EXPECT_EQ(margin(cpu, p), -0.470703125);
  EXPECT_EQ(margin(ne, p), 0.7578125);
  EXPECT_EQ(margin(ne, p) - margin(cpu, p), 1.228515625);
  EXPECT_EQ(diff_stats(cpu, ne).max_abs_diff, 1.33984375);
  EXPECT_EQ(class_stats(cpu, 1).argmax, 1);
  EXPECT_EQ(class_stats(ne, 1).argmax, 0);
}

TEST(CompareMetrics, ManyClassMarginUsesReferenceTopTwo) {
  // Reference top-1 is class 2 (0.6), top-2 class 0 (0.3): margin = s[2] − s[0].
  std::vector<double> ref{0.3, 0.1, 0.6}, other{0.5, 0.1, 0.4};
  MarginPair p = margin_pair(ref);
  EXPECT_EQ(p.a, 2);
  EXPECT_EQ(p.b, 0);
  EXPECT_DOUBLE_EQ(margin(ref, p), 0.3);
  EXPECT_DOUBLE_EQ(margin(other, p), -0.1);  // sign change = flip between the two
}

TEST(CompareMetrics, ClassStatsTopKAndGap) {
  std::vector<double> s{0.2, 0.9, 0.9, -1, 0.5};
  ClassStats c = class_stats(s, 3);
  EXPECT_EQ(c.argmax, 1);  // tie → lower index, like numpy
  EXPECT_EQ(c.top_k, (std::vector<int64_t>{1, 2, 4}));
  EXPECT_DOUBLE_EQ(c.top1_top2_gap, 0.0);
  ClassStats d = class_stats(std::vector<double>{3, 1, 2}, 5);
  EXPECT_EQ(d.top_k.size(), 3u);
  EXPECT_DOUBLE_EQ(d.top1_top2_gap, 1.0);
  EXPECT_EQ(class_stats(std::vector<double>{}, 1).argmax, -1);
}
