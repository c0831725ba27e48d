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

namespace mlscope::compare {

ValueSketch sketch_value(const exec::RunValue& v, int fine_bins) {
  ValueSketch s;
  fine_bins = std::max(1, fine_bins);
  auto build = [&](const auto& span) {
    double lo = INFINITY, hi = -INFINITY;
    range(span, lo, hi);
    s.elements = span.size();
    if (!(lo <= hi)) return;
    if (lo == hi) { lo -= 0.5; hi += 0.5; }
    Histogram h;
    h.lo = lo;
    h.hi = hi;
    fill(h, span, fine_bins);
    s.lo = lo;
    s.hi = hi;
    s.counts = std::move(h.counts);
  };
  if (const auto* t = std::get_if<exec::Tensor>(&v); t && t->is_float()) {
    build(t->floats());
    return s;
  }
  FlatValue f = flatten(v);
  if (f.kind == FlatValue::Kind::Numeric) build(f.values);
  return s;
}

bool combine_sketches(const std::string& name, const ValueSketch& a, const ValueSketch& b, int bins, ValuePairHistogram& out) {
  if (a.counts.empty() || b.counts.empty()) return false;
  bins = std::max(1, bins);
  const double lo = std::min(a.lo, b.lo), hi = std::max(a.hi, b.hi);
  out.value = name;
  for (auto* h : {&out.reference, &out.other}) {
    h->lo = lo;
    h->hi = hi;
    h->counts.assign(static_cast<size_t>(bins), 0);
  }
  const double w = (hi - lo) / bins;
  auto rebin = [&](const ValueSketch& s, Histogram& h) {
    const double fw = (s.hi - s.lo) / static_cast<double>(s.counts.size());
    for (size_t k = 0; k < s.counts.size(); ++k) {
      if (!s.counts[k]) continue;
      const double centre = s.lo + (static_cast<double>(k) + 0.5) * fw;
      const int bin = w > 0 ? static_cast<int>((centre - lo) / w) : 0;
      h.counts[static_cast<size_t>(std::clamp(bin, 0, bins - 1))] += s.counts[k];
    }
  };
  rebin(a, out.reference);
  rebin(b, out.other);
  return true;
}

exec::RunResult SketchingBackend::run(const ir::Model& model, const exec::RunInputs& inputs, const exec::RunOptions& options) {
  exec::RunOptions o = options;
  auto outer = options.on_value;
  o.on_value = [this, outer](const ir::Op& op, const std::string& name, const exec::RunValue& v) {
    if (!op.is_const() && !op.is_constexpr()) {
      ValueSketch s = sketch_value(v);
      std::lock_guard<std::mutex> lock(mu_);
      sketches_[name] = std::move(s);
    }
    if (outer) outer(op, name, v);
  };
  return inner_.run(model, inputs, o);
}

std::map<std::string, ValueSketch> SketchingBackend::take_sketches() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::move(sketches_);
}

}  // namespace mlscope::compare
