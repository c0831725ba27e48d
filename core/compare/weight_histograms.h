// Histograms of one weight of two models: A's and B's dense values over shared bins (so they
// overlay), and the error b − a — how a compression scheme moved the values (a 4-bit LUT's
// 16 spikes, int8's even steps, pruning's spike at 0).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/ir/model.h"

namespace mlscope::compare {

struct WeightPairHistograms {
  std::string a_op, param;  ///< A's op and parameter (as in WeightDiff)
  uint64_t elements = 0;
  double lo = 0, hi = 0;                  ///< value range of A and B together
  std::vector<uint64_t> a, b;             ///< counts per bin over [lo, hi]
  double error_lo = 0, error_hi = 0;      ///< range of b − a
  std::vector<uint64_t> error;            ///< counts per bin over [error_lo, error_hi]
  uint64_t non_finite = 0;                ///< elements left out (NaN/inf on either side)
  std::string note;                       ///< why there are no histograms
  bool ok() const { return note.empty() && elements > 0; }
};

/// Weight `a_param` of A's op `ia` against its counterpart of B's op `ib`, both decoded.
/// Never throws: a weight that cannot be decoded or whose shapes differ gets a note.
WeightPairHistograms weight_pair_histograms(const ir::Model& a, const ir::Function& fa, ir::OpId ia, const ir::Model& b,
                                            const ir::Function& fb, ir::OpId ib, const std::string& a_param, int bins = 48);

}  // namespace mlscope::compare
