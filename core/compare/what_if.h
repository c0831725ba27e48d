// Quantization what-if: run a float program as if its weights and/or activations were quantized
// (or an already quantized program with its quantization bypassed), without reconverting anything.
//
// It is a derived emulated backend: our interpreter under a base profile (fp32 by default), with
// RunOptions::rewrite_output fake-quantizing values (quantize → dequantize round trip, the numbers
// a quantized model computes with) as the interpreter produces them:
//   * weights: every const / constexpr_* output bound to the `weight` of conv / conv_transpose /
//     linear, or to a constant operand of matmul. Symmetric linear quantization with the
//     restricted range q ∈ [−(2^(b−1)−1), 2^(b−1)−1], scale = max|w| / qmax per group, values
//     rounded half to even; groups are the whole tensor (per_tensor), one output channel
//     (per_channel: axis 0 of conv/linear weights, axis 1 of conv_transpose, the output column
//     of a matmul operand), or one output channel × `block` input channels (per_block:B, blocks
//     along the input-channel axis, like coremltools' per_block). `lut:N` palettizes each tensor
//     to 2^N values found by 1-D k-means (Lloyd iterations from quantile initial centers,
//     deterministic), like coremltools' default kmeans palettization.
//   * activations: every non-constant tensor feeding conv / conv_transpose / linear (`x`) or
//     matmul (`x`, `y`) — the op output that produces it, or the model input — is fake-quantized
//     to int8 per tensor: scale = max|x| / 127 over the calibration runs (min/max calibration,
//     symmetric, zero point 0), q clamped to [−128, 127] like MIL `quantize`. Calibration runs the
//     base program (no fake quantization) on K seeded random inputs (compare/sweep_inputs.h).
//     A value that feeds both a conv and another op is quantized for both (it is quantized where
//     it is produced, as a quantize/dequantize pair after the producer would do).
//   * quantization=bypass: the base profile with honor_activation_quant=false (quantize →
//     dequantize pairs pass values through); constexpr weights are decoded as always.
// Weights held as NeuralNetwork layer attributes or inline literal bindings are not rewritten
// (the report's `weights_quantized` count says how many tensors were).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/exec/backend.h"
#include "core/exec/numeric_profile.h"

namespace mlscope::compare {

struct WeightQuant {
  enum class Kind : uint8_t { None, Linear, Lut };
  enum class Granularity : uint8_t { PerTensor, PerChannel, PerBlock };
  Kind kind = Kind::None;
  int bits = 8;                 ///< Linear: 2..8 (int8, int4, ...); Lut: 1..8 (2^bits entries)
  Granularity granularity = Granularity::PerChannel;  ///< Linear only
  int block_size = 32;          ///< PerBlock: input channels per block
};

struct WhatIfSpec {
  WeightQuant weights;
  bool activations = false;     ///< int8 per-tensor fake quantization of conv/linear/matmul inputs
  int calibration = 8;          ///< K seeded random inputs for activation calibration
  uint64_t calibration_seed = 0;
  bool bypass_quantization = false;

  /// Comma list, e.g. "weights=int8:per_channel,activations=int8:per_tensor,calibration=16".
  /// Tokens: weights=int8|int4|intN:per_tensor|per_channel|per_block:B, weights=lut:N,
  /// activations=int8:per_tensor, calibration=K, calibration_seed=S, quantization=bypass.
  /// Throws mlscope::Error located "what-if spec:1:<column>" naming the bad token.
  static WhatIfSpec parse(const std::string& text);
  /// Canonical comma list (parse(text()) == *this).
  std::string text() const;
  bool needs_calibration() const { return activations; }
};

/// Activation scales found by calibration: value name (or model input name) → max |x| seen.
struct Calibration {
  std::string function;                 ///< function calibrated ("" = default)
  std::map<std::string, float> max_abs;
  size_t inputs = 0;                    ///< calibration inputs actually run
  uint64_t seed = 0;
};

struct WhatIfOptions {
  exec::NumericProfile base = exec::NumericProfile::builtin("fp32");  ///< profile the what-if derives from
  std::string function;                  ///< function to calibrate ("" = default)
  /// Precomputed calibration (from calibrate_activations on a worker thread). When null and the
  /// spec quantizes activations, make_what_if_backend calibrates synchronously.
  std::shared_ptr<const Calibration> calibration;
};

struct CalibrationControl {
  CancelToken cancel;   ///< Error "calibration cancelled" / "run cancelled"
  ProgressFn progress;  ///< after each calibration input: inputs done of inputs total
};

/// Runs the base program on spec.calibration seeded random inputs and records max |x| of every
/// activation the spec quantizes. Throws mlscope::Error (bad model inputs, cancelled).
Calibration calibrate_activations(const ir::Model& model, const WhatIfSpec& spec, const WhatIfOptions& options,
                                  const CalibrationControl& control = {});

/// The what-if backend: name() "what-if", kind Emulated, provenance "emulated: mlscope
/// interpreter, what-if <spec> (...), <base profile label>". Thread-safe: one instance may run
/// on several threads (weights are fake-quantized once and cached). `model` must outlive it.
std::unique_ptr<exec::Backend> make_what_if_backend(const ir::Model& model, const WhatIfSpec& spec,
                                                    const WhatIfOptions& options);

/// A factory of what-if backends sharing one state (one calibration, one weight cache) — for
/// compare::SweepBackend::make, which makes one backend per worker thread.
std::function<std::unique_ptr<exec::Backend>()> what_if_backend_factory(const ir::Model& model, const WhatIfSpec& spec,
                                                                       const WhatIfOptions& options);

/// Counts of what a what-if backend rewrites in the default (or options.function) function.
struct WhatIfTargets {
  size_t weights = 0;      ///< const/constexpr tensors fake-quantized
  size_t activations = 0;  ///< activation values (op outputs + model inputs) fake-quantized
};
WhatIfTargets what_if_targets(const ir::Model& model, const WhatIfSpec& spec, const std::string& function = "");

// --- the arithmetic, exposed for tests and the GUI's explanations ---

/// Symmetric linear fake quantization of `values` (shape `dims`) in place. `channel_axis` and
/// `input_axis` pick groups for PerChannel / PerBlock (ignored for PerTensor).
void fake_quantize_linear(std::vector<float>& values, const exec::Dims& dims, int bits,
                          WeightQuant::Granularity granularity, int64_t channel_axis, int64_t input_axis,
                          int block_size);
/// Palettization: every value replaced by the nearest of 2^bits 1-D k-means centers; returns the LUT.
std::vector<float> fake_palettize(std::vector<float>& values, int bits);
/// int8 per-tensor activation fake quantization with scale = max_abs / 127.
void fake_quantize_activation(std::span<float> values, float max_abs);

}  // namespace mlscope::compare
