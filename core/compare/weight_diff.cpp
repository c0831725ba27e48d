#include "core/compare/weight_diff.h"

#include <cmath>

#include "core/compare/weight_ref.h"
#include "core/util/error.h"

namespace mlscope::compare {

namespace {

using nlohmann::json;

// "B: op 'w_lut': constexpr_lut_to_dense: index 16 ..." — which model, where, what.
std::string failure_note(const char* side, const std::exception& e) {
  if (const auto* err = dynamic_cast<const Error*>(&e))
    return std::string(side) + ": " + (err->where().op.empty() ? "" : "op '" + err->where().op + "': ") + err->message();
  return std::string(side) + ": " + e.what();
}

void reduce(const weights::DenseTensor& a, const weights::DenseTensor& b, WeightDiff& d) {
  double max_abs = 0, sum_a2 = 0, sum_d2 = 0;
  for (size_t i = 0; i < a.values.size(); ++i) {
    const double x = a.values[i], diff = double(b.values[i]) - x;
    const double ad = std::fabs(diff);
    if (!(ad <= max_abs)) max_abs = ad;  // a NaN stays
    sum_a2 += x * x;
    sum_d2 += diff * diff;
  }
  d.max_abs_error = max_abs;
  const double inf = std::numeric_limits<double>::infinity();
  d.rel_error = sum_d2 == 0 ? 0 : (sum_a2 == 0 ? inf : std::sqrt(sum_d2) / std::sqrt(sum_a2));
  d.snr_db = sum_d2 == 0 ? inf : (sum_a2 == 0 ? -inf : 10 * std::log10(sum_a2 / sum_d2));
  d.compared = true;
}

WeightDiff diff_one(const std::string& file_a, const WeightRef& wa, const WeightSchemes& sa, const std::string& file_b,
                    const WeightRef& wb, const WeightSchemes& sb) {
  WeightDiff d;
  d.a_op = wa.function->op(wa.op).name;
  d.b_op = wb.function->op(wb.op).name;
  d.param = wa.param();
  d.a_name = weight_name(wa);
  d.b_name = weight_name(wb);
  const WeightStorage st_a = weight_storage(wa, sa), st_b = weight_storage(wb, sb);
  d.a_scheme = st_a.scheme;
  d.bytes_a = st_a.bytes;
  d.b_scheme = st_b.scheme;
  d.bytes_b = st_b.bytes;
  d.elements = declared_elements(wa).value_or(0);
  if (wa.kind == WeightRef::Kind::Missing) {
    d.note = "A has no '" + wa.param() + "'";
    return d;
  }
  if (wb.kind == WeightRef::Kind::Missing) {
    d.note = "B has no '" + wb.param() + "'";
    return d;
  }
  if (wb.kind == WeightRef::Kind::Runtime) {
    d.note = "B's '" + wb.param() + "' is computed at run time";
    return d;
  }
  // Decoded one pair at a time and freed on return: the peak is this pair, not the model.
  weights::DenseTensor a, b;
  try {
    a = decode_weight(wa, file_a);
  } catch (const std::exception& e) {
    d.note = failure_note("A", e);
    return d;
  }
  d.elements = a.values.size();
  try {
    b = decode_weight(wb, file_b);
  } catch (const std::exception& e) {
    d.note = failure_note("B", e);
    return d;
  }
  if (a.shape != b.shape || a.values.size() != b.values.size()) {
    d.note = "shape " + a.shape.str() + " vs " + b.shape.str();
    return d;
  }
  reduce(a, b, d);
  return d;
}

bool valid_op(const ir::Function& f, ir::OpId o) { return o >= 0 && static_cast<size_t>(o) < f.ops.size(); }

json finite_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

}  // namespace

std::vector<WeightDiff> diff_weights(const ir::Model& a, const ir::Function& fa, const ir::Model& b, const ir::Function& fb,
                                     const std::vector<std::pair<ir::OpId, ir::OpId>>& matched) {
  const WeightSchemes sa(fa), sb(fb);
  std::vector<WeightDiff> out;
  for (const auto& [ia, ib] : matched) {
    if (!valid_op(fa, ia) || !valid_op(fb, ib)) {
      WeightDiff d;
      d.a_op = valid_op(fa, ia) ? fa.op(ia).name : "#" + std::to_string(ia);
      d.b_op = valid_op(fb, ib) ? fb.op(ib).name : "#" + std::to_string(ib);
      d.note = "op id out of range";
      out.push_back(std::move(d));
      continue;
    }
    std::vector<WeightRef> weights_a;
    try {
      weights_a = op_weights(fa, ia);
    } catch (const std::exception& e) {  // layer parameters too malformed to list its weights
      WeightDiff d;
      d.a_op = fa.op(ia).name;
      d.b_op = fb.op(ib).name;
      d.note = failure_note("A", e);
      out.push_back(std::move(d));
      continue;
    }
    for (const WeightRef& wa : weights_a) {
      const std::string input = counterpart_input(wa.input, fa.op(ia).dialect, fb.op(ib).dialect);
      try {
        out.push_back(diff_one(a.path, wa, sa, b.path, op_param(fb, ib, input, wa.binding), sb));
      } catch (const std::exception& e) {  // decoding is caught inside; this is anything else
        WeightDiff d;
        d.a_op = fa.op(ia).name;
        d.b_op = fb.op(ib).name;
        d.param = wa.param();
        d.note = e.what();
        out.push_back(std::move(d));
      }
    }
  }
  return out;
}

WeightTotals weight_totals(const std::vector<WeightDiff>& diffs) {
  WeightTotals t;
  for (const WeightDiff& d : diffs) {
    t.bytes_a += d.bytes_a;
    t.bytes_b += d.bytes_b;
    if (!d.compared) {
      ++t.not_compared;
      continue;
    }
    ++t.compared;
    if (d.identical()) ++t.identical;
    else if (!(d.snr_db >= t.worst_snr_db)) {  // a NaN SNR is the worst
      t.worst_snr_db = d.snr_db;
      t.worst = d.a_op + "." + d.param;
    }
  }
  return t;
}

json weight_diff_json(const WeightDiff& d) {
  json j;
  j["a_op"] = d.a_op;
  j["b_op"] = d.b_op;
  j["param"] = d.param;
  j["a_name"] = d.a_name;
  j["b_name"] = d.b_name;
  j["a_scheme"] = d.a_scheme;
  j["b_scheme"] = d.b_scheme;
  j["elements"] = d.elements;
  j["compared"] = d.compared;
  j["note"] = d.note;
  j["identical"] = d.identical();
  j["max_abs_error"] = d.compared ? finite_or_null(d.max_abs_error) : json(nullptr);
  j["snr_db"] = d.compared ? finite_or_null(d.snr_db) : json(nullptr);
  j["rel_error"] = d.compared ? finite_or_null(d.rel_error) : json(nullptr);
  j["bytes_a"] = d.bytes_a;
  j["bytes_b"] = d.bytes_b;
  return j;
}

}  // namespace mlscope::compare
