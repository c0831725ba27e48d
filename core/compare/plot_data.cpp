#include "core/compare/plot_data.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "core/compare/compare_report.h"

namespace mlscope::compare {

namespace {

// The scores the bars show: the whole output, or one position of a position-wise one.
std::vector<double> shown_scores(const OutputSummary& s, int64_t position) {
  if (s.positions && position >= 0) return position_scores(s.value, s.positions->layout, position);
  return s.value.values;
}

const ClassStats* shown_stats(const OutputSummary& s, int64_t position) {
  if (s.positions && position >= 0 && static_cast<size_t>(position) < s.positions->cls.size())
    return &s.positions->cls[static_cast<size_t>(position)];
  return s.classification ? &s.cls : nullptr;
}

int64_t default_position(const Comparison& c, const std::string& output) {
  for (const auto& b : c.backends) {
    if (b.name == c.reference) continue;
    auto d = b.vs_reference.find(output);
    if (d != b.vs_reference.end() && d->second.positions && !d->second.positions->worst.empty())
      return d->second.positions->worst.front();
  }
  return 0;
}

}  // namespace

OutputPlot output_plot(const Comparison& c, const std::string& output, const std::vector<std::string>& class_labels, int top_k,
                       int64_t position) {
  OutputPlot p;
  p.output = output;
  const BackendComparison* ref = c.find(c.reference);
  const OutputSummary* ref_out = nullptr;
  if (ref) {
    auto it = ref->outputs.find(output);
    if (it != ref->outputs.end()) ref_out = &it->second;
  }
  if (!ref_out || ref_out->value.kind != FlatValue::Kind::Numeric) return p;
  p.position_wise = ref_out->positions.has_value();
  if (p.position_wise) {
    p.positions = ref_out->positions->layout.positions;
    p.class_axis = ref_out->positions->layout.axis;
    p.position = position >= 0 && position < p.positions ? position : default_position(c, output);
  }
  const std::vector<double> ref_scores = shown_scores(*ref_out, p.position);
  p.classification = ref_out->classification || p.position_wise;
  p.total_classes = ref_scores.size();
  if (auto mp = c.margin_pairs.find(output); mp != c.margin_pairs.end()) {
    p.margin_a = mp->second.a;
    p.margin_b = mp->second.b;
  }
  if (auto pp = c.position_pairs.find(output); pp != c.position_pairs.end() && static_cast<size_t>(p.position) < pp->second.size()) {
    p.margin_a = pp->second[static_cast<size_t>(p.position)].a;
    p.margin_b = pp->second[static_cast<size_t>(p.position)].b;
  }
  // Narrow outputs: every class. Wide ones: the reference's top-k and every backend's winner,
  // so a flip is always visible.
  std::set<int64_t> shown;
  const size_t k = static_cast<size_t>(std::max(1, top_k));
  if (p.total_classes <= std::max<size_t>(k, 10)) {
    for (size_t i = 0; i < p.total_classes; ++i) shown.insert(static_cast<int64_t>(i));
  } else {
    const ClassStats cs = class_stats(ref_scores, static_cast<int>(k));
    shown.insert(cs.top_k.begin(), cs.top_k.end());
    for (const auto& b : c.backends)
      if (auto it = b.outputs.find(output); it != b.outputs.end())
        if (const ClassStats* st = shown_stats(it->second, p.position); st && st->argmax >= 0) shown.insert(st->argmax);
  }
  p.classes.assign(shown.begin(), shown.end());
  for (int64_t cls : p.classes) {
    const size_t i = static_cast<size_t>(cls);
    if (i < ref_out->value.labels.size()) p.labels.push_back(ref_out->value.labels[i]);
    else if (i < class_labels.size() && class_labels.size() == p.total_classes) p.labels.push_back(class_labels[i]);
    else p.labels.push_back((p.position_wise ? "token " : "class ") + std::to_string(cls));
  }
  for (const auto& b : c.backends) {
    PlotBackend pb;
    pb.name = b.name;
    pb.provenance = b.provenance;
    pb.kind = b.kind;
    pb.reference = b.name == c.reference;
    auto out = b.outputs.find(output);
    auto delta = b.vs_reference.find(output);
    if (out == b.outputs.end() || out->second.value.values.size() != ref_out->value.values.size()) {
      pb.compared = false;
      pb.note = out == b.outputs.end() ? "missing" : "shape differs";
      if (delta != b.vs_reference.end() && !delta->second.note.empty()) pb.note = delta->second.note;
      p.backends.push_back(std::move(pb));
      continue;
    }
    const OutputSummary& o = out->second;
    const std::vector<double> scores = shown_scores(o, p.position);
    for (int64_t cls : p.classes) pb.values.push_back(scores[static_cast<size_t>(cls)]);
    pb.nonfinite = o.nonfinite.total();
    if (const ClassStats* st = shown_stats(o, p.position)) {
      pb.argmax = st->argmax;
      pb.decision = st->decision;
    }
    pb.margin = o.margin;
    if (o.positions && static_cast<size_t>(p.position) < o.positions->margin.size()) pb.margin = o.positions->margin[static_cast<size_t>(p.position)];
    if (o.band && o.band->min.size() == o.value.values.size()) {
      const OutputBand& band = *o.band;
      for (int64_t cls : p.classes) {
        const size_t i = o.positions ? o.positions->layout.index(p.position, cls) : static_cast<size_t>(cls);
        pb.band_min.push_back(band.min[i]);
        pb.band_max.push_back(band.max[i]);
      }
      pb.band_members = band.members;
      pb.band_argmax_stable = o.positions && static_cast<size_t>(p.position) < band.argmax_stable_positions.size()
                                  ? bool(band.argmax_stable_positions[static_cast<size_t>(p.position)])
                                  : band.argmax_stable;
    }
    if (delta != b.vs_reference.end() && delta->second.compared) {
      const OutputDelta& d = delta->second;
      pb.margin_delta = d.margin_delta;
      if (d.positions) {
        const PositionDelta& pd = *d.positions;
        if (static_cast<size_t>(p.position) < pd.margin_delta.size()) pb.margin_delta = pd.margin_delta[static_cast<size_t>(p.position)];
        for (Verdict v : pd.verdict) pb.position_state.push_back(v == Verdict::Same ? 0 : v == Verdict::Flipped ? 1 : 2);
        pb.agreement = pd.argmax_agreement;
        pb.flipped_positions = pd.flipped;
        pb.undecided_positions = pd.undecided;
        pb.verdict = static_cast<size_t>(p.position) < pd.verdict.size() ? pd.verdict[static_cast<size_t>(p.position)] : d.verdict;
      } else {
        pb.verdict = d.verdict;
      }
      for (int64_t cls : p.classes) {
        const size_t i = o.positions ? o.positions->layout.index(p.position, cls) : static_cast<size_t>(cls);
        if (i < d.delta.size()) pb.delta.push_back(d.delta[i]);
      }
      // The badge is for the shown decision; position-wise outputs show their flip count too.
      pb.flip = p.classification && pb.verdict == Verdict::Flipped;
      pb.max_abs_diff = d.diff.max_abs_diff;
      pb.cosine = d.diff.cosine;
    }
    p.any_flip = p.any_flip || pb.flip || pb.flipped_positions > 0;
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
        << (cmp && (o.classification || o.positions) ? (d->second.flip ? "yes" : d->second.verdict == Verdict::Same ? "no" : std::string(verdict_name(d->second.verdict))) : "") << ','
        << (cmp ? fmt_f64(d->second.diff.max_abs_diff) : "") << ',' << (cmp ? fmt_f64(d->second.diff.cosine) : "") << ','
        << csv_field(b.provenance) << '\n';
    }
  return s.str();
}

}  // namespace mlscope::compare
