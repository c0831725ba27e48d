// Numeric profiles: written-down rules for how the emulating interpreter stores, rounds and
// accumulates numbers. A profile is an emulation with stated parameters — never a claim about
// Apple's kernels. Definitions and their sources: docs/numeric-profiles.md.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/ir/function.h"

namespace mlscope::exec {

/// Where float op outputs are rounded.
enum class StorageMode : uint8_t {
  Fp32,      ///< never round (fp16-declared values are computed and kept in fp32)
  Declared,  ///< round to fp16 exactly where the program declares an fp16 output
  Fp16,      ///< round every float op output to fp16
};

enum class AccumMode : uint8_t {
  Fp32,  ///< dot products / reductions summed in fp32
  Fp16,  ///< every partial sum rounded to fp16
};

enum class RoundingMode : uint8_t { NearestEven, TowardZero };

/// The numeric rules applied to one op.
struct OpNumerics {
  StorageMode storage = StorageMode::Fp32;
  AccumMode accumulation = AccumMode::Fp32;       ///< conv / linear / matmul / einsum dot products
  AccumMode reduction_accumulation = AccumMode::Fp32;  ///< reduce_* / pooling / normalization sums
  int accumulation_chunk = 0;  ///< >0: sum chunks of this many terms in `accumulation`, then chunks in fp32
  RoundingMode rounding = RoundingMode::NearestEven;  ///< rounding to fp16
  bool round_products = false;      ///< round each conv/matmul product to fp16 before accumulating
  float saturate = 0;               ///< >0: clamp conv/matmul-class outputs to ±saturate
  bool honor_activation_quant = true;  ///< false: quantize→dequantize pairs pass values through
  bool int8_accumulation = false;   ///< conv/linear on dequantized int8 activations and int8
                                    ///< weights: exact int32 dot products, then scaled
};

struct NumericProfile {
  std::string name;         ///< "fp32", "gpu", "ane", or the user's name
  std::string description;  ///< one line, shown in provenance
  OpNumerics defaults;
  std::map<std::string, OpNumerics> by_op_type;  ///< override by op type ("reduce_mean")
  std::map<std::string, OpNumerics> by_op_name;  ///< override by op name (wins over type)

  const OpNumerics& for_op(const ir::Op& op) const;
  /// "profile ane (fp16 storage, fp32 accumulation of fp16-rounded products, ...)"
  std::string label() const;

  /// Built-in profiles: fp32, fp16, gpu, gpu-lowacc, ane, ane-w8a8. Throws Error if unknown.
  static NumericProfile builtin(const std::string& name);
  static std::vector<std::string> builtin_names();
  /// User-defined profile from JSON (schema in docs/numeric-profiles.md); errors name `file`.
  static NumericProfile from_json(const std::string& json_text, const std::string& file);
  static NumericProfile from_json_file(const std::string& path);
};

/// Rounds to fp16 under `mode` (nearest-even or toward zero), saturating to ±inf like IEEE.
float round_fp16(float v, RoundingMode mode);

}  // namespace mlscope::exec
