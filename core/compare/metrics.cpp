#include "core/compare/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace mlscope::compare {

namespace {
constexpr double kTiny = 1e-12;
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

double cosine_similarity(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) throw std::invalid_argument("cosine_similarity: length mismatch");
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na == 0 && nb == 0) return 1;
  if (na == 0 || nb == 0) return 0;
  // Identical vectors are exactly 1 (the division below can land an ulp short); clamp the rest.
  if (std::equal(a.begin(), a.end(), b.begin())) return 1;
  return std::clamp(dot / (std::sqrt(na) * std::sqrt(nb)), -1.0, 1.0);
}

DiffStats diff_stats(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) throw std::invalid_argument("diff_stats: length mismatch");
  DiffStats s;
  s.count = a.size();
  s.equal = true;
  double sum_abs = 0, sum_sq_diff = 0, sum_sq_ref = 0, peak = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = b[i] - a[i];
    const double ad = std::fabs(d);
    if (!(a[i] == b[i])) s.equal = false;
    if (ad > s.max_abs_diff || (std::isnan(ad) && !std::isnan(s.max_abs_diff))) {
      s.max_abs_diff = ad;
      s.worst_index = static_cast<int64_t>(i);
    }
    s.max_rel_diff = std::max(s.max_rel_diff, ad / std::max(std::fabs(a[i]), kTiny));
    sum_abs += ad;
    sum_sq_diff += d * d;
    sum_sq_ref += a[i] * a[i];
    peak = std::max(peak, std::fabs(a[i]));
  }
  if (s.count == 0) return s;
  s.mean_abs_diff = sum_abs / static_cast<double>(s.count);
  s.cosine = cosine_similarity(a, b);
  if (sum_sq_diff == 0) {
    s.snr_db = kInf;
    s.psnr_db = kInf;
  } else {
    s.snr_db = 10 * std::log10(sum_sq_ref / sum_sq_diff);
    s.psnr_db = 10 * std::log10(peak * peak / (sum_sq_diff / static_cast<double>(s.count)));
  }
  return s;
}

std::string_view decision_name(Decision d) {
  switch (d) {
    case Decision::Strict: return "strict";
    case Decision::Tie: return "tie";
    case Decision::Degenerate: return "degenerate";
    case Decision::NonFinite: return "nonfinite";
  }
  return "?";
}

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Same: return "same";
    case Verdict::Flipped: return "flipped";
    case Verdict::Tie: return "tie";
    case Verdict::Degenerate: return "degenerate";
    case Verdict::NonFinite: return "nonfinite";
  }
  return "?";
}

Decision decide(std::span<const double> scores) {
  if (scores.empty()) return Decision::Degenerate;
  for (double v : scores)
    if (!std::isfinite(v)) return Decision::NonFinite;
  const double best = *std::max_element(scores.begin(), scores.end());
  if (std::all_of(scores.begin(), scores.end(), [&](double v) { return v == best; })) return Decision::Degenerate;
  return std::count(scores.begin(), scores.end(), best) > 1 ? Decision::Tie : Decision::Strict;
}

Verdict verdict(const ClassStats& ref, const ClassStats& other) {
  auto weaker = [&](Decision d) { return ref.decision == d || other.decision == d; };
  if (weaker(Decision::NonFinite)) return Verdict::NonFinite;
  if (weaker(Decision::Degenerate)) return Verdict::Degenerate;
  if (weaker(Decision::Tie)) return Verdict::Tie;
  return ref.argmax == other.argmax ? Verdict::Same : Verdict::Flipped;
}

ClassStats class_stats(std::span<const double> scores, int k) {
  ClassStats c;
  c.decision = decide(scores);
  if (scores.empty()) return c;
  std::vector<int64_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  // Stable sort by descending score keeps ties in index order, like numpy's argmax; NaN sorts
  // first (numpy's argmax returns the first NaN) and the order stays a strict weak ordering.
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
    const bool nx = std::isnan(scores[x]), ny = std::isnan(scores[y]);
    if (nx || ny) return nx && !ny;
    return scores[x] > scores[y];
  });
  c.argmax = order[0];
  order.resize(std::min<size_t>(order.size(), static_cast<size_t>(std::max(k, 1))));
  c.top_k = order;
  if (scores.size() >= 2) {
    double best = -kInf, second = -kInf;
    for (double v : scores) {
      if (v > best) {
        second = best;
        best = v;
      } else if (v > second) {
        second = v;
      }
    }
    c.top1_top2_gap = best - second;
  }
  return c;
}

MarginPair margin_pair(std::span<const double> ref) {
  if (ref.size() < 2) return {0, 0};
  if (ref.size() == 2) return {0, 1};
  ClassStats c = class_stats(ref, 2);
  return {c.top_k[0], c.top_k[1]};
}

double margin(std::span<const double> scores, MarginPair p) {
  if (p.a == p.b || static_cast<size_t>(std::max(p.a, p.b)) >= scores.size()) return 0;
  return scores[p.a] - scores[p.b];
}

}  // namespace mlscope::compare
