#include "core/compare/compare_runs.h"

#include <algorithm>
#include <set>

#include "core/util/error.h"

namespace mlscope::compare {

const BackendComparison* Comparison::find(const std::string& name) const {
  for (const auto& b : backends)
    if (b.name == name) return &b;
  return nullptr;
}

OutputSummary summarize_output(const exec::RunValue& v, int top_k) {
  OutputSummary s;
  s.value = flatten(v);
  s.classification = is_classification_like(s.value);
  if (s.classification) s.cls = class_stats(s.value.values, top_k);
  return s;
}

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
    ref_outputs[n] = summarize_output(it->second, options.top_k);
    if (ref_outputs[n].classification) c.margin_pairs[n] = margin_pair(ref_outputs[n].value.values);
  }

  for (const auto& r : runs) {
    BackendComparison b;
    b.name = r.name;
    b.kind = r.kind;
    b.provenance = r.provenance;
    for (const auto& n : c.output_names) {
      auto it = r.result.outputs.find(n);
      auto ref = ref_outputs.find(n);
      if (it == r.result.outputs.end()) {
        b.vs_reference[n].note = "output missing from " + r.name;
        continue;
      }
      OutputSummary s = summarize_output(it->second, options.top_k);
      if (auto p = c.margin_pairs.find(n); p != c.margin_pairs.end() && s.classification)
        s.margin = margin(s.value.values, p->second);
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
