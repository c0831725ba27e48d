#include "core/compare/value_histograms.h"

#include <algorithm>
#include <cmath>

#include "core/compare/values.h"

namespace mlscope::compare {

namespace {

void fill(Histogram& h, const std::vector<double>& v, int bins) {
  h.counts.assign(static_cast<size_t>(bins), 0);
  const double w = (h.hi - h.lo) / bins;
  for (double x : v) {
    if (!std::isfinite(x)) continue;
    int k = w > 0 ? static_cast<int>((x - h.lo) / w) : 0;
    ++h.counts[static_cast<size_t>(std::clamp(k, 0, bins - 1))];
  }
}

}  // namespace

std::map<std::string, ValuePairHistogram> value_pair_histograms(const exec::RunResult& reference, const exec::RunResult& other, int bins) {
  std::map<std::string, ValuePairHistogram> out;
  bins = std::max(1, bins);
  for (const auto& [name, rv] : reference.intermediates) {
    auto it = other.intermediates.find(name);
    if (it == other.intermediates.end()) continue;
    FlatValue a = flatten(rv), b = flatten(it->second);
    if (a.kind != FlatValue::Kind::Numeric || b.kind != FlatValue::Kind::Numeric || a.values.size() != b.values.size() || a.values.empty())
      continue;
    double lo = INFINITY, hi = -INFINITY;
    for (const auto* v : {&a.values, &b.values})
      for (double x : *v)
        if (std::isfinite(x)) { lo = std::min(lo, x); hi = std::max(hi, x); }
    if (!(lo <= hi)) continue;
    if (lo == hi) { lo -= 0.5; hi += 0.5; }
    ValuePairHistogram h;
    h.value = name;
    h.reference.lo = h.other.lo = lo;
    h.reference.hi = h.other.hi = hi;
    fill(h.reference, a.values, bins);
    fill(h.other, b.values, bins);
    out.emplace(name, std::move(h));
  }
  return out;
}

}  // namespace mlscope::compare
