// Position-wise outputs: a tensor whose class axis holds scores and whose other axes are
// positions (a language model's [1, 16, 256] is 16 positions of 256 token scores). Each position
// has its own decision, margin and flip; the question is per position, never over the flattened
// tensor.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/compare/metrics.h"
#include "core/compare/values.h"

namespace mlscope::compare {

/// Which axis holds the classes. Default: position-wise when the tensor is [..., N, C] with
/// C > 1 and N > 1 and only N and C differ from 1 (so images and feature maps are left alone);
/// `Axis` forces a class axis (negative counts from the end); `Off` never splits positions.
struct ClassAxis {
  enum class Mode : uint8_t { Auto, Axis, Off };
  Mode mode = Mode::Auto;
  int64_t axis = -1;
};

/// Element (position p, class c) lives at outer·C·inner + c·inner + in, where p = outer·inner + in.
struct PositionLayout {
  int64_t axis = -1;  ///< normalized class axis
  int64_t classes = 0, positions = 0, inner = 1;
  size_t index(int64_t position, int64_t cls) const {
    const int64_t outer = position / inner, in = position % inner;
    return static_cast<size_t>((outer * classes + cls) * inner + in);
  }
};

/// The layout when `v` is to be compared position by position (at least two positions).
std::optional<PositionLayout> position_layout(const FlatValue& v, const ClassAxis& rule);
/// The scores of one position.
std::vector<double> position_scores(const FlatValue& v, const PositionLayout& l, int64_t position);

/// Every position's decision, and its margin in the reference's per-position pair.
struct PositionSummary {
  PositionLayout layout;
  std::vector<ClassStats> cls;   ///< per position
  std::vector<double> margin;    ///< per position, in the reference's pair (compare_runs fills it)
};
PositionSummary summarize_positions(const FlatValue& v, const PositionLayout& l, int top_k);
/// The reference's margin pair at each position (top-1 vs top-2; y0 − y1 for two classes).
std::vector<MarginPair> position_margin_pairs(const FlatValue& reference, const PositionLayout& l);
std::vector<double> position_margins(const FlatValue& v, const PositionLayout& l, const std::vector<MarginPair>& pairs);

/// One backend against the reference, position by position.
struct PositionDelta {
  int64_t positions = 0;
  int64_t decided = 0;     ///< positions where both sides have a strict winner
  int64_t agree = 0, flipped = 0;
  int64_t undecided = 0;   ///< a tie, all-equal scores or NaN/inf on either side
  /// agree / decided; NaN when no position is decided (serialized as null).
  double argmax_agreement = 0;
  std::vector<Verdict> verdict;        ///< per position
  std::vector<double> margin_delta;    ///< per position: margin(other) − margin(reference)
  std::vector<int64_t> worst;          ///< up to `worst_count` positions: flips first, then the most negative margin delta
};
PositionDelta compare_positions(const PositionSummary& reference, const PositionSummary& other, size_t worst_count = 5);

}  // namespace mlscope::compare
