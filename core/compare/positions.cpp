#include "core/compare/positions.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace mlscope::compare {

std::optional<PositionLayout> position_layout(const FlatValue& v, const ClassAxis& rule) {
  if (rule.mode == ClassAxis::Mode::Off || v.kind != FlatValue::Kind::Numeric || v.from_dictionary) return std::nullopt;
  const auto rank = static_cast<int64_t>(v.shape.size());
  if (rank < 2) return std::nullopt;
  int64_t axis = rank - 1;
  if (rule.mode == ClassAxis::Mode::Axis) {
    axis = rule.axis < 0 ? rule.axis + rank : rule.axis;
    if (axis < 0 || axis >= rank) return std::nullopt;
  } else {
    int non_unit = 0;
    for (int64_t d : v.shape) non_unit += d != 1;
    if (non_unit != 2) return std::nullopt;  // [N, C] after dropping unit dims, nothing else
  }
  PositionLayout l;
  l.axis = axis;
  l.classes = v.shape[static_cast<size_t>(axis)];
  for (int64_t d = axis + 1; d < rank; ++d) l.inner *= v.shape[static_cast<size_t>(d)];
  l.positions = l.classes > 0 ? static_cast<int64_t>(v.values.size()) / l.classes : 0;
  if (l.classes < 2 || l.positions < 2) return std::nullopt;
  return l;
}

std::vector<double> position_scores(const FlatValue& v, const PositionLayout& l, int64_t position) {
  std::vector<double> s(static_cast<size_t>(l.classes));
  for (int64_t c = 0; c < l.classes; ++c) s[static_cast<size_t>(c)] = v.values[l.index(position, c)];
  return s;
}

PositionSummary summarize_positions(const FlatValue& v, const PositionLayout& l, int top_k) {
  PositionSummary s;
  s.layout = l;
  s.cls.reserve(static_cast<size_t>(l.positions));
  for (int64_t p = 0; p < l.positions; ++p) s.cls.push_back(class_stats(position_scores(v, l, p), top_k));
  return s;
}

std::vector<MarginPair> position_margin_pairs(const FlatValue& reference, const PositionLayout& l) {
  std::vector<MarginPair> pairs;
  for (int64_t p = 0; p < l.positions; ++p) pairs.push_back(margin_pair(position_scores(reference, l, p)));
  return pairs;
}

std::vector<double> position_margins(const FlatValue& v, const PositionLayout& l, const std::vector<MarginPair>& pairs) {
  std::vector<double> m;
  for (int64_t p = 0; p < l.positions && static_cast<size_t>(p) < pairs.size(); ++p) {
    const MarginPair mp = pairs[static_cast<size_t>(p)];
    m.push_back(v.values[l.index(p, mp.a)] - v.values[l.index(p, mp.b)]);
  }
  return m;
}

PositionDelta compare_positions(const PositionSummary& ref, const PositionSummary& other, size_t worst_count) {
  PositionDelta d;
  const size_t n = std::min(ref.cls.size(), other.cls.size());
  d.positions = static_cast<int64_t>(n);
  for (size_t p = 0; p < n; ++p) {
    const Verdict v = verdict(ref.cls[p], other.cls[p]);
    d.verdict.push_back(v);
    if (v == Verdict::Same || v == Verdict::Flipped) {
      ++d.decided;
      (v == Verdict::Same ? d.agree : d.flipped)++;
    } else {
      ++d.undecided;
    }
    const double md = p < ref.margin.size() && p < other.margin.size() ? other.margin[p] - ref.margin[p]
                                                                       : std::numeric_limits<double>::quiet_NaN();
    d.margin_delta.push_back(md);
  }
  d.argmax_agreement = d.decided ? static_cast<double>(d.agree) / static_cast<double>(d.decided)
                                 : std::numeric_limits<double>::quiet_NaN();
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto key = [&](int64_t p) {  // flips first, then the most negative (finite) margin delta
    const double md = d.margin_delta[static_cast<size_t>(p)];
    return std::pair<int, double>{d.verdict[static_cast<size_t>(p)] == Verdict::Flipped ? 0 : 1, std::isfinite(md) ? md : 0.0};
  };
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return key(a) < key(b); });
  order.resize(std::min(order.size(), worst_count));
  d.worst = std::move(order);
  return d;
}

}  // namespace mlscope::compare
