#include "core/compare/fp16_range.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include "core/exec/parallel.h"

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

namespace {

// One chunk, branch-free so it vectorizes (this file is built with -O3, see core/CMakeLists.txt).
Fp16RangeCounts count_chunk(const float* v, uint64_t n, float limit, float clamp, const Fp16UnderflowBounds& b) {
  const float clamp_at = clamp > 0 ? clamp : std::numeric_limits<float>::infinity();
  uint64_t nonzero = 0, nonfinite = 0, above = 0, at_clamp = 0, subnormal = 0, to_zero = 0;
  float max_abs = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const float a = std::fabs(v[i]);
    const bool finite = a <= std::numeric_limits<float>::max();  // false for NaN and inf
    const float f = finite ? a : 0.0f;
    const bool nz = f != 0.0f;
    const bool zero = nz & ((f <= b.zero_at_or_below) | (f < b.zero_below));
    max_abs = f > max_abs ? f : max_abs;
    nonfinite += !finite;
    nonzero += nz;
    above += f > limit;
    at_clamp += f >= clamp_at;
    to_zero += zero;
    subnormal += nz & !zero & (f < b.subnormal_below);
  }
  Fp16RangeCounts c;
  c.elements = n;
  c.nonzero = nonzero;
  c.nonfinite = nonfinite;
  c.above_limit = above;
  c.at_clamp = at_clamp;
  c.subnormal = subnormal;
  c.to_zero = to_zero;
  c.max_abs = max_abs;
  return c;
}

}  // namespace

Fp16RangeCounts Fp16RangeCounts::times(uint64_t n) const {
  Fp16RangeCounts c = *this;
  c.elements *= n;
  c.nonzero *= n;
  c.nonfinite *= n;
  c.above_limit *= n;
  c.at_clamp *= n;
  c.subnormal *= n;
  c.to_zero *= n;
  if (n == 0) c.max_abs = 0;
  return c;
}

Fp16RangeCounts count_fp16_range(std::span<const float> values, float limit, float clamp, exec::RoundingMode mode) {
  const Fp16UnderflowBounds b = fp16_underflow_bounds(mode);
  Fp16RangeCounts total;
  std::mutex m;
  exec::parallel_for(values.size(), [&](uint64_t begin, uint64_t end) {
    const Fp16RangeCounts part = count_chunk(values.data() + begin, end - begin, limit, clamp, b);
    std::lock_guard<std::mutex> lock(m);
    total.merge(part);
  });
  return total;
}

}  // namespace mlscope::compare
