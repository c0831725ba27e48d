// How many of a quantize's input values fall outside its code range before the clamp —
// computed from the input, scale and zero point exactly as exec's quantize kernel rounds.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/exec/tensor.h"

namespace mlscope::compare {

/// A quantize's constant parameters: one scale / zero point, or one per index of `axis`.
struct QuantizeParams {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;  ///< same length as scale
  std::optional<int64_t> axis;
  int64_t lo = -128, hi = 127;      ///< int8, or uint8 (0, 255)
};

struct ClipCounts {
  uint64_t elements = 0, low = 0, high = 0;
  double max_abs_scaled = 0;  ///< largest finite |x / scale|
};

/// nullopt (with `why`) when a vector scale does not fit the input's axis.
std::optional<ClipCounts> count_quantize_clips(const QuantizeParams& p, const exec::Tensor& x, std::string* why);

}  // namespace mlscope::compare
