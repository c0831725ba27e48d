#include "widgets/compare_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "core/compare/compare_report.h"
#include "widgets/divergence_overlay.h"
#include "widgets/plot.h"

namespace mlscope::gui {

namespace {

const ImVec4 kFlipRed{1.0f, 0.3f, 0.3f, 1.0f};

bool tab_item(const char* label, const std::string& request) {
  const bool select = request == label;
  return ImGui::BeginTabItem(label, nullptr, select ? ImGuiTabItemFlags_SetSelected : 0);
}

size_t series_index(const compare::OutputPlot& p, size_t b) { (void)p; return b; }

std::string provenance_tag(exec::BackendKind k) { return std::string(exec::backend_kind_name(k)); }

}  // namespace

void CompareView::badge(const char* text) {
  // A filled red pill: the argmax flip badge (tests look for its colour). Wraps like text.
  const ImVec2 ts = ImGui::CalcTextSize(text);
  if (flip_badges_ > 0) {
    ImGui::SameLine();
    if (ImGui::GetContentRegionAvail().x < ts.x + ImGui::GetFontSize()) ImGui::NewLine();
  }
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float pad = ImGui::GetFontSize() * 0.4f;
  const ImVec2 q{p.x + ts.x + 2 * pad, p.y + ts.y + 4};
  ImGui::GetWindowDrawList()->AddRectFilled(p, q, IM_COL32(220, 40, 40, 255), ts.y * 0.5f);
  ImGui::GetWindowDrawList()->AddText({p.x + pad, p.y + 2}, IM_COL32(255, 255, 255, 255), text);
  if (flip_badges_++ == 0) flip_badge_ = {p.x, p.y, q.x, q.y};
  ImGui::Dummy(ImVec2(q.x - p.x, q.y - p.y));
}

namespace {

const ImVec4 kAmber{1.0f, 0.72f, 0.25f, 1.0f};

// What a backend's decision is when it is not a value to badge as a flip.
const char* undecided_text(compare::Verdict v) {
  switch (v) {
    case compare::Verdict::Tie: return "TIE: no strict winner (not a flip)";
    case compare::Verdict::Degenerate: return "ALL SCORES EQUAL (e.g. all zero): not a flip";
    case compare::Verdict::NonFinite: return "NaN/inf: not a value, not a flip";
    default: return nullptr;
  }
}

std::string series_name(const compare::PlotBackend& pb) {
  std::string n = pb.name + " [" + provenance_tag(pb.kind) + (pb.band_members.empty() ? "" : " band of " + std::to_string(pb.band_members.size())) + "]";
  return n;
}

bool emulated_ne(const compare::PlotBackend& pb) { return pb.kind == exec::BackendKind::Emulated && pb.name.rfind("ane", 0) == 0; }

std::string series_badge(const compare::PlotBackend& pb) {
  if (!pb.compared) return pb.note;
  if (pb.nonfinite) return std::to_string(pb.nonfinite) + " NaN/inf, not drawn";
  const std::string hyp = emulated_ne(pb) && pb.band_members.empty() ? " (one NE hypothesis)" : "";
  if (pb.flip) return "FLIP" + hyp;
  if (!hyp.empty()) return "emulated NE: one hypothesis of its accumulation";
  if (!pb.band_members.empty() && !pb.band_argmax_stable) return "argmax can flip within the band";
  if (const char* u = undecided_text(pb.verdict)) return u;
  return "";
}

}  // namespace

void CompareView::note_pill(const char* text) {
  // An amber outline pill: a finding that is not a flip (tie, all-equal scores, NaN/inf).
  const ImVec2 ts = ImGui::CalcTextSize(text);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float pad = ImGui::GetFontSize() * 0.4f;
  const ImVec2 q{p.x + ts.x + 2 * pad, p.y + ts.y + 4};
  ImGui::GetWindowDrawList()->AddRect(p, q, ImGui::GetColorU32(kAmber), ts.y * 0.5f, 0, 1.5f);
  ImGui::GetWindowDrawList()->AddText({p.x + pad, p.y + 2}, ImGui::GetColorU32(kAmber), text);
  ImGui::Dummy(ImVec2(q.x - p.x, q.y - p.y));
  ++note_pills_;
}

void CompareView::draw_positions(CompareSession& s, const compare::OutputPlot& p) {
  // One strip per backend: a cell per position, green = same top-1 as the reference, red = a
  // strict flip, grey = no strict winner on a side. Click a cell to show that position's bars.
  const float font = ImGui::GetFontSize();
  ImGui::Text("Position-wise: %lld positions (class axis %lld). Top-1 per position against %s:", static_cast<long long>(p.positions),
              static_cast<long long>(p.class_axis), s.result()->comparison.reference.c_str());
  const float avail = ImGui::GetContentRegionAvail().x - font * 16;
  const float cell = std::clamp(avail / static_cast<float>(std::max<int64_t>(p.positions, 1)), 2.0f, font);
  for (const auto& b : p.backends) {
    if (b.reference || b.position_state.empty()) continue;
    char head[200];
    if (std::isnan(b.agreement))
      std::snprintf(head, sizeof head, "%-14s no position decided", b.name.c_str());
    else
      std::snprintf(head, sizeof head, "%-14s %5.1f%% agree, %lld flipped, %lld no winner", b.name.c_str(), b.agreement * 100,
                    static_cast<long long>(b.flipped_positions), static_cast<long long>(b.undecided_positions));
    if (b.flipped_positions) ImGui::TextColored(kFlipRed, "%s", head);
    else ImGui::TextUnformatted(head);
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (size_t i = 0; i < b.position_state.size(); ++i) {
      const ImU32 col = b.position_state[i] == 0 ? IM_COL32(70, 170, 90, 255) : b.position_state[i] == 1 ? IM_COL32(220, 40, 40, 255) : IM_COL32(140, 140, 140, 255);
      const ImVec2 a{o.x + cell * static_cast<float>(i), o.y}, z{a.x + std::max(1.0f, cell - 1), o.y + font * 0.9f};
      dl->AddRectFilled(a, z, col);
      if (static_cast<int64_t>(i) == p.position) dl->AddRect({a.x - 1, a.y - 1}, {z.x + 1, z.y + 1}, ImGui::GetColorU32(ImGuiCol_Text), 0, 0, 2);
    }
    ImGui::PushID(b.name.c_str());
    ImGui::InvisibleButton("##strip", ImVec2(std::max(cell * static_cast<float>(b.position_state.size()), 1.0f), font * 0.9f));
    if (ImGui::IsItemHovered()) {
      const auto i = static_cast<int64_t>((ImGui::GetIO().MousePos.x - o.x) / cell);
      if (i >= 0 && i < p.positions) {
        ImGui::SetTooltip("position %lld: %s (click to show its classes)", static_cast<long long>(i),
                          b.position_state[size_t(i)] == 0 ? "same top-1" : b.position_state[size_t(i)] == 1 ? "FLIPPED" : "no strict winner");
        if (ImGui::IsItemClicked()) pending_position_ = {p.output, i};
      }
    }
    ImGui::PopID();
  }
  int pos = static_cast<int>(p.position);
  ImGui::SetNextItemWidth(font * 14);
  if (ImGui::SliderInt("position shown", &pos, 0, static_cast<int>(std::max<int64_t>(p.positions - 1, 0)))) pending_position_ = {p.output, pos};
}

void CompareView::draw_logits(CompareSession& s) {
  const auto& r = *s.result();
  const float font = ImGui::GetFontSize();
  bool first_plot = true;
  for (const auto& p : r.plots) {
    ImGui::PushID(p.output.c_str());
    if (p.total_classes == 0) { ImGui::TextDisabled("%s: not numeric", p.output.c_str()); ImGui::PopID(); continue; }
    int64_t ref_argmax = -1;
    for (const auto& x : p.backends)
      if (x.reference) ref_argmax = x.argmax;
    // Flip badges: only a strict winner on both sides can flip; every other finding is a note.
    for (const auto& b : p.backends) {
      if (b.flip) {
        char text[200];
        std::snprintf(text, sizeof text, "ARGMAX FLIP  %s: %s %lld vs %s: %lld%s%s", b.name.c_str(), p.position_wise ? "token" : "class",
                      static_cast<long long>(b.argmax), r.comparison.reference.c_str(), static_cast<long long>(ref_argmax),
                      p.position_wise ? (" at position " + std::to_string(p.position)).c_str() : "",
                      emulated_ne(b) ? (b.band_members.empty() ? "  (emulated NE, one hypothesis)" : "  (emulated NE band, default member)") : "");
        badge(text);
      } else if (b.flipped_positions > 0) {
        char text[160];
        std::snprintf(text, sizeof text, "ARGMAX FLIP  %s: %lld of %lld positions", b.name.c_str(), static_cast<long long>(b.flipped_positions),
                      static_cast<long long>(p.positions));
        badge(text);
      }
    }
    for (const auto& b : p.backends) {
      std::string why;
      if (b.nonfinite) why = b.name + ": " + std::to_string(b.nonfinite) + " NaN/inf values — not drawn, not a flip (see the warnings)";
      else if (const char* u = undecided_text(b.verdict)) why = b.name + ": " + u;
      else if (b.decision != compare::Decision::Strict && b.reference) why = b.name + " (reference): " + std::string(compare::decision_name(b.decision)) + " — no winner to flip from";
      if (!why.empty()) note_pill(why.c_str());
    }
    if (p.position_wise) draw_positions(s, p);
    GroupedBars gb;
    const std::string what = p.position_wise ? "tokens at position " + std::to_string(p.position) : "classes";
    gb.title = "Output '" + p.output + "'" + (p.classes.size() < p.total_classes ? " (top " + std::to_string(p.classes.size()) + " of " + std::to_string(p.total_classes) + " " + what + ")"
                                                                                 : (p.position_wise ? " (" + what + ")" : "")) +
               "  ·  input: " + r.input_label;
    gb.x_label = p.classification ? (p.position_wise ? "token" : "class") : "element";
    gb.y_label = "logit";
    gb.categories = p.labels;
    bool any_band = false;
    for (size_t b = 0; b < p.backends.size(); ++b) {
      const auto& pb = p.backends[b];
      BarSeries ser;
      ser.name = series_name(pb);
      ser.color = series_color(series_index(p, b));
      ser.values = pb.values;
      ser.reference = pb.reference;
      ser.badge = series_badge(pb);
      ser.range_lo = pb.band_min;
      ser.range_hi = pb.band_max;
      any_band = any_band || !pb.band_min.empty();
      ser.highlight.assign(p.classes.size(), false);
      // Highlight the flipped backend's winning bar.
      for (size_t c = 0; c < p.classes.size(); ++c) ser.highlight[c] = pb.flip && p.classes[c] == pb.argmax;
      gb.series.push_back(std::move(ser));
    }
    const ImVec4 rect = draw_grouped_bars("##bars", gb, ImVec2(ImGui::GetContentRegionAvail().x, font * 22));
    if (first_plot) plot_rect_ = rect;
    first_plot = false;
    ImGui::TextDisabled("Bars: each backend's value per class; bold outline = reference; red outline and red value = that backend's argmax when it flipped.");
    if (any_band) {
      ImGui::TextDisabled("Whiskers: the lowest and highest value over an emulated band's members (plausible Neural Engine accumulations, docs/numeric-profiles.md);");
      ImGui::TextDisabled("the bar is the default member. The Neural Engine's real accumulation is not known: the band is a range of hypotheses, not a measurement.");
      for (const auto& pb : p.backends)
        if (!pb.band_members.empty() && ImGui::TreeNode(("members of " + pb.name + " (" + std::to_string(pb.band_members.size()) + ")").c_str())) {
          std::string list;
          for (const auto& m : pb.band_members) list += (list.empty() ? "" : ", ") + m;
          ImGui::TextWrapped("%s", list.c_str());
          ImGui::TreePop();
        }
    }
    ImGui::PopID();
  }
}

void CompareView::draw_margins(const CompareSession& s) {
  // Margins and their deltas side by side, each on its own axis: a delta of 1e-4 beside a
  // margin of 10 must still be readable.
  const auto& r = *s.result();
  const float font = ImGui::GetFontSize();
  for (const auto& p : r.plots) {
    if (!p.classification) continue;
    ImGui::PushID(p.output.c_str());
    char t[256];
    std::snprintf(t, sizeof t, "'%s'%s: margin = score[%lld] - score[%lld]", p.output.c_str(),
                  p.position_wise ? (" position " + std::to_string(p.position)).c_str() : "", static_cast<long long>(p.margin_a),
                  static_cast<long long>(p.margin_b));
    GroupedBars margins, deltas;
    margins.title = t;
    margins.y_label = "margin";
    margins.x_label = "per backend (sign change = flip between the reference's top two)";
    margins.categories = {"margin"};
    deltas.title = "margin delta vs " + r.comparison.reference + " (own scale)";
    deltas.y_label = "delta";
    deltas.x_label = "margin(backend) - margin(reference)";
    deltas.categories = {"delta"};
    for (size_t b = 0; b < p.backends.size(); ++b) {
      const auto& pb = p.backends[b];
      BarSeries ser;
      ser.name = pb.name;
      ser.color = series_color(b);
      ser.values = {pb.compared && !pb.nonfinite ? pb.margin : std::nan("")};
      ser.reference = pb.reference;
      ser.badge = series_badge(pb);
      ser.highlight = {pb.flip};
      margins.series.push_back(ser);
      if (pb.reference) continue;
      ser.values = {pb.compared && !pb.nonfinite ? pb.margin_delta : std::nan("")};
      deltas.series.push_back(std::move(ser));
    }
    const float w = ImGui::GetContentRegionAvail().x;
    draw_grouped_bars("##margins", margins, ImVec2(w * 0.5f - font * 0.3f, font * 18));
    ImGui::SameLine();
    draw_grouped_bars("##deltas", deltas, ImVec2(w * 0.5f - font * 0.3f, font * 18));
    ImGui::TextDisabled("A margin that changes sign is an argmax flip between the reference's top two classes. Each plot has its own scale.");
    ImGui::PopID();
  }
}

void CompareView::draw_table(const CompareSession& s) {
  const auto& r = *s.result();
  for (const auto& p : r.plots) {
    ImGui::Text("Output '%s'  ·  input: %s  ·  reference: %s", p.output.c_str(), r.input_label.c_str(), r.comparison.reference.c_str());
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable(p.output.c_str(), 9, flags)) continue;
    for (const char* h : {"backend", "kind", "values", "argmax", "margin", "delta vs reference", "margin delta", "max |diff|", "flip"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (const auto& b : p.backends) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%s%s", b.name.c_str(), b.reference ? " (ref)" : "");
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", b.provenance.c_str());
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%s", provenance_tag(b.kind).c_str());
      ImGui::TableNextColumn();
      if (!b.compared) { ImGui::TextDisabled("%s", b.note.c_str()); continue; }
      std::string vals;
      for (size_t i = 0; i < b.values.size() && i < 6; ++i) vals += (i ? ", " : "") + compare::fmt_f32(b.values[i]);
      if (b.values.size() > 6) vals += ", ...";
      ImGui::TextUnformatted(("[" + vals + "]").c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%lld", static_cast<long long>(b.argmax));
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(compare::fmt_f32(b.margin).c_str());
      ImGui::TableNextColumn();
      std::string dl;
      for (size_t i = 0; i < b.delta.size() && i < 6; ++i) dl += (i ? ", " : "") + compare::fmt_f32(b.delta[i]);
      ImGui::TextUnformatted(b.reference ? "-" : ("[" + dl + (b.delta.size() > 6 ? ", ..." : "") + "]").c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(b.reference ? "-" : compare::fmt_f64(b.margin_delta).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(b.reference ? "-" : compare::fmt_f64(b.max_abs_diff).c_str());
      ImGui::TableNextColumn();
      if (b.flip) ImGui::TextColored(kFlipRed, "FLIP");
      else if (b.flipped_positions) ImGui::TextColored(kFlipRed, "FLIP at %lld positions", static_cast<long long>(b.flipped_positions));
      else if (b.nonfinite) ImGui::TextColored(kAmber, "NaN/inf (%llu)", static_cast<unsigned long long>(b.nonfinite));
      else if (!b.reference && b.verdict != compare::Verdict::Same) ImGui::TextColored(kAmber, "%s", std::string(compare::verdict_name(b.verdict)).c_str());
      else ImGui::TextDisabled(b.reference ? "-" : "same");
    }
    ImGui::EndTable();
  }
  ImGui::TextDisabled("Numbers: emulated = this machine's interpreter under a profile; recorded = measured on a Mac (hover a backend).");
}

void CompareView::draw_drift(CompareSession& s) {
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  ImGui::InputInt("runs per backend", &drift_count_);
  drift_count_ = std::clamp(drift_count_, 2, 100);
  ImGui::SameLine();
  ImGui::BeginDisabled(s.jobs().busy());
  if (ImGui::Button("Measure drift")) s.run_drift(drift_count_);
  ImGui::EndDisabled();
  ImGui::TextDisabled("Same input %s, repeated; recorded backends report the recording's own repeat statistics.", s.input.label().c_str());
  if (s.drift().empty()) return;
  if (!ImGui::BeginTable("##drift", 6, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) return;
  for (const char* h : {"backend", "repeats", "bit-stable", "first drifting run", "worst |diff|", "source"}) ImGui::TableSetupColumn(h);
  ImGui::TableHeadersRow();
  for (const auto& d : s.drift()) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(d.backend.c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%lld", static_cast<long long>(d.repeats));
    ImGui::TableNextColumn();
    if (d.bit_stable) ImGui::TextColored(ImVec4(0.4f, 0.85f, 0.4f, 1), "yes");
    else ImGui::TextColored(kFlipRed, d.argmax_drift ? "no, argmax drifts" : "no");
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(d.first_drifting_run < 0 ? "-" : std::to_string(d.first_drifting_run).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(compare::fmt_f64(d.worst_abs_diff).c_str());
    ImGui::TableNextColumn();
    ImGui::TextDisabled("%s", d.source.c_str());
  }
  ImGui::EndTable();
}

bool CompareView::start_divergence(CompareSession& s, const std::string& other) {
  std::string o = other;
  if (o.empty())
    for (const auto& b : s.backends())
      if (b.selected && b.spec.kind == exec::BackendKind::Emulated && b.spec.name != s.reference) { o = b.spec.name; break; }
  if (!o.empty()) div_other_name_ = o;
  return s.run_divergence(o, min_cosine_, max_rel_);
}

void CompareView::draw_divergence(CompareSession& s, Document& doc) {
  std::vector<std::string> others;
  for (const auto& b : s.backends())
    if (b.spec.kind == exec::BackendKind::Emulated && b.spec.name != s.reference) others.push_back(b.spec.name);
  ImGui::Text("Reference: %s", s.reference.c_str());
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  for (size_t i = 0; i < others.size(); ++i)
    if (others[i] == div_other_name_) div_other_ = static_cast<int>(i);
  div_other_ = std::clamp(div_other_, 0, std::max(0, static_cast<int>(others.size()) - 1));
  if (ImGui::BeginCombo("other backend", others.empty() ? "" : others[static_cast<size_t>(div_other_)].c_str())) {
    for (size_t i = 0; i < others.size(); ++i)
      if (ImGui::Selectable(others[i].c_str(), static_cast<int>(i) == div_other_)) { div_other_ = static_cast<int>(i); div_other_name_ = others[i]; }
    ImGui::EndCombo();
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  ImGui::InputFloat("min cosine", &min_cosine_, 0, 0, "%.6f");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  ImGui::InputFloat("max rel. error", &max_rel_, 0, 0, "%.4f");
  ImGui::RadioButton("color by 1 - cosine", &div_metric_, 0);
  ImGui::SameLine();
  ImGui::RadioButton("color by relative error", &div_metric_, 1);
  ImGui::BeginDisabled(s.jobs().busy() || others.empty());
  if (ImGui::Button("Compute per-op divergence")) start_divergence(s, others[static_cast<size_t>(div_other_)]);
  ImGui::EndDisabled();
  ImGui::TextDisabled("Runs both emulated backends side by side on %s and compares every op output as it is produced; then Graph > color: Divergence.",
                      s.input.label().c_str());
  const auto& div = s.divergence();
  if (!div) return;
  const auto& rep = div->report;
  ImGui::Text("%s vs %s: %zu ops", rep.other.c_str(), rep.reference.c_str(), rep.ops.size());
  if (!rep.first_crossing.empty()) {
    ImGui::SameLine();
    ImGui::TextColored(kFlipRed, "first crossing: %s", rep.ops[rep.first_crossing.front()].name.c_str());
  }
  const ir::Function* fn = s.model() ? s.model()->function(rep.function) : nullptr;
  if (!ImGui::BeginTable("##divops", 6, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit,
                         ImVec2(0, ImGui::GetFontSize() * 12)))
    return;
  ImGui::TableSetupScrollFreeze(0, 1);
  for (const char* h : {"#", "op", "type", "cosine", "rel. error", "max |diff|"}) ImGui::TableSetupColumn(h);
  ImGui::TableHeadersRow();
  ImGuiListClipper clip;
  clip.Begin(static_cast<int>(rep.ops.size()));
  while (clip.Step())
    for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
      const auto& d = rep.ops[static_cast<size_t>(i)];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%lld", static_cast<long long>(d.order));
      ImGui::TableNextColumn();
      ImGui::PushID(i);
      if (ImGui::Selectable(d.name.c_str(), false, ImGuiSelectableFlags_SpanAllColumns) && fn) {
        const ir::OpId id = fn->find_op(d.name);
        if (id != ir::kNone) doc.select(static_cast<int32_t>(fn - s.model()->functions.data()), id);
      }
      ImGui::PopID();
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%s", d.type.c_str());
      ImGui::TableNextColumn();
      if (!d.compared) { ImGui::TextDisabled("%s", d.note.c_str()); continue; }
      if (d.crosses) ImGui::TextColored(kFlipRed, "%.6f", d.cosine);
      else ImGui::Text("%.6f", d.cosine);
      ImGui::TableNextColumn();
      ImGui::Text("%.3e", d.rel_error);
      ImGui::TableNextColumn();
      ImGui::Text("%.4g", d.max_abs_diff);
    }
  ImGui::EndTable();
  if (overlay_) overlay_->draw_inspector_section(doc);  // the selected op, as in the Inspector
}

std::string CompareView::export_csv(const CompareSession& s, const std::string& path) const {
  if (!s.result()) return "nothing to export: run the backends first";
  std::ofstream out(path);
  out << compare::comparison_csv(s.result()->comparison);
  return out ? "" : "cannot write " + path;
}

std::string CompareView::export_json(const CompareSession& s, const std::string& path) const {
  if (!s.result()) return "nothing to export: run the backends first";
  compare::CompareReport rep;
  rep.model_path = s.model() ? s.model()->path : "";
  rep.input_label = s.result()->input_label;
  rep.comparison = s.result()->comparison;
  rep.drift = s.drift();
  if (s.sweep()) rep.sweep = *s.sweep();
  if (s.divergence()) rep.divergence = s.divergence()->report;
  std::ofstream out(path);
  out << compare::report_json(rep).dump(2) << "\n";
  return out ? "" : "cannot write " + path;
}

std::optional<PngExportRequest> CompareView::take_png_request() {
  auto r = std::move(png_ready_);
  png_ready_.reset();
  return r;
}

void CompareView::draw_exports(const CompareSession& s) {
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
  ImGui::InputText("##export", export_buf_, sizeof export_buf_);
  ImGui::SameLine();
  if (ImGui::Button("Plot PNG")) png_path_ = std::string(export_buf_) + ".png";
  ImGui::SameLine();
  if (ImGui::Button("Table CSV")) {
    const std::string e = export_csv(s, std::string(export_buf_) + ".csv");
    export_note_ = e.empty() ? "wrote " + std::string(export_buf_) + ".csv" : e;
  }
  ImGui::SameLine();
  if (ImGui::Button("JSON")) {
    const std::string e = export_json(s, std::string(export_buf_) + ".json");
    export_note_ = e.empty() ? "wrote " + std::string(export_buf_) + ".json" : e;
  }
  if (!export_note_.empty()) { ImGui::SameLine(); ImGui::TextDisabled("%s", export_note_.c_str()); }
}

void CompareView::Draw(CompareSession& s, Document& doc, bool* open) {
  // A position picked last frame: re-derive that plot now, before anything holds a reference to it.
  if (pending_position_) {
    s.show_position(pending_position_->first, pending_position_->second);
    pending_position_.reset();
  }
  flip_badges_ = 0;
  note_pills_ = 0;
  flip_badge_ = {0, 0, 0, 0};
  plot_rect_ = {0, 0, 0, 0};
  if (!ImGui::Begin("Compare", open)) { ImGui::End(); return; }
  if (!s.has_model()) { ImGui::TextDisabled("Open a model first."); ImGui::End(); return; }
  if (ImGui::BeginTabBar("##compare_tabs")) {
    const bool has = s.result() && !s.result()->comparison.backends.empty();
    const std::string req = tab_request_;
    tab_request_.clear();
    if (tab_item("logits", req)) {
      if (has) { draw_exports(s); draw_logits(s); draw_margins(s); }
      else ImGui::TextDisabled("Choose backends and an input in the Backends window, then Run.");
      ImGui::EndTabItem();
    }
    if (tab_item("margins", req)) {
      if (has) draw_margins(s);
      else ImGui::TextDisabled("Run the backends first.");
      ImGui::EndTabItem();
    }
    if (tab_item("table", req)) {
      if (has) { draw_exports(s); draw_table(s); }
      else ImGui::TextDisabled("Run the backends first.");
      ImGui::EndTabItem();
    }
    if (tab_item("drift", req)) { draw_drift(s); ImGui::EndTabItem(); }
    if (tab_item("divergence", req)) { draw_divergence(s, doc); ImGui::EndTabItem(); }
    ImGui::EndTabBar();
  }
  ImGui::End();
  // The plot region is known only after drawing: hand it to the app to capture after rendering.
  if (!png_path_.empty() && plot_rect_.z > plot_rect_.x) {
    png_ready_ = PngExportRequest{png_path_, plot_rect_};
    png_path_.clear();
  }
}

}  // namespace mlscope::gui
