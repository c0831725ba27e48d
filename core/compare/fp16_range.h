// Where fp32 values land in fp16: out of range (overflow), subnormal or zero (underflow). Used by
// the hazards analysis on the values an fp32 run computed — what an fp16 backend would try to store.
#pragma once

#include <cstdint>
#include <span>

#include "core/exec/numeric_profile.h"

namespace mlscope::compare {

inline constexpr float kFp16Max = 65504.0f;            ///< largest finite fp16
inline constexpr float kFp16MinNormal = 6.103515625e-05f;  ///< 2^-14

/// Magnitudes at which rounding to fp16 under `mode` gives a subnormal or zero. Nearest-even:
/// |x| <= 2^-25 rounds to 0 (the tie at 2^-25 goes to the even 0); |x| < 2^-14 - 2^-25 rounds to
/// a subnormal (the tie at 2^-14 - 2^-25 goes to the even 2^-14). Toward zero: |x| < 2^-24 -> 0,
/// |x| < 2^-14 -> subnormal.
struct Fp16UnderflowBounds {
  float zero_at_or_below;   ///< |x| <= this rounds to 0 (nearest-even)
  float zero_below;         ///< |x| < this rounds to 0 (toward zero)
  float subnormal_below;    ///< |x| < this (and not zero) rounds to a subnormal
};
Fp16UnderflowBounds fp16_underflow_bounds(exec::RoundingMode mode);

/// Counts over one fp32 tensor.
struct Fp16RangeCounts {
  uint64_t elements = 0;
  uint64_t nonzero = 0;      ///< finite values != 0
  uint64_t nonfinite = 0;    ///< NaN / inf
  uint64_t above_limit = 0;  ///< finite |x| > limit (65504, or a saturation level below it)
  uint64_t at_clamp = 0;     ///< |x| >= clamp (> 0): values a saturating profile clamped
  uint64_t subnormal = 0;    ///< nonzero values that round to an fp16 subnormal
  uint64_t to_zero = 0;      ///< nonzero values that round to fp16 zero
  double max_abs = 0;        ///< largest finite |x|
  void merge(const Fp16RangeCounts& o);
  /// These counts for n copies of the values (histograms of codes).
  Fp16RangeCounts times(uint64_t n) const;
};

/// Split across the kernel threads. `limit`: magnitude above which a value is out of range; `clamp` (0 = none): the saturation
/// level of the op under the profile, whose clamped values are counted in at_clamp.
Fp16RangeCounts count_fp16_range(std::span<const float> values, float limit, float clamp, exec::RoundingMode mode);

}  // namespace mlscope::compare
