#include "core/compare/fp16_range.h"

#include <algorithm>
#include <cmath>

namespace mlscope::compare {

Fp16UnderflowBounds fp16_underflow_bounds(exec::RoundingMode mode) {
  const float two_m25 = std::ldexp(1.0f, -25), two_m24 = std::ldexp(1.0f, -24);
  if (mode == exec::RoundingMode::TowardZero) return {0.0f, two_m24, kFp16MinNormal};
  return {two_m25, 0.0f, kFp16MinNormal - two_m25};
}

void Fp16RangeCounts::merge(const Fp16RangeCounts& o) {
  elements += o.elements;
  nonzero += o.nonzero;
  nonfinite += o.nonfinite;
  above_limit += o.above_limit;
  at_clamp += o.at_clamp;
  subnormal += o.subnormal;
  to_zero += o.to_zero;
  max_abs = std::max(max_abs, o.max_abs);
}

Fp16RangeCounts count_fp16_range(std::span<const float> values, float limit, float clamp, exec::RoundingMode mode) {
  const Fp16UnderflowBounds b = fp16_underflow_bounds(mode);
  Fp16RangeCounts c;
  c.elements = values.size();
  float max_abs = 0;
  // Branch-light single pass: most values are ordinary, so each test is a compare and an add.
  for (float v : values) {
    const float a = std::fabs(v);
    if (!(a <= 3.4028235e38f)) {  // NaN or inf
      ++c.nonfinite;
      continue;
    }
    max_abs = std::max(max_abs, a);
    c.nonzero += a != 0.0f;
    c.above_limit += a > limit;
    c.at_clamp += clamp > 0 && a >= clamp;
    const bool zero = a != 0.0f && (a <= b.zero_at_or_below || a < b.zero_below);
    c.to_zero += zero;
    c.subnormal += a != 0.0f && !zero && a < b.subnormal_below;
  }
  c.max_abs = max_abs;
  return c;
}

}  // namespace mlscope::compare
