// One quantization-lineage kind per op (for the graph's "lineage" colour mode and the op table),
// summarised from the per-input TensorLineage records of a QuantReport.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/analysis/lineage.h"

namespace mlscope::analysis {

enum class LineageKind : uint8_t {
  Float,                ///< real op, no decoded/quantized input
  WeightAffine,         ///< weights decoded from affine / blockwise integer codes
  WeightPalettized,     ///< weights decoded from a look-up table (possibly also sparse)
  WeightSparse,         ///< weights decoded from a sparse (mask + values) form
  WeightCast,           ///< weights only stored in a narrower float type (e.g. fp16 cast)
  Activation,           ///< runtime quantize→dequantize on an activation input only
  WeightAndActivation,  ///< both (the W8A8 pattern)
  Plumbing,             ///< const / constexpr_* / quantize / dequantize / cast ops themselves
};
constexpr size_t kLineageKindCount = 8;

std::string_view lineage_kind_name(LineageKind k);
/// A few characters for table cells: "float", "W int", "W LUT", "W sparse", "W cast", "A int",
/// "W+A int", "plumbing".
std::string_view lineage_kind_short(LineageKind k);

/// kinds[op] for every op of `f` (indexed by OpId). `report` must contain `f`'s tensors
/// (matched by function name + op name).
std::vector<LineageKind> op_lineage_kinds(const ir::Function& f, const QuantReport& report);

/// Indices into report.tensors of each op's lineage records (indexed by OpId).
std::vector<std::vector<uint32_t>> op_lineage_records(const ir::Function& f, const QuantReport& report);

}  // namespace mlscope::analysis
