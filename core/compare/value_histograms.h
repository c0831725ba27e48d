// Histograms of one op's output under two backends, on a shared range, so the inspector can show
// how the values' distributions differ (e.g. a quantized activation collapsing onto a few levels).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/compare/sweep.h"
#include "core/exec/backend.h"

namespace mlscope::compare {

struct ValuePairHistogram {
  std::string value;           ///< value name compared
  Histogram reference, other;  ///< same lo/hi and bin count
};

/// For every value present (numeric, equal element count) in both runs' intermediates: the two
/// histograms over the union of their finite ranges. Keyed by value name. Leaves the runs intact
/// (call before divergence_from_results(), which frees the intermediates it reduces).
std::map<std::string, ValuePairHistogram> value_pair_histograms(const exec::RunResult& reference, const exec::RunResult& other, int bins);

}  // namespace mlscope::compare
