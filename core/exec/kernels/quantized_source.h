// ane-w8a8 support: recognizes a conv/linear operand that is the dequantized form of an int8
// tensor — an activation from `dequantize` (iOS17) or a weight from
// `constexpr_affine_dequantize` — and recovers its integer codes and scales, so the kernel can
// accumulate int8 × int8 products exactly (int32-class accumulation).
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "core/exec/kernels/kernel.h"

namespace mlscope::exec {

struct QuantizedOperand {
  std::vector<float> codes;   ///< q - zero_point, integer-valued, same layout as the operand
  std::vector<float> scale;   ///< one value (per tensor) or one per channel along `axis`
  int64_t axis = -1;          ///< channel axis of `scale` when per-channel
  float max_abs_code = 255;   ///< bound on |q - zp|: the weights' largest; an activation's from its dtype and zp
};

/// If input `name` of the current op is produced by dequantize / constexpr_affine_dequantize of
/// int8/uint8 data, returns its codes and scale; otherwise nullopt. `value` is the operand as the
/// kernel sees it (used to recover activation codes exactly: |q| < 256 survives fp16 rounding).
/// With `activation_codes` false an activation's codes are left empty (the caller derives them
/// piecewise with round_to_codes, e.g. per im2col tile, instead of a second activation-sized
/// buffer).
std::optional<QuantizedOperand> quantized_source(const KernelContext& ctx, const std::string& name, const Tensor& value,
                                                 bool activation_codes = true);

/// v[i] = nearbyint(v[i] / scale) in place (round half to even): an activation's codes q - zp
/// from its dequantized values, as quantized_source computes them.
void round_to_codes(std::span<float> v, float scale);

}  // namespace mlscope::exec
