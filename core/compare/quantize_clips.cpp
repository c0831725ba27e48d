#include "core/compare/quantize_clips.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <mutex>
#include <string>

#include "core/exec/parallel.h"
#include "core/util/simd_clones.h"

namespace mlscope::compare {

namespace {

struct Part {
  uint64_t low = 0, high = 0;
  float max_abs = 0;
};

// x / s rounded half to even as exec's quantize_run does (the 1.5 * 2^23 add-and-subtract below
// 2^22), compared with the code range minus the zero point. Branch-free; built with -O3 and
// -ffp-contract=off (core/CMakeLists.txt) so the rounding is the kernel's.
MLSCOPE_SIMD_CLONES Part count_run(const float* x, uint64_t n, float s, float flo, float fhi) {
  uint32_t low = 0, high = 0, mx = 0;  // callers pass at most 2^30 elements
  for (uint64_t i = 0; i < n; ++i) {
    const float v = x[i] / s;
    const float rounded = (v + 12582912.0f) - 12582912.0f;
    const float a = std::fabs(v);
    const float r = a < 4194304.0f ? rounded : v;
    low += r < flo;  // NaN compares false: quantize maps it to the zero point
    high += r > fhi;
    // max |v| over finite values as bit patterns (integer max vectorizes; see fp16_range.cpp)
    const uint32_t b = std::bit_cast<uint32_t>(v) & 0x7FFFFFFFu;
    const uint32_t f = b & (0u - uint32_t(b < 0x7F800000u));
    mx = std::max(mx, f);
  }
  Part p;
  p.low = low;
  p.high = high;
  p.max_abs = std::bit_cast<float>(mx);
  return p;
}

}  // namespace

std::optional<ClipCounts> count_quantize_clips(const QuantizeParams& p, const exec::Tensor& x, std::string* why) {
  int64_t inner = 1, n = 1;
  if (p.scale.size() > 1) {
    if (!p.axis) {
      if (why) *why = "vector scale without an axis";
      return std::nullopt;
    }
    const auto rank = int64_t(x.rank());
    const int64_t a = *p.axis < 0 ? *p.axis + rank : *p.axis;
    if (a < 0 || a >= rank || x.shape()[size_t(a)] != int64_t(p.scale.size())) {
      if (why) *why = "scale length does not match the input's axis";
      return std::nullopt;
    }
    n = x.shape()[size_t(a)];
    for (int64_t d = a + 1; d < rank; ++d) inner *= x.shape()[size_t(d)];
  }
  auto xv = x.floats();
  const uint64_t run = n > 1 ? uint64_t(inner) : std::max<uint64_t>(xv.size(), 1);
  ClipCounts total;
  total.elements = xv.size();
  float max_abs = 0;
  std::mutex m;
  exec::parallel_for(xv.size(), [&](uint64_t begin, uint64_t end) {
    Part sum;
    for (uint64_t i0 = begin, i1; i0 < end; i0 = i1) {  // stretches sharing one scale
      i1 = std::min<uint64_t>({end, (i0 / run + 1) * run, i0 + (uint64_t(1) << 30)});  // 32-bit counters
      const size_t k = n > 1 ? size_t((i0 / uint64_t(inner)) % uint64_t(n)) : 0;
      const Part part = count_run(xv.data() + i0, i1 - i0, p.scale[k], float(p.lo - p.zero_point[k]), float(p.hi - p.zero_point[k]));
      sum.low += part.low;
      sum.high += part.high;
      sum.max_abs = std::max(sum.max_abs, part.max_abs);
    }
    std::lock_guard<std::mutex> lock(m);
    total.low += sum.low;
    total.high += sum.high;
    max_abs = std::max(max_abs, sum.max_abs);
  });
  total.max_abs_scaled = max_abs;
  return total;
}

}  // namespace mlscope::compare
