#include "core/compare/weight_histograms.h"

#include <algorithm>
#include <cmath>

#include "core/compare/weight_ref.h"

namespace mlscope::compare {

namespace {

void count_into(std::vector<uint64_t>& bins, double lo, double hi, double v) {
  const double w = hi > lo ? (hi - lo) / static_cast<double>(bins.size()) : 1.0;
  const auto k = static_cast<size_t>(std::clamp((v - lo) / w, 0.0, static_cast<double>(bins.size() - 1)));
  ++bins[k];
}

}  // namespace

WeightPairHistograms weight_pair_histograms(const ir::Model& a, const ir::Function& fa, ir::OpId ia, const ir::Model& b,
                                            const ir::Function& fb, ir::OpId ib, const std::string& a_param, int bins) {
  WeightPairHistograms h;
  h.param = a_param;
  if (ia < 0 || static_cast<size_t>(ia) >= fa.ops.size() || ib < 0 || static_cast<size_t>(ib) >= fb.ops.size()) {
    h.note = "op id out of range";
    return h;
  }
  h.a_op = fa.op(ia).name;
  try {
    for (const WeightRef& wa : op_weights(fa, ia)) {
      if (wa.param() != a_param) continue;
      const WeightRef wb = op_param(fb, ib, counterpart_input(wa.input, fa.op(ia).dialect, fb.op(ib).dialect), wa.binding);
      if (!wb.is_weight()) {
        h.note = "B's " + wa.input + " is not a compile-time weight";
        return h;
      }
      const weights::DenseTensor da = decode_weight(wa, a.path), db = decode_weight(wb, b.path);
      if (da.values.size() != db.values.size()) {
        h.note = "shape " + da.shape.str() + " vs " + db.shape.str();
        return h;
      }
      double lo = INFINITY, hi = -INFINITY, elo = INFINITY, ehi = -INFINITY;
      for (size_t i = 0; i < da.values.size(); ++i) {
        const double x = da.values[i], y = db.values[i];
        if (!std::isfinite(x) || !std::isfinite(y)) continue;
        lo = std::min({lo, x, y});
        hi = std::max({hi, x, y});
        elo = std::min(elo, y - x);
        ehi = std::max(ehi, y - x);
      }
      h.lo = lo, h.hi = hi, h.error_lo = elo, h.error_hi = ehi;
      const size_t n = static_cast<size_t>(std::max(1, bins));
      h.a.assign(n, 0);
      h.b.assign(n, 0);
      h.error.assign(n, 0);
      for (size_t i = 0; i < da.values.size(); ++i) {
        const double x = da.values[i], y = db.values[i];
        if (!std::isfinite(x) || !std::isfinite(y)) {
          ++h.non_finite;
          continue;
        }
        count_into(h.a, lo, hi, x);
        count_into(h.b, lo, hi, y);
        count_into(h.error, elo, ehi, y - x);
        ++h.elements;
      }
      if (h.elements == 0) h.note = "no finite values";
      return h;
    }
    h.note = "A's op has no weight '" + a_param + "'";
  } catch (const std::exception& e) {
    h.note = e.what();
  }
  return h;
}

}  // namespace mlscope::compare
