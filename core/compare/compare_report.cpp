#include "core/compare/compare_report.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cmath>
#include <sstream>

#include "core/exec/backend.h"

namespace mlscope::compare {

std::string fmt_f32(double v) {
  // numpy prints float32 arrays with 8 significant digits ([1.3398438 0.11132812]).
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.8g", static_cast<double>(static_cast<float>(v)));
  return buf;
}

std::string fmt_f64(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

namespace {

using nlohmann::json;

std::string vec_f32(const std::vector<double>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + fmt_f32(v[i]);
  return s + "]";
}

std::string pct(double x) {
  std::ostringstream o;
  o.precision(3);
  o << x * 100 << "%";
  return o.str();
}

/// Plain text table with columns padded to their widest cell.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string str() const {
    std::vector<size_t> w;
    for (const auto& r : rows_)
      for (size_t i = 0; i < r.size(); ++i) {
        if (w.size() <= i) w.push_back(0);
        w[i] = std::max(w[i], r[i].size());
      }
    std::string out;
    for (const auto& r : rows_) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i) line += r[i] + (i + 1 < r.size() ? std::string(w[i] - r[i].size() + 2, ' ') : "");
      out += "  " + line + "\n";
    }
    return out;
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

std::string margin_label(const Comparison& c, const std::string& output) {
  auto p = c.margin_pairs.find(output);
  if (p == c.margin_pairs.end()) return "margin";
  return "margin " + output + "[" + std::to_string(p->second.a) + "]−" + output + "[" + std::to_string(p->second.b) + "]";
}

bool classification_output(const Comparison& c, const std::string& output) { return c.margin_pairs.count(output) != 0; }

bool has_band(const BackendComparison& b) {
  for (const auto& [n, s] : b.outputs)
    if (s.band) return true;
  return false;
}

std::string verdict_text(const OutputDelta& d) {
  switch (d.verdict) {
    case Verdict::Same: return d.diff.equal ? "same (bit-identical)" : "same";
    case Verdict::Flipped: return "FLIPPED";
    case Verdict::Tie: return "tie: no strict winner, not a flip";
    case Verdict::Degenerate: return "degenerate: all scores equal, not a flip";
    case Verdict::NonFinite: return "NaN/inf: not a flip";
  }
  return "?";
}

std::string nonfinite_text(const NonFiniteCount& n) {
  std::string s;
  auto add = [&](uint64_t k, const char* what) {
    if (k) s += (s.empty() ? "" : ", ") + std::to_string(k) + " " + what;
  };
  add(n.nan, "NaN");
  add(n.pos_inf, "+inf");
  add(n.neg_inf, "-inf");
  return s;
}

std::string f32_or_nan(double v) { return std::isfinite(v) ? fmt_f32(v) : (std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf")); }

// Position-wise outputs: per backend, how many positions keep the reference's top-1, and the
// positions that moved most.
void text_positions(std::ostringstream& o, const Comparison& c, const std::string& out) {
  Table t({"backend", "kind", "positions", "top-1 agreement", "flipped", "no strict winner", "worst positions (margin delta)"});
  for (const auto& b : c.backends) {
    auto s = b.outputs.find(out);
    auto d = b.vs_reference.find(out);
    if (s == b.outputs.end() || !s->second.positions) continue;
    std::vector<std::string> row{b.name, std::string(exec::backend_kind_name(b.kind)), std::to_string(s->second.positions->cls.size())};
    if (b.name == c.reference) {
      row.push_back("(reference)");
    } else if (d != b.vs_reference.end() && d->second.positions) {
      const PositionDelta& pd = *d->second.positions;
      row.push_back(pd.decided ? pct(pd.argmax_agreement) + " of " + std::to_string(pd.decided) : "none decided");
      row.push_back(std::to_string(pd.flipped));
      row.push_back(std::to_string(pd.undecided));
      std::string w;
      for (int64_t p : pd.worst)
        w += (w.empty() ? "" : ", ") + std::to_string(p) + (pd.verdict[size_t(p)] == Verdict::Flipped ? " FLIP" : "") + " (" +
             f32_or_nan(pd.margin_delta[size_t(p)]) + ")";
      row.push_back(w);
    } else if (d != b.vs_reference.end()) {
      row.push_back(d->second.note.empty() ? "not compared" : d->second.note);
    }
    t.add(row);
  }
  o << t.str();
}

void text_band(std::ostringstream& o, const Comparison& c, const std::string& out) {
  for (const auto& b : c.backends) {
    auto s = b.outputs.find(out);
    if (s == b.outputs.end() || !s->second.band) continue;
    const OutputBand& band = *s->second.band;
    o << "  band of " << b.name << " (" << band.members.size() << " emulated members; values above = default member): ";
    if (band.min.size() <= kSmallOutput) {
      for (size_t i = 0; i < band.min.size(); ++i) o << (i ? ", " : "") << "[" << f32_or_nan(band.min[i]) << ", " << f32_or_nan(band.max[i]) << "]";
    } else {
      double w = 0;
      for (size_t i = 0; i < band.min.size(); ++i) w = std::max(w, band.max[i] - band.min[i]);
      o << "widest " << f32_or_nan(w);
    }
    o << "; argmax " << (band.argmax_stable ? "stable across members" : "CAN FLIP within the band");
    if (band.unstable_positions) o << " (" << band.unstable_positions << " positions)";
    o << "\n";
  }
}

void text_outputs(std::ostringstream& o, const Comparison& c) {
  for (const auto& out : c.output_names) {
    const BackendComparison* ref = c.find(c.reference);
    const OutputSummary* rs = nullptr;
    if (ref)
      if (auto it = ref->outputs.find(out); it != ref->outputs.end()) rs = &it->second;
    const bool cls = classification_output(c, out);
    o << "\noutput " << out;
    if (rs) o << " " << rs->value.description;
    if (cls) o << " — " << margin_label(c, out) << " (margin pair of the reference; docs/compare.md)";
    if (rs && rs->positions)
      o << " — position-wise: " << rs->positions->layout.positions << " positions of " << rs->positions->layout.classes
        << " classes (class axis " << rs->positions->layout.axis << ")";
    o << "\n";
    for (const auto& b : c.backends)
      if (auto s = b.outputs.find(out); s != b.outputs.end() && s->second.nonfinite.total())
        o << "  " << b.name << ": " << nonfinite_text(s->second.nonfinite) << " of " << s->second.value.values.size()
          << " values — not plotted, no flip counted\n";
    if (rs && rs->positions) text_positions(o, c, out);
    text_band(o, c, out);
    if (cls) {
      Table t({"backend", "kind", "values", "margin", "argmax", "delta vs " + c.reference, "max abs diff", "margin delta", "argmax vs ref"});
      for (const auto& b : c.backends) {
        auto s = b.outputs.find(out);
        auto d = b.vs_reference.find(out);
        if (s == b.outputs.end()) {
          t.add({b.name, std::string(exec::backend_kind_name(b.kind)), d != b.vs_reference.end() ? d->second.note : "missing"});
          continue;
        }
        std::vector<std::string> row{b.name, std::string(exec::backend_kind_name(b.kind)),
                                     s->second.value.values.size() <= kSmallOutput ? vec_f32(s->second.value.values) : "(" + std::to_string(s->second.value.values.size()) + " values)",
                                     fmt_f64(s->second.margin), std::to_string(s->second.cls.argmax)};
        if (b.name == c.reference) {
          row.push_back("(reference)");
        } else if (d != b.vs_reference.end() && d->second.compared) {
          const auto& od = d->second;
          row.push_back(od.delta.size() <= kSmallOutput ? vec_f32(od.delta) : "(" + std::to_string(od.delta.size()) + " values)");
          row.push_back(fmt_f64(od.diff.max_abs_diff));
          row.push_back(fmt_f64(od.margin_delta));
          row.push_back(verdict_text(od));
        } else if (d != b.vs_reference.end()) {
          row.push_back(d->second.note);
        }
        t.add(row);
      }
      o << t.str();
    }
    Table st({"backend vs " + c.reference, "equal", "max abs", "mean abs", "max rel", "cosine", "SNR dB", "PSNR dB"});
    bool any = false;
    for (const auto& b : c.backends) {
      if (b.name == c.reference) continue;
      auto d = b.vs_reference.find(out);
      if (d == b.vs_reference.end()) continue;
      any = true;
      if (!d->second.compared) {
        st.add({b.name, d->second.note});
        continue;
      }
      const DiffStats& s = d->second.diff;
      st.add({b.name, s.equal ? "yes" : "no", fmt_f64(s.max_abs_diff), fmt_f64(s.mean_abs_diff), fmt_f64(s.max_rel_diff),
              fmt_f64(s.cosine), std::isinf(s.snr_db) ? "inf" : fmt_f32(s.snr_db), std::isinf(s.psnr_db) ? "inf" : fmt_f32(s.psnr_db)});
    }
    if (any) o << st.str();
  }
}

json finite_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json diff_json(const OutputDelta& d) {
  json j;
  if (!d.compared) {
    j["compared"] = false;
    j["note"] = d.note;
    return j;
  }
  j["compared"] = true;
  j["array_equal"] = d.diff.equal;
  j["max_abs_diff"] = finite_or_null(d.diff.max_abs_diff);
  j["mean_abs_diff"] = finite_or_null(d.diff.mean_abs_diff);
  j["max_rel_diff"] = finite_or_null(d.diff.max_rel_diff);
  j["cosine"] = finite_or_null(d.diff.cosine);
  j["snr_db"] = std::isinf(d.diff.snr_db) ? json("inf") : json(d.diff.snr_db);
  j["psnr_db"] = std::isinf(d.diff.psnr_db) ? json("inf") : json(d.diff.psnr_db);
  if (d.delta.size() <= kSmallOutput) j["delta"] = d.delta;
  j["margin_delta"] = d.classification ? finite_or_null(d.margin_delta) : json(nullptr);
  j["argmax_equal"] = d.argmax_equal;
  j["verdict"] = d.classification || d.positions ? json(std::string(verdict_name(d.verdict))) : json(nullptr);
  j["flip"] = d.flip;
  if (d.positions) {
    const PositionDelta& p = *d.positions;
    json jp{{"positions", p.positions}, {"decided", p.decided}, {"agree", p.agree}, {"flipped", p.flipped}, {"undecided", p.undecided},
            {"argmax_agreement", finite_or_null(p.argmax_agreement)}};
    jp["margin_delta"] = json::array();
    for (double m : p.margin_delta) jp["margin_delta"].push_back(finite_or_null(m));
    jp["worst"] = json::array();
    for (int64_t w : p.worst)
      jp["worst"].push_back({{"position", w}, {"verdict", std::string(verdict_name(p.verdict[size_t(w)]))},
                             {"margin_delta", finite_or_null(p.margin_delta[size_t(w)])}});
    j["positions"] = jp;
  }
  return j;
}

json output_json(const OutputSummary& s) {
  json j;
  j["shape"] = s.value.shape;
  j["description"] = s.value.description;
  if (s.value.kind == FlatValue::Kind::Numeric && s.value.values.size() <= kSmallOutput) j["values"] = s.value.values;
  if (s.value.kind == FlatValue::Kind::Text) j["values"] = s.value.text;
  if (!s.value.labels.empty()) j["labels"] = s.value.labels;
  j["argmax"] = s.classification ? json(s.cls.argmax) : json(nullptr);
  j["margin"] = s.classification ? finite_or_null(s.margin) : json(nullptr);
  j["decision"] = s.classification ? json(std::string(decision_name(s.cls.decision))) : json(nullptr);
  if (s.classification) j["top_k"] = s.cls.top_k;
  j["nonfinite"] = {{"nan", s.nonfinite.nan}, {"pos_inf", s.nonfinite.pos_inf}, {"neg_inf", s.nonfinite.neg_inf}};
  if (s.positions) {
    const PositionSummary& p = *s.positions;
    json jp{{"class_axis", p.layout.axis}, {"classes", p.layout.classes}, {"count", p.layout.positions}};
    jp["argmax"] = json::array();
    jp["decision"] = json::array();
    for (const auto& c : p.cls) {
      jp["argmax"].push_back(c.argmax);
      jp["decision"].push_back(std::string(decision_name(c.decision)));
    }
    jp["margin"] = json::array();
    for (double m : p.margin) jp["margin"].push_back(finite_or_null(m));
    j["positions"] = jp;
  }
  if (s.band) {
    const OutputBand& b = *s.band;
    json jb{{"members", b.members}, {"argmax_stable", b.argmax_stable}};
    if (b.min.size() <= kSmallOutput) {
      jb["min"] = json::array();
      jb["max"] = json::array();
      for (size_t i = 0; i < b.min.size(); ++i) {
        jb["min"].push_back(finite_or_null(b.min[i]));
        jb["max"].push_back(finite_or_null(b.max[i]));
      }
    }
    double width = 0;
    for (size_t i = 0; i < b.min.size(); ++i) width = std::max(width, b.max[i] - b.min[i]);
    jb["max_width"] = finite_or_null(width);
    if (!b.argmax_stable_positions.empty()) {
      jb["argmax_stable_positions"] = b.argmax_stable_positions;
      jb["unstable_positions"] = b.unstable_positions;
    }
    if (!b.member_argmax.empty()) jb["member_argmax"] = b.member_argmax;
    j["band"] = jb;
  }
  return j;
}

json drift_json(const DriftStats& d) {
  return {{"backend", d.backend}, {"repeats", d.repeats}, {"bit_stable", d.bit_stable},
          {"first_drifting_run", d.first_drifting_run < 0 ? json(nullptr) : json(d.first_drifting_run)},
          {"worst_abs_diff", d.worst_abs_diff}, {"argmax_drift", d.argmax_drift}, {"source", d.source}};
}

}  // namespace

bool is_emulated_neural_engine(const BackendComparison& b) {
  return b.kind == exec::BackendKind::Emulated && b.name.rfind("ane", 0) == 0;
}

bool any_flip(const CompareReport& r) {
  for (const auto& b : r.comparison.backends)
    for (const auto& [n, d] : b.vs_reference)
      if (d.compared && d.flip) return true;
  if (r.sweep)
    for (const auto& p : r.sweep->pairs)
      if (p.flips) return true;
  return false;
}

std::string report_text(const CompareReport& r) {
  std::ostringstream o;
  const Comparison& c = r.comparison;
  o << "model: " << r.model_path << "\n";
  if (r.two_models) o << two_model_text(*r.two_models);
  if (!r.input_label.empty()) o << "input: " << r.input_label << "\n";
  o << "reference: " << c.reference << "\n";
  text_outputs(o, c);

  o << "\nprovenance:\n";
  for (const auto& b : c.backends) o << "  " << b.name << ": " << b.provenance << "\n";
  for (const auto& b : c.backends)
    for (const auto& w : b.warnings) o << "warning: " << b.name << ": " << w << "\n";
  for (const auto& b : c.backends)
    if (is_emulated_neural_engine(b) && !has_band(b))
      o << "note: " << b.name << " is ONE hypothesis of how the Neural Engine accumulates (docs/numeric-profiles.md); "
        << "the real rule is unknown — " << b.name << "-band gives the range over the documented family\n";

  if (!r.drift.empty()) {
    o << "\ndrift (same input, repeated runs):\n";
    Table t({"backend", "repeats", "bit-stable", "first drifting run", "worst abs diff", "argmax drift", "source"});
    for (const auto& d : r.drift)
      t.add({d.backend, std::to_string(d.repeats), d.bit_stable ? "yes" : "NO",
             d.first_drifting_run < 0 ? "-" : std::to_string(d.first_drifting_run), fmt_f64(d.worst_abs_diff),
             d.argmax_drift ? "YES" : "no", d.source});
    o << t.str();
  }
  if (r.sweep) {
    const SweepResult& s = *r.sweep;
    o << "\nflip rate over " << s.completed << " inputs (output " << s.output << (s.cancelled ? ", CANCELLED early" : "")
      << "; margin delta = margin(b) − margin(a)):\n";
    Table t({"a", "b", "flips", "rate", "no strict winner", "max |margin delta|", "margin delta histogram [lo..hi]: counts", "closest to a tie"});
    for (const auto& p : s.pairs) {
      std::string hist = "[" + fmt_f32(p.histogram.lo) + " .. " + fmt_f32(p.histogram.hi) + "]:";
      for (auto n : p.histogram.counts) hist += " " + std::to_string(n);
      std::string ties;
      for (size_t i = 0; i < std::min<size_t>(3, p.closest_to_tie.size()); ++i)
        ties += (i ? ", " : "") + s.rows[p.closest_to_tie[i]].label;
      t.add({p.a, p.b, std::to_string(p.flips) + "/" + std::to_string(p.inputs), pct(p.flip_rate), std::to_string(p.undecided),
             fmt_f32(p.max_abs_margin_delta), hist, ties});
    }
    o << t.str();
    for (const auto& p : s.pairs)
      if (p.band)
        o << "  " << p.b << " vs " << p.a << ": the band's members flip on " << p.band_min_flips << " to " << p.band_max_flips << " of "
          << p.inputs << " inputs (" << p.band_any_flip << " inputs flip under at least one member) — an emulated range, not a measurement\n";
    o << "  sweep wall time " << fmt_f32(s.wall_seconds) << " s, CPU time " << fmt_f32(s.cpu_seconds) << " s\n";
  }
  if (r.divergence) {
    const DivergenceReport& d = *r.divergence;
    o << "\nper-op divergence, " << d.other << " vs " << d.reference << " (threshold: cosine < " << fmt_f64(d.options.min_cosine)
      << " or relative error > " << fmt_f64(d.options.max_rel_error) << "):\n";
    const bool two = r.two_models.has_value();
    std::vector<std::string> head = {"#", "op", "type", "cosine", "max abs diff", "rel error", "added", ""};
    if (two) head.insert(head.begin() + 2, "B op");
    Table t(head);
    for (const auto& op : d.ops) {
      std::vector<std::string> row;
      if (!op.compared) {
        row = {std::to_string(op.order), op.name, op.type, "-", "-", "-", "-", op.note};
      } else {
        const bool first = std::find_if(d.first_crossing.begin(), d.first_crossing.end(),
                                        [&](size_t i) { return d.ops[i].order == op.order; }) != d.first_crossing.end();
        row = {std::to_string(op.order), op.name, op.type, fmt_f32(op.cosine), fmt_f32(op.max_abs_diff), fmt_f32(op.rel_error),
               fmt_f32(op.added_rel_error), first ? "<- crosses (first)" : (op.crosses ? "crosses" : "")};
      }
      if (two) row.insert(row.begin() + 2, op.other_name.empty() ? "-" : op.other_name);
      t.add(row);
    }
    o << t.str();
    if (!d.most_added.empty()) {
      o << "ops adding the most divergence (rel error minus the largest rel error of what they read):\n";
      Table m({"#", "op", "type", "added", "rel error"});
      for (size_t i : d.most_added) {
        const OpDivergence& op = d.ops[i];
        m.add({std::to_string(op.order), op.name + (two && !op.other_name.empty() && op.other_name != op.name ? " / " + op.other_name : ""),
               op.type, fmt_f32(op.added_rel_error), fmt_f32(op.rel_error)});
      }
      o << m.str();
    }
  }
  if (r.golden) {
    const GoldenReport& g = *r.golden;
    o << "\ngolden gate vs " << g.file << " (cosine ≥ " << fmt_f64(g.min_cosine) << "): " << (g.pass ? "PASS" : "FAIL") << "\n";
    for (const auto& ch : g.checks) {
      o << "  " << ch.output << ": " << (ch.pass ? "pass" : "FAIL") << ", worst cosine " << fmt_f64(ch.worst_cosine);
      if (ch.worst_position >= 0) o << " at position " << ch.worst_position;
      o << ", max abs diff " << fmt_f64(ch.diff.max_abs_diff);
      if (ch.cosines.size() > 1) {
        o << "; per position:";
        for (double x : ch.cosines) o << " " << fmt_f32(x);
      }
      o << "\n";
    }
  }
  for (const auto& n : r.notes) o << "note: " << n << "\n";
  return o.str();
}

json report_json(const CompareReport& r) {
  const Comparison& c = r.comparison;
  json j;
  j["model"] = r.model_path;
  j["input"] = r.input_label;
  j["reference"] = c.reference;
  j["output_names"] = c.output_names;
  json margins = json::object();
  for (const auto& [n, p] : c.margin_pairs) margins[n] = {{"a", p.a}, {"b", p.b}, {"definition", "margin = " + n + "[a] - " + n + "[b]"}};
  j["margin_pairs"] = margins;
  j["backends"] = json::array();
  for (const auto& b : c.backends) {
    json jb;
    jb["name"] = b.name;
    jb["kind"] = std::string(exec::backend_kind_name(b.kind));
    jb["provenance"] = b.provenance;
    jb["warnings"] = b.warnings;
    jb["outputs"] = json::object();
    for (const auto& [n, s] : b.outputs) jb["outputs"][n] = output_json(s);
    jb["vs_reference"] = json::object();
    for (const auto& [n, d] : b.vs_reference) jb["vs_reference"][n] = diff_json(d);
    for (const auto& d : r.drift)
      if (d.backend == b.name) jb["drift"] = drift_json(d);
    j["backends"].push_back(jb);
  }
  if (r.sweep) {
    const SweepResult& s = *r.sweep;
    j["sweep"] = {{"inputs", s.completed}, {"requested", s.rows.size()}, {"cancelled", s.cancelled}, {"output", s.output},
                  {"wall_seconds", s.wall_seconds}, {"cpu_seconds", s.cpu_seconds}};
    j["flip_rate"] = json::array();
    for (const auto& p : s.pairs) {
      json jp{{"a", p.a}, {"b", p.b}, {"inputs", p.inputs}, {"flips", p.flips}, {"flip_rate", p.flip_rate}, {"undecided", p.undecided},
              {"max_abs_margin_delta", p.max_abs_margin_delta},
              {"margin_delta_histogram", {{"lo", p.histogram.lo}, {"hi", p.histogram.hi}, {"counts", p.histogram.counts}}}};
      if (p.band) {
        const double n = p.inputs ? double(p.inputs) : 1.0;
        jp["band"] = {{"min_flips", p.band_min_flips}, {"max_flips", p.band_max_flips}, {"inputs_any_member_flips", p.band_any_flip},
                      {"min_flip_rate", double(p.band_min_flips) / n}, {"max_flip_rate", double(p.band_max_flips) / n}};
      }
      jp["closest_to_tie"] = json::array();
      for (size_t i : p.closest_to_tie) jp["closest_to_tie"].push_back({{"input", s.rows[i].label}, {"index", i}});
      j["flip_rate"].push_back(jp);
    }
  }
  if (r.divergence) {
    const DivergenceReport& d = *r.divergence;
    j["divergence"] = {{"reference", d.reference}, {"other", d.other}, {"function", d.function},
                       {"min_cosine", d.options.min_cosine}, {"max_rel_error", d.options.max_rel_error},
                       {"streaming", d.options.streaming}, {"memory_budget_bytes", d.options.memory_budget_bytes},
                       {"peak_pending_bytes", d.peak_pending_bytes}};
    j["divergence"]["first_crossing"] = json::array();
    for (size_t i : d.first_crossing) j["divergence"]["first_crossing"].push_back(d.ops[i].name);
    j["divergence"]["most_added"] = json::array();
    for (size_t i : d.most_added) j["divergence"]["most_added"].push_back(d.ops[i].name);
    j["ops"] = json::array();
    for (const auto& op : d.ops) {
      json jo{{"order", op.order}, {"name", op.name}, {"type", op.type}, {"value", op.value}, {"compared", op.compared}};
      if (r.two_models) {
        jo["a_op"] = op.name;
        jo["b_op"] = op.other_name.empty() ? json(nullptr) : json(op.other_name);
      }
      jo["added_divergence"] = op.compared && std::isfinite(op.added_rel_error) ? json(op.added_rel_error) : json(nullptr);
      jo["cosine"] = op.compared ? json(op.cosine) : json(nullptr);
      jo["max_abs_diff"] = op.compared ? json(op.max_abs_diff) : json(nullptr);
      jo["rel_error"] = op.compared && std::isfinite(op.rel_error) ? json(op.rel_error) : json(nullptr);
      jo["crosses"] = op.crosses;
      if (!op.note.empty()) jo["note"] = op.note;
      j["ops"].push_back(jo);
    }
  }
  if (r.golden) {
    const GoldenReport& g = *r.golden;
    j["golden"] = {{"file", g.file}, {"min_cosine", g.min_cosine}, {"pass", g.pass}};
    j["golden"]["checks"] = json::array();
    for (const auto& ch : g.checks)
      j["golden"]["checks"].push_back({{"output", ch.output}, {"pass", ch.pass}, {"cosines", ch.cosines},
                                       {"worst_cosine", ch.worst_cosine}, {"max_abs_diff", ch.diff.max_abs_diff}});
  }
  if (r.two_models) {
    j.update(two_model_json(*r.two_models));
    j["first_divergent_op"] = r.divergence && !r.divergence->first_crossing.empty()
                                  ? json(r.divergence->ops[r.divergence->first_crossing.front()].name)
                                  : json(nullptr);
    // B's outputs against A's (the reference), one entry per output.
    const BackendComparison* a = c.find(c.reference);
    const BackendComparison* b = nullptr;
    for (const auto& x : c.backends)
      if (x.name != c.reference) b = &x;
    j["outputs"] = json::object();
    if (a && b)
      for (const auto& [n, d] : b->vs_reference) {
        json jo = diff_json(d);
        auto sa = a->outputs.find(n), sb = b->outputs.find(n);
        const bool cls = sa != a->outputs.end() && sb != b->outputs.end() && sa->second.classification && sb->second.classification;
        jo["argmax_a"] = cls ? json(sa->second.cls.argmax) : json(nullptr);
        jo["argmax_b"] = cls ? json(sb->second.cls.argmax) : json(nullptr);
        jo["margin_a"] = cls ? finite_or_null(sa->second.margin) : json(nullptr);
        jo["margin_b"] = cls ? finite_or_null(sb->second.margin) : json(nullptr);
        j["outputs"][n] = jo;
      }
  }
  j["notes"] = r.notes;
  return j;
}

}  // namespace mlscope::compare
