#include "core/compare/plot_data.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "core/compare/compare_report.h"

namespace mlscope::compare {

OutputPlot output_plot(const Comparison& c, const std::string& output, const std::vector<std::string>& class_labels, int top_k) {
  OutputPlot p;
  p.output = output;
  const BackendComparison* ref = c.find(c.reference);
  const OutputSummary* ref_out = nullptr;
  if (ref) {
    auto it = ref->outputs.find(output);
    if (it != ref->outputs.end()) ref_out = &it->second;
  }
  if (!ref_out || ref_out->value.kind != FlatValue::Kind::Numeric) return p;
  p.classification = ref_out->classification;
  p.total_classes = ref_out->value.values.size();
  if (auto mp = c.margin_pairs.find(output); mp != c.margin_pairs.end()) {
    p.margin_a = mp->second.a;
    p.margin_b = mp->second.b;
  }
  // Narrow outputs: every class. Wide ones: the reference's top-k and every backend's winner,
  // so a flip is always visible.
  std::set<int64_t> shown;
  const size_t k = static_cast<size_t>(std::max(1, top_k));
  if (p.total_classes <= std::max<size_t>(k, 10)) {
    for (size_t i = 0; i < p.total_classes; ++i) shown.insert(static_cast<int64_t>(i));
  } else {
    const ClassStats cs = class_stats(ref_out->value.values, static_cast<int>(k));
    shown.insert(cs.top_k.begin(), cs.top_k.end());
    for (const auto& b : c.backends)
      if (auto it = b.outputs.find(output); it != b.outputs.end() && it->second.classification && it->second.cls.argmax >= 0)
        shown.insert(it->second.cls.argmax);
  }
  p.classes.assign(shown.begin(), shown.end());
  for (int64_t cls : p.classes) {
    const size_t i = static_cast<size_t>(cls);
    if (i < ref_out->value.labels.size()) p.labels.push_back(ref_out->value.labels[i]);
    else if (i < class_labels.size() && class_labels.size() == p.total_classes) p.labels.push_back(class_labels[i]);
    else p.labels.push_back("class " + std::to_string(cls));
  }
  for (const auto& b : c.backends) {
    PlotBackend pb;
    pb.name = b.name;
    pb.provenance = b.provenance;
    pb.kind = b.kind;
    pb.reference = b.name == c.reference;
    auto out = b.outputs.find(output);
    auto delta = b.vs_reference.find(output);
    if (out == b.outputs.end() || out->second.value.values.size() != p.total_classes) {
      pb.compared = false;
      pb.note = out == b.outputs.end() ? "missing" : "shape differs";
      if (delta != b.vs_reference.end() && !delta->second.note.empty()) pb.note = delta->second.note;
      p.backends.push_back(std::move(pb));
      continue;
    }
    for (int64_t cls : p.classes) pb.values.push_back(out->second.value.values[static_cast<size_t>(cls)]);
    pb.argmax = out->second.cls.argmax;
    pb.margin = out->second.margin;
    if (delta != b.vs_reference.end() && delta->second.compared) {
      pb.margin_delta = delta->second.margin_delta;
      for (int64_t cls : p.classes)
        if (static_cast<size_t>(cls) < delta->second.delta.size()) pb.delta.push_back(delta->second.delta[static_cast<size_t>(cls)]);
      pb.flip = p.classification && !delta->second.argmax_equal;
      pb.max_abs_diff = delta->second.diff.max_abs_diff;
      pb.cosine = delta->second.diff.cosine;
    }
    p.any_flip = p.any_flip || pb.flip;
    p.backends.push_back(std::move(pb));
  }
  return p;
}

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

}  // namespace

std::string comparison_csv(const Comparison& c) {
  std::ostringstream s;
  s << "backend,kind,reference,output,values,argmax,margin,margin_delta,argmax_flip,max_abs_diff,cosine,provenance\n";
  for (const auto& b : c.backends)
    for (const auto& name : c.output_names) {
      auto out = b.outputs.find(name);
      if (out == b.outputs.end()) continue;
      const OutputSummary& o = out->second;
      std::string values;
      if (o.value.kind == FlatValue::Kind::Numeric && o.value.values.size() <= kSmallOutput)
        for (size_t i = 0; i < o.value.values.size(); ++i) values += (i ? " " : "") + fmt_f32(o.value.values[i]);
      auto d = b.vs_reference.find(name);
      const bool cmp = d != b.vs_reference.end() && d->second.compared;
      s << csv_field(b.name) << ',' << exec::backend_kind_name(b.kind) << ',' << (b.name == c.reference ? "yes" : "no") << ','
        << csv_field(name) << ',' << csv_field(values) << ',' << (o.classification ? std::to_string(o.cls.argmax) : "") << ','
        << (o.classification ? fmt_f64(o.margin) : "") << ',' << (cmp && o.classification ? fmt_f64(d->second.margin_delta) : "") << ','
        << (cmp && o.classification ? (d->second.argmax_equal ? "no" : "yes") : "") << ','
        << (cmp ? fmt_f64(d->second.diff.max_abs_diff) : "") << ',' << (cmp ? fmt_f64(d->second.diff.cosine) : "") << ','
        << csv_field(b.provenance) << '\n';
    }
  return s.str();
}

}  // namespace mlscope::compare
