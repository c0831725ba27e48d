#include "widgets/two_models_panel.h"

#include <imgui.h>

#include <cstdio>

#include "core/compare/compare_report.h"
#include "widgets/plot.h"

namespace mlscope::gui {

namespace {

// The divergence against model B, when the last one run was (else null).
const compare::DivergenceReport* divergence_against_b(const CompareSession& s) {
  const auto& d = s.divergence();
  if (!d || s.against_backend().empty() || d->report.other != s.against_backend()) return nullptr;
  return &d->report;
}

const compare::WeightDiff* weight_of(const compare::TwoModelReport& r, const std::string& op) {
  const compare::WeightDiff* best = nullptr;
  for (const auto& w : r.weights)
    if (w.a_op == op && w.compared && (!best || w.snr_db < best->snr_db)) best = &w;
  return best;
}

void select_op(Document& doc, const CompareSession& s, const std::string& name) {
  const ir::Model* m = s.model();
  const auto* d = divergence_against_b(s);
  const ir::Function* fn = m && d ? m->function(d->function) : nullptr;
  if (!fn) return;
  const ir::OpId op = fn->find_op(name);
  if (op != ir::kNone) doc.select(static_cast<int32_t>(fn - m->functions.data()), op);
}

}  // namespace

std::string TwoModelsPanel::step(CompareSession& session, Document& doc) {
  const compare::DivergenceReport* d = divergence_against_b(session);
  if (!d) return "run per-op divergence against model B first";
  if (d->most_added.empty()) return "no op adds divergence";
  step_ = (step_ + 1) % static_cast<int>(d->most_added.size());
  select_op(doc, session, d->ops[d->most_added[static_cast<size_t>(step_)]].name);
  return "";
}

void TwoModelsPanel::Draw(CompareSession& session, Document& doc, bool* open) {
  if (!ImGui::Begin("Model B", open)) {
    ImGui::End();
    return;
  }
  const auto& r = session.against_report();
  if (!r) {
    ImGui::TextWrapped("No model B. File > Compare with model... opens another model (a compressed or re-converted version "
                       "of this one) and matches its ops to this one's.");
    if (session.jobs().busy()) ImGui::Text("%s: %s", session.jobs().title().c_str(), session.jobs().stage().c_str());
    else if (!session.status().empty()) ImGui::TextWrapped("%s", session.status().c_str());
    ImGui::End();
    return;
  }
  ImGui::TextWrapped("A: %s", r->a_path.c_str());
  ImGui::TextWrapped("B: %s", r->b_path.c_str());
  ImGui::Text("%zu of %zu compute ops matched (%zu by name, %zu by structure, mode %s)", r->by_name + r->by_structure, r->a_compute_ops,
              r->by_name, r->by_structure, std::string(compare::match_mode_name(r->mode)).c_str());
  std::string plumbing;
  for (const auto& [t, n] : r->plumbing_b) plumbing += (plumbing.empty() ? "" : ", ") + t + " x" + std::to_string(n);
  if (!plumbing.empty()) ImGui::TextWrapped("B's compression plumbing: %s", plumbing.c_str());
  if (!r->unmatched_a.empty() || !r->unmatched_b.empty())
    ImGui::TextColored({1.0f, 0.7f, 0.3f, 1.0f}, "unmatched: %zu ops of A, %zu of B (listed below)", r->unmatched_a.size(), r->unmatched_b.size());
  for (const auto& n : r->notes) ImGui::TextWrapped("note: %s", n.c_str());
  ImGui::BeginDisabled(session.jobs().busy());
  if (ImGui::Button("Compare outputs")) session.run();
  ImGui::SameLine();
  if (ImGui::Button("Per-op divergence")) session.run_divergence(session.against_backend(), 0.999, 0.01);
  ImGui::SameLine();
  if (ImGui::Button("Close model B")) session.clear_against();
  ImGui::EndDisabled();
  if (!session.against_report()) {  // closed just now
    ImGui::End();
    return;
  }
  ImGui::TextDisabled("B runs as the backend %s (emulated), A as the reference %s", session.against_backend().c_str(), session.reference.c_str());
  ImGui::Separator();
  draw_walkthrough(session, doc);
  draw_weights(session);
  if (!r->unmatched_a.empty() && ImGui::CollapsingHeader("Unmatched ops of A"))
    for (const auto& o : r->unmatched_a) ImGui::BulletText("%s (%s)", o.name.c_str(), o.type.c_str());
  if (!r->unmatched_b.empty() && ImGui::CollapsingHeader("Unmatched ops of B"))
    for (const auto& o : r->unmatched_b) ImGui::BulletText("%s (%s)", o.name.c_str(), o.type.c_str());
  ImGui::End();
}

void TwoModelsPanel::draw_walkthrough(CompareSession& session, Document& doc) {
  const compare::DivergenceReport* d = divergence_against_b(session);
  if (!ImGui::CollapsingHeader("What compressing each layer did", ImGuiTreeNodeFlags_DefaultOpen)) return;
  if (!d) {
    ImGui::TextWrapped("Run per-op divergence: every op's output in B against A's, and how much each op adds over what it reads.");
    return;
  }
  ImGui::TextWrapped("The ops adding the most divergence (relative error of the output minus the largest relative error of its "
                     "inputs; weights count 0), emulated fp32 runs of both models on %s.",
                     session.divergence()->input_label.c_str());
  if (ImGui::Button("Next op >")) step(session, doc);
  const auto& r = *session.against_report();
  if (ImGui::BeginTable("##culprits", 6, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
    for (const char* h : {"op", "type", "added", "rel error", "weight scheme", "weight SNR dB"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (size_t k = 0; k < d->most_added.size(); ++k) {
      const compare::OpDivergence& op = d->ops[d->most_added[k]];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      if (ImGui::Selectable(op.name.c_str(), static_cast<int>(k) == step_, ImGuiSelectableFlags_SpanAllColumns)) {
        step_ = static_cast<int>(k);
        select_op(doc, session, op.name);
      }
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(op.type.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(compare::fmt_f32(op.added_rel_error).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(compare::fmt_f32(op.rel_error).c_str());
      const compare::WeightDiff* w = weight_of(r, op.name);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(w ? w->b_scheme.c_str() : "-");
      ImGui::TableNextColumn();
      if (w && w->identical()) ImGui::TextUnformatted("identical");
      else if (w) ImGui::Text("%.2f", w->snr_db);
      else ImGui::TextUnformatted("-");
    }
    ImGui::EndTable();
  }
  if (!d->first_crossing.empty())
    ImGui::Text("first op over the thresholds: %s", d->ops[d->first_crossing.front()].name.c_str());
}

std::string TwoModelsPanel::select_weight(const CompareSession& session, int index) {
  const auto& r = session.against_report();
  if (!r) return "no model B";
  if (index < 0 || static_cast<size_t>(index) >= r->weights.size()) return "no weight #" + std::to_string(index);
  selected_weight_ = index;
  return "";
}

void TwoModelsPanel::draw_weight_histograms(const compare::WeightPairHistograms& h) const {
  if (!h.ok()) {
    ImGui::TextWrapped("%s.%s: no histograms: %s", h.a_op.c_str(), h.param.c_str(), h.note.c_str());
    return;
  }
  auto counts = [](const std::vector<uint64_t>& v) { return std::vector<long long>(v.begin(), v.end()); };
  HistogramPlot values;
  values.title = h.a_op + "." + h.param + ": values of A and of B (" + std::to_string(h.elements) + " each)";
  values.x_label = "value";
  values.y_label = "elements";
  values.lo = h.lo;
  values.hi = h.hi;
  values.counts = {counts(h.a), counts(h.b)};
  values.series_names = {"A", "B"};
  values.colors = {series_color(0), series_color(1)};
  values.show_marker = false;
  const float w = ImGui::GetContentRegionAvail().x;
  draw_histogram("##wvalues", values, {w * 0.5f - 4, ImGui::GetFontSize() * 11});
  ImGui::SameLine();
  HistogramPlot error;
  error.title = "error b - a";
  error.x_label = "b - a";
  error.y_label = "elements";
  error.lo = h.error_lo;
  error.hi = h.error_hi;
  error.counts = {counts(h.error)};
  error.series_names = {"b - a"};
  error.colors = {series_color(2)};
  error.marker = 0;
  draw_histogram("##werror", error, {w * 0.5f - 4, ImGui::GetFontSize() * 11});
  if (h.non_finite) ImGui::Text("%llu elements non-finite on a side: left out", static_cast<unsigned long long>(h.non_finite));
}

void TwoModelsPanel::draw_weights(CompareSession& session) {
  const compare::TwoModelReport& r = *session.against_report();
  const compare::WeightTotals& t = r.weight_totals;
  char head[160];
  std::snprintf(head, sizeof head, "Weights: %zu compared, %zu identical, %.1f KiB -> %.1f KiB###weights", t.compared, t.identical,
                static_cast<double>(t.bytes_a) / 1024, static_cast<double>(t.bytes_b) / 1024);
  if (selected_weight_ >= 0) ImGui::SetNextItemOpen(true, ImGuiCond_Once);
  if (!ImGui::CollapsingHeader(head)) return;
  if (selected_weight_ < 0) {
    ImGui::TextDisabled("Select a weight for the histograms of its values in A and B and of the error.");
  } else if (const compare::WeightPairHistograms* h = session.against_weight_histograms(static_cast<size_t>(selected_weight_))) {
    draw_weight_histograms(*h);
  } else {
    ImGui::TextDisabled("Decoding both weights...");
  }
  if (!ImGui::BeginTable("##weights", 7, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollY,
                         {0, ImGui::GetTextLineHeightWithSpacing() * 8}))
    return;
  for (const char* h : {"weight", "A", "B", "SNR dB", "max abs error", "rel error", "bytes A -> B"}) ImGui::TableSetupColumn(h);
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableHeadersRow();
  for (size_t i = 0; i < r.weights.size(); ++i) {
    const compare::WeightDiff& w = r.weights[i];
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    const std::string label = w.a_op + "." + w.param + "##w" + std::to_string(i);
    if (ImGui::Selectable(label.c_str(), static_cast<int>(i) == selected_weight_, ImGuiSelectableFlags_SpanAllColumns))
      selected_weight_ = static_cast<int>(i);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(w.a_scheme.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(w.b_scheme.c_str());
    ImGui::TableNextColumn();
    if (!w.compared) {
      ImGui::TextColored({1.0f, 0.7f, 0.3f, 1.0f}, "not compared");
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", w.note.c_str());
      continue;
    }
    if (w.identical()) ImGui::TextUnformatted("identical");
    else ImGui::Text("%.2f", w.snr_db);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(compare::fmt_f32(w.max_abs_error).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(compare::fmt_f32(w.rel_error).c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%llu -> %llu", static_cast<unsigned long long>(w.bytes_a), static_cast<unsigned long long>(w.bytes_b));
  }
  ImGui::EndTable();
}

}  // namespace mlscope::gui
