#include "core/compare/compare_runs.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/util/error.h"

namespace mlscope::compare {

const BackendComparison* Comparison::find(const std::string& name) const {
  for (const auto& b : backends)
    if (b.name == name) return &b;
  return nullptr;
}

NonFiniteCount count_nonfinite(const std::vector<double>& values) {
  NonFiniteCount n;
  for (double v : values) {
    if (std::isnan(v)) ++n.nan;
    else if (std::isinf(v)) ++(v > 0 ? n.pos_inf : n.neg_inf);
  }
  return n;
}

OutputSummary summarize_output(const exec::RunValue& v, int top_k, const ClassAxis& rule) {
  OutputSummary s;
  s.value = flatten(v);
  s.nonfinite = count_nonfinite(s.value.values);
  if (auto layout = position_layout(s.value, rule)) {
    s.positions = summarize_positions(s.value, *layout, top_k);
    return s;
  }
  // A forced class axis over a single position is an ordinary score vector.
  s.classification = is_classification_like(s.value) && rule.mode != ClassAxis::Mode::Off;
  if (s.classification) s.cls = class_stats(s.value.values, top_k);
  return s;
}

namespace {

// Min/max per value over the members (NaN skipped: a member's NaN shows in its decision), and
// whether every member decides the same strict winner.
OutputBand band_of(const std::vector<exec::BandMember>& members, const std::string& output, const OutputSummary& shape,
                   int top_k, const ClassAxis& rule) {
  OutputBand b;
  std::vector<std::vector<bool>> stable;
  bool first = true;
  std::vector<int64_t> pos_argmax;
  for (const auto& m : members) {
    auto it = m.outputs.find(output);
    if (it == m.outputs.end()) continue;
    const OutputSummary s = summarize_output(it->second, top_k, rule);
    if (s.value.values.size() != shape.value.values.size()) continue;
    b.members.push_back(m.name);
    if (first) {
      b.min = b.max = s.value.values;
      if (s.positions) {
        b.argmax_stable_positions.assign(s.positions->cls.size(), true);
        for (const auto& c : s.positions->cls) pos_argmax.push_back(c.argmax);
      }
    }
    for (size_t i = 0; i < s.value.values.size(); ++i) {
      b.min[i] = std::fmin(b.min[i], s.value.values[i]);
      b.max[i] = std::fmax(b.max[i], s.value.values[i]);
    }
    if (s.classification) {
      b.member_argmax.push_back(s.cls.argmax);
      if (s.cls.decision != Decision::Strict || s.cls.argmax != b.member_argmax.front()) b.argmax_stable = false;
    }
    if (s.positions)
      for (size_t p = 0; p < s.positions->cls.size() && p < b.argmax_stable_positions.size(); ++p)
        if (s.positions->cls[p].decision != Decision::Strict || s.positions->cls[p].argmax != pos_argmax[p])
          b.argmax_stable_positions[p] = false;
    first = false;
  }
  for (bool st : b.argmax_stable_positions) b.unstable_positions += !st;
  if (b.unstable_positions) b.argmax_stable = false;
  return b;
}

}  // namespace

OutputDelta compare_output(const OutputSummary& ref, const OutputSummary& other) {
  OutputDelta d;
  const FlatValue& a = ref.value;
  const FlatValue& b = other.value;
  if (a.kind != b.kind) {
    d.note = "kinds differ: " + a.description + " vs " + b.description;
    return d;
  }
  if (a.kind == FlatValue::Kind::Unsupported) {
    d.note = "not comparable: " + a.description;
    return d;
  }
  if (a.shape != b.shape && a.values.size() != b.values.size()) {
    d.note = "shape " + exec::dims_str(a.shape) + " vs " + exec::dims_str(b.shape);
    return d;
  }
  if (a.labels != b.labels) {
    d.note = "dictionary keys differ";
    return d;
  }
  if (a.kind == FlatValue::Kind::Text) {
    d.compared = true;
    d.diff.count = a.text.size();
    d.diff.equal = a.text == b.text;
    d.argmax_equal = d.diff.equal;
    return d;
  }
  d.compared = true;
  d.diff = diff_stats(a.values, b.values);
  d.delta.resize(a.values.size());
  for (size_t i = 0; i < a.values.size(); ++i) d.delta[i] = b.values[i] - a.values[i];
  if (ref.classification && other.classification) {
    d.classification = true;
    const MarginPair p = margin_pair(a.values);
    d.margin_delta = margin(b.values, p) - margin(a.values, p);
    d.argmax_equal = ref.cls.argmax == other.cls.argmax;
    d.verdict = verdict(ref.cls, other.cls);
    d.flip = d.verdict == Verdict::Flipped;
  } else if (ref.positions && other.positions && ref.positions->layout.positions == other.positions->layout.positions &&
             ref.positions->layout.classes == other.positions->layout.classes) {
    d.positions = compare_positions(*ref.positions, *other.positions);
    d.flip = d.positions->flipped > 0;
    d.argmax_equal = true;
    for (size_t p = 0; p < ref.positions->cls.size(); ++p)
      d.argmax_equal = d.argmax_equal && ref.positions->cls[p].argmax == other.positions->cls[p].argmax;
    // The output's verdict: flipped if any position flipped, else the weakest position's.
    d.verdict = d.flip ? Verdict::Flipped : Verdict::Same;
    for (Verdict v : d.positions->verdict)
      if (!d.flip && v > d.verdict) d.verdict = v;  // enum order: same < flipped < tie < degenerate < nonfinite
  }
  return d;
}

Comparison compare_runs(const std::vector<BackendRun>& runs, const std::string& reference, const CompareOptions& options) {
  auto ref_it = std::find_if(runs.begin(), runs.end(), [&](const BackendRun& r) { return r.name == reference; });
  if (ref_it == runs.end()) {
    std::string names;
    for (const auto& r : runs) names += (names.empty() ? "" : ", ") + r.name;
    throw Error(Location{}, "compare: reference '" + reference + "' is not one of the backends (" + names + ")");
  }
  Comparison c;
  c.reference = reference;
  // Description order first, then outputs only some backend produced (sorted, deterministic).
  std::set<std::string> seen;
  for (const auto& n : options.output_order)
    if (seen.insert(n).second) c.output_names.push_back(n);
  std::set<std::string> extra;
  for (const auto& r : runs)
    for (const auto& [n, v] : r.result.outputs)
      if (!seen.count(n)) extra.insert(n);
  c.output_names.insert(c.output_names.end(), extra.begin(), extra.end());

  std::map<std::string, OutputSummary> ref_outputs;
  for (const auto& n : c.output_names) {
    auto it = ref_it->result.outputs.find(n);
    if (it == ref_it->result.outputs.end()) continue;
    OutputSummary& rs = ref_outputs[n] = summarize_output(it->second, options.top_k, options.class_axis);
    if (rs.classification) c.margin_pairs[n] = margin_pair(rs.value.values);
    if (rs.positions) {
      c.position_pairs[n] = position_margin_pairs(rs.value, rs.positions->layout);
      rs.positions->margin = position_margins(rs.value, rs.positions->layout, c.position_pairs[n]);
    }
    const auto rank = static_cast<int64_t>(rs.value.shape.size());
    if (options.class_axis.mode == ClassAxis::Mode::Axis && !rs.positions && rs.value.kind == FlatValue::Kind::Numeric &&
        (options.class_axis.axis >= rank || options.class_axis.axis < -rank))
      c.notes.push_back("class axis " + std::to_string(options.class_axis.axis) + " does not exist in output '" + n + "' " +
                        exec::dims_str(rs.value.shape) + ": compared as a whole");
  }

  for (const auto& r : runs) {
    BackendComparison b;
    b.name = r.name;
    b.kind = r.kind;
    b.provenance = r.provenance;
    b.warnings = r.result.warnings;
    for (const auto& n : c.output_names) {
      auto it = r.result.outputs.find(n);
      auto ref = ref_outputs.find(n);
      if (it == r.result.outputs.end()) {
        b.vs_reference[n].note = "output missing from " + r.name;
        continue;
      }
      OutputSummary s = summarize_output(it->second, options.top_k, options.class_axis);
      if (auto p = c.margin_pairs.find(n); p != c.margin_pairs.end() && s.classification)
        s.margin = margin(s.value.values, p->second);
      if (auto p = c.position_pairs.find(n); p != c.position_pairs.end() && s.positions)
        s.positions->margin = position_margins(s.value, s.positions->layout, p->second);
      if (!r.result.band_members.empty()) s.band = band_of(r.result.band_members, n, s, options.top_k, options.class_axis);
      if (ref == ref_outputs.end()) {
        b.vs_reference[n].note = "output missing from the reference " + reference;
      } else {
        b.vs_reference[n] = compare_output(ref->second, s);
      }
      b.outputs[n] = std::move(s);
    }
    c.backends.push_back(std::move(b));
  }
  return c;
}

}  // namespace mlscope::compare
