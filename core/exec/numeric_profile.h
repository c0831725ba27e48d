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

/// In which order a reduction (reduce_*, avg/l2 pooling, norms, softmax sums) adds its terms.
enum class ReductionOrder : uint8_t {
  Legacy,      ///< as `accumulation_chunk` says: one running sum, or chunks of it combined in fp32
               ///< (the only rule before schemes; what a profile without "reduction_order" means)
  Sequential,  ///< one running partial sum
  Chunks,      ///< partial sums over `chunk` consecutive terms, partials combined in `combine`
  Tiles,       ///< partial sums over tile_h x tile_w tiles of the last two reduced dims (the pooling
               ///< window), tiles combined in `combine` in row-major order; a 1-D group degrades
               ///< to chunks of tile_h * tile_w terms
  Pairwise,    ///< a tree: adjacent pairs summed level by level, an odd last term carried up
};

/// How reductions accumulate (partial sums are rounded per OpNumerics::reduction_accumulation).
struct ReductionScheme {
  ReductionOrder order = ReductionOrder::Legacy;
  int chunk = 0;                        ///< Chunks: terms per partial sum
  int tile_h = 0, tile_w = 0;           ///< Tiles
  AccumMode combine = AccumMode::Fp32;  ///< Chunks / Tiles: how the partial sums are added up
  bool scale_terms = false;  ///< means (reduce_mean, avg_pool, norms): each term times 1/N (both
                             ///< rounded as the op's storage rule says) before the sum, instead of
                             ///< dividing the sum by N
  bool operator==(const ReductionScheme&) const = default;
};

/// The numeric rules applied to one op.
struct OpNumerics {
  StorageMode storage = StorageMode::Fp32;
  AccumMode accumulation = AccumMode::Fp32;       ///< conv / linear / matmul / einsum dot products
  AccumMode reduction_accumulation = AccumMode::Fp32;  ///< reduce_* / pooling / normalization sums
  int accumulation_chunk = 0;  ///< >0: sum chunks of this many terms in `accumulation`, then chunks in fp32
                               ///< (reductions too while `reduction.order` is Legacy)
  ReductionScheme reduction;   ///< reductions only; dot products keep accumulation/accumulation_chunk
  RoundingMode rounding = RoundingMode::NearestEven;  ///< rounding to fp16
  bool round_products = false;      ///< round each conv/matmul product to fp16 before accumulating
  float saturate = 0;               ///< >0: clamp conv/matmul-class outputs to ±saturate
  bool honor_activation_quant = true;  ///< false: quantize→dequantize pairs pass values through
  bool int8_accumulation = false;   ///< conv/linear on dequantized int8 activations and int8
                                    ///< weights: exact int32 dot products, then scaled
  bool operator==(const OpNumerics&) const = default;
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

  /// Built-in profiles: fp32, fp16, gpu, gpu-lowacc, ane, ane-w8a8, and the band members
  /// `ane:<variant>` / `ane-w8a8:<variant>` (band_members). Throws Error if unknown.
  static NumericProfile builtin(const std::string& name);
  static std::vector<std::string> builtin_names();
  /// The Neural Engine family of `base` ("ane" or "ane-w8a8"): member profile names
  /// "<base>:<variant>", the default member (equal to `base` itself) first. Definitions and
  /// rationale: docs/numeric-profiles.md, "The Neural Engine band". Throws Error for another base.
  static std::vector<std::string> band_members(const std::string& base);
  /// Op types whose kernels sum through the reduction rules / through gemm (the band's members
  /// differ only by overrides of these types, so other ops never split the family).
  static const std::vector<std::string>& reduction_op_types();
  static const std::vector<std::string>& dot_product_op_types();
  /// User-defined profile from JSON (schema in docs/numeric-profiles.md); errors name `file`.
  static NumericProfile from_json(const std::string& json_text, const std::string& file);
  static NumericProfile from_json_file(const std::string& path);
};

/// Rounds to fp16 under `mode` (nearest-even or toward zero), saturating to ±inf like IEEE.
float round_fp16(float v, RoundingMode mode);

}  // namespace mlscope::exec
