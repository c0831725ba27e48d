// Programs with fp16 hazards built in code (hazards tests, `run` non-finite tests, GUI test).
// Values are chosen so the tests can work out every count by arithmetic.
#pragma once

#include <cstdint>
#include <vector>

#include "core/ir/model.h"

namespace mlscope::fixtures {

/// The function as a model with an interface (features from the function's inputs / outputs)
/// that the .mlpackage writer can save.
ir::Model program_model(ir::Function fn);

/// The seed's shape at small scale, W8A8: x [1, 1, side, side] -> quantize (int8, scale 1/16)
/// -> dequantize -> conv 1x1 "conv" (int8 weight codes {64, 64, 1} x scale 1/64: weights 1, 1,
/// 1/64, via constexpr_affine_dequantize) -> silu "act" -> mul "amplify" by 64 -> reduce_mean
/// "pool" over H, W -> linear "fc" (weight [[1, -1, 1], [0.5, 0.5, -1]], no bias) -> "y" [1, 2].
/// With x = 4 everywhere, channels 0 and 1 hold 64 * silu(4) ~ 251 before the mean and channel 2
/// 64 * silu(1/16) ~ 2.06: an fp16 sequential sum over side*side >= 1024 terms leaves the fp16
/// range for channels 0 and 1 (inf), so y0 = inf - inf = NaN and y1 = inf.
ir::Function reduction_overflow_program(int64_t side = 32);
constexpr float kReductionOverflowInput = 4.0f;
constexpr float kReductionOverflowAmplify = 64.0f;

/// x [n] (dtype) -> mul "scale" by `factor` (an fp32 literal, so fp16 storage rules do not round
/// it) -> output "y".
ir::Function scale_program(float factor, int64_t n, ir::DType dtype);

/// x [1, k] -> linear "fc" with weight `w` [out, k] (fp32 literal), no bias -> "y" [1, out].
ir::Function linear_program(const std::vector<float>& w, int64_t out, int64_t k);

/// x [n] fp32 -> quantize "q" (int8, scale, zero point `zero_point`) -> dequantize "dq" -> "y".
ir::Function quantize_program(float scale, int64_t zero_point, int64_t n);

}  // namespace mlscope::fixtures
