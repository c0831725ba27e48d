// How per-op divergence compares one op output of two runs: four sums over both sides'
// elements (block by block, the same numbers whatever the thread count) reduced to cosine,
// max abs diff and relative error. A side may hand over a deferred dequantize's output as
// codes + table; it is decoded block by block into the same floats.
#pragma once

#include <string>
#include <variant>

#include "core/exec/backend.h"
#include "core/exec/dequantized_codes.h"

namespace mlscope::compare {

/// One value compared (or why not). Both divergence paths (kept intermediates, streaming)
/// reduce through these functions, so they give the same numbers.
struct ValueDiff {
  bool compared = false;
  std::string note;
  double cosine = 1, max_abs_diff = 0, rel_error = 0;
};

/// What a run reported for one value: the value, or a deferred dequantize's codes + table.
using Observed = std::variant<exec::RunValue, exec::DequantizedCodes>;

/// `ref` against `other` (value name for notes): tensors of the same size element by element
/// (floats, or int8/uint8 codes in place); other numeric values flattened; anything else noted.
ValueDiff reduce_pair(const std::string& vname, const exec::RunValue& ref,
                      const exec::RunValue& other);
/// The same, either side possibly codes: decoded block by block, the numbers reduce_pair gives
/// for the decoded values.
ValueDiff reduce_observed(const std::string& vname, const Observed& ref, const Observed& other);

}  // namespace mlscope::compare
