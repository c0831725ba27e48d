#include "core/compare/fp16_range.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <mutex>

#include "core/exec/parallel.h"
#include "core/util/simd_clones.h"

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

// |x| as its bit pattern: for non-negative floats the integer order is the float order, so every
// test below is an integer compare and the loop vectorizes (a float max reduction would not
// without -ffast-math). This file is built with -O3 (core/CMakeLists.txt), the loop for AVX-512,
// AVX2 and baseline x86-64, picked at load time.
uint32_t abs_bits(float f) { return std::bit_cast<uint32_t>(f) & 0x7FFFFFFFu; }

MLSCOPE_SIMD_CLONES Fp16RangeCounts count_chunk(const float* v, uint64_t n, float limit, float clamp, const Fp16UnderflowBounds& b) {
  constexpr uint32_t kInf = 0x7F800000u;
  const uint32_t limit_b = abs_bits(limit), clamp_b = clamp > 0 ? abs_bits(clamp) : kInf;
  const uint32_t zero_le = abs_bits(b.zero_at_or_below), zero_lt = abs_bits(b.zero_below), sub_lt = abs_bits(b.subnormal_below);
  Fp16RangeCounts c;
  c.elements = n;
  uint32_t max_b = 0;
  for (uint64_t start = 0; start < n; start += uint64_t(1) << 30) {  // 32-bit lane counters
    const uint64_t end = std::min<uint64_t>(n, start + (uint64_t(1) << 30));
    uint32_t nonzero = 0, nonfinite = 0, above = 0, at_clamp = 0, subnormal = 0, to_zero = 0, mx = 0;
    for (uint64_t i = start; i < end; ++i) {
      const uint32_t a = abs_bits(v[i]);
      const uint32_t finite = a < kInf;  // NaN and inf have the largest patterns
      const uint32_t f = a & (0u - finite);
      const uint32_t nz = f != 0;
      const uint32_t zero = nz & ((f <= zero_le) | (f < zero_lt));
      mx = std::max(mx, f);
      nonfinite += 1 - finite;
      nonzero += nz;
      above += f > limit_b;
      at_clamp += f >= clamp_b;
      to_zero += zero;
      subnormal += nz & (1 - zero) & (f < sub_lt);
    }
    c.nonzero += nonzero;
    c.nonfinite += nonfinite;
    c.above_limit += above;
    c.at_clamp += at_clamp;
    c.subnormal += subnormal;
    c.to_zero += to_zero;
    max_b = std::max(max_b, mx);
  }
  c.max_abs = std::bit_cast<float>(max_b);
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
