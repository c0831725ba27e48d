#include "core/compare/value_histograms.h"

#include <algorithm>
#include <cmath>
#include <variant>

#include "core/compare/values.h"

namespace mlscope::compare {

namespace {

// Float tensors are read in place (intermediates of big models are large; no copies).
template <class Span>
void fill(Histogram& h, const Span& v, int bins) {
  h.counts.assign(static_cast<size_t>(bins), 0);
  const double w = (h.hi - h.lo) / bins;
  for (auto xf : v) {
    const double x = static_cast<double>(xf);
    if (!std::isfinite(x)) continue;
    int k = w > 0 ? static_cast<int>((x - h.lo) / w) : 0;
    ++h.counts[static_cast<size_t>(std::clamp(k, 0, bins - 1))];
  }
}

template <class Span>
void range(const Span& v, double& lo, double& hi) {
  for (auto xf : v) {
    const double x = static_cast<double>(xf);
    if (std::isfinite(x)) { lo = std::min(lo, x); hi = std::max(hi, x); }
  }
}

template <class SA, class SB>
ValuePairHistogram pair(const std::string& name, const SA& a, const SB& b, int bins, bool& ok) {
  ValuePairHistogram h;
  double lo = INFINITY, hi = -INFINITY;
  range(a, lo, hi);
  range(b, lo, hi);
  ok = lo <= hi;
  if (!ok) return h;
  if (lo == hi) { lo -= 0.5; hi += 0.5; }
  h.value = name;
  h.reference.lo = h.other.lo = lo;
  h.reference.hi = h.other.hi = hi;
  fill(h.reference, a, bins);
  fill(h.other, b, bins);
  return h;
}

}  // namespace

std::map<std::string, ValuePairHistogram> value_pair_histograms(const exec::RunResult& reference, const exec::RunResult& other, int bins) {
  std::map<std::string, ValuePairHistogram> out;
  bins = std::max(1, bins);
  for (const auto& [name, rv] : reference.intermediates) {
    auto it = other.intermediates.find(name);
    if (it == other.intermediates.end()) continue;
    bool ok = false;
    const auto* ta = std::get_if<exec::Tensor>(&rv);
    const auto* tb = std::get_if<exec::Tensor>(&it->second);
    if (ta && tb && ta->is_float() && tb->is_float()) {
      if (ta->size() != tb->size() || ta->size() == 0) continue;
      ValuePairHistogram h = pair(name, ta->floats(), tb->floats(), bins, ok);
      if (ok) out.emplace(name, std::move(h));
      continue;
    }
    FlatValue a = flatten(rv), b = flatten(it->second);
    if (a.kind != FlatValue::Kind::Numeric || b.kind != FlatValue::Kind::Numeric || a.values.size() != b.values.size() || a.values.empty())
      continue;
    ValuePairHistogram h = pair(name, a.values, b.values, bins, ok);
    if (ok) out.emplace(name, std::move(h));
  }
  return out;
}

}  // namespace mlscope::compare
