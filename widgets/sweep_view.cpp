#include "widgets/sweep_view.h"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "core/compare/compare_report.h"
#include "widgets/plot.h"

namespace mlscope::gui {

bool SweepView::start(CompareSession& s, size_t count) {
  count_ = static_cast<int>(count);
  return s.run_sweep(count, static_cast<uint64_t>(seed_), threads_);
}

void SweepView::Draw(CompareSession& s, bool* open) {
  hist_rect_ = {0, 0, 0, 0};
  if (!ImGui::Begin("Sweep", open)) { ImGui::End(); return; }
  if (!s.has_model()) { ImGui::TextDisabled("Open a model first."); ImGui::End(); return; }
  const float font = ImGui::GetFontSize();
  ImGui::SetNextItemWidth(font * 7);
  ImGui::InputInt("inputs", &count_);
  count_ = std::clamp(count_, 1, 100000);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 7);
  ImGui::InputInt("seed", &seed_);
  seed_ = std::max(0, seed_);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 6);
  ImGui::InputInt("threads", &threads_);
  threads_ = std::clamp(threads_, 1, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) * 2);
  ImGui::SameLine();
  ImGui::BeginDisabled(s.jobs().busy());
  if (ImGui::Button("Run sweep")) start(s, static_cast<size_t>(count_));
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!s.jobs().busy() || s.jobs().stopping());
  if (ImGui::Button("Stop")) s.stop();
  ImGui::EndDisabled();
  ImGui::TextDisabled("Checked emulated backends in the Backends window (recordings replay one input only). Inputs: seeded random, deterministic per index.");
  if (s.jobs().busy()) ImGui::ProgressBar(s.jobs().fraction(), ImVec2(-1, 0), (s.jobs().title() + ": " + s.jobs().stage()).c_str());
  const auto& sw = s.sweep();
  if (!sw) { ImGui::End(); return; }
  ImGui::Text("%zu / %zu inputs%s  ·  output '%s'  ·  %.1f s wall, %.1f s CPU (emulated)", sw->completed, sw->rows.size(), sw->cancelled ? " (stopped)" : "",
              sw->output.c_str(), sw->wall_seconds, sw->cpu_seconds);

  // A new result opens on its most telling pair: most flips, then the widest margin change.
  if (seen_ != &*sw || seen_wall_ != sw->wall_seconds) {
    seen_ = &*sw;
    seen_wall_ = sw->wall_seconds;
    for (size_t i = 0; i < sw->pairs.size(); ++i) {
      const auto& a = sw->pairs[i];
      const auto& b = sw->pairs[static_cast<size_t>(std::clamp(pair_, 0, static_cast<int>(sw->pairs.size()) - 1))];
      if (i == 0 || a.flips > b.flips || (a.flips == b.flips && a.max_abs_margin_delta > b.max_abs_margin_delta)) pair_ = static_cast<int>(i);
    }
  }
  // Flip rate per pair; a row click picks the pair for the histogram below.
  // An emulated Neural Engine is a hypothesis about unknown hardware: say so where its flips are counted.
  bool any_ne = false;
  for (const auto& b : sw->backends) any_ne = any_ne || b.rfind("ane", 0) == 0;
  if (any_ne)
    ImGui::TextColored(ImVec4(1.0f, 0.72f, 0.25f, 1.0f),
                       "ane*: EMULATED Neural Engine (one stated accumulation rule; the real one is unknown). Its flip rates are a hypothesis, "
                       "not a measurement — see the ane-band backend for the range over plausible rules.");
  if (ImGui::BeginTable("##pairs", 6, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
    for (const char* h : {"pair (reference side first)", "inputs", "flips", "flip rate", "no strict winner", "max |margin delta|"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < sw->pairs.size(); ++i) {
      const auto& p = sw->pairs[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      const bool ne = p.a.rfind("ane", 0) == 0 || p.b.rfind("ane", 0) == 0;
      const std::string label = p.a + " vs " + p.b + (ne ? "  (emulated NE)" : "");
      if (ImGui::Selectable(label.c_str(), static_cast<int>(i) == pair_, ImGuiSelectableFlags_SpanAllColumns)) pair_ = static_cast<int>(i);
      ImGui::TableNextColumn();
      ImGui::Text("%zu", p.inputs);
      ImGui::TableNextColumn();
      ImGui::Text("%zu", p.flips);
      ImGui::TableNextColumn();
      if (p.flips) ImGui::TextColored(ImVec4(1, 0.35f, 0.35f, 1), "%.1f %%%s", p.flip_rate * 100, ne ? " (emulated)" : "");
      else ImGui::Text("%.1f %%", p.flip_rate * 100);
      if (p.band && p.inputs) {
        ImGui::SameLine();
        ImGui::TextDisabled("band %.1f..%.1f %%", 100.0 * double(p.band_min_flips) / double(p.inputs), 100.0 * double(p.band_max_flips) / double(p.inputs));
      }
      ImGui::TableNextColumn();
      if (p.undecided) ImGui::TextColored(ImVec4(1.0f, 0.72f, 0.25f, 1.0f), "%zu (not flips)", p.undecided);
      else ImGui::TextDisabled("0");
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(compare::fmt_f64(p.max_abs_margin_delta).c_str());
    }
    ImGui::EndTable();
  }
  if (sw->pairs.empty()) { ImGui::End(); return; }
  pair_ = std::clamp(pair_, 0, static_cast<int>(sw->pairs.size()) - 1);
  const auto& p = sw->pairs[static_cast<size_t>(pair_)];

  HistogramPlot hp;
  hp.title = "Margin delta " + p.b + " - " + p.a + " over " + std::to_string(p.inputs) + " inputs (" + std::to_string(p.flips) + " flips)";
  hp.x_label = "margin(" + p.b + ") - margin(" + p.a + ")   (red line: no change)";
  hp.lo = p.histogram.lo;
  hp.hi = p.histogram.hi;
  hp.counts = {std::vector<long long>(p.histogram.counts.begin(), p.histogram.counts.end())};
  hp.series_names = {p.b + " vs " + p.a};
  hp.colors = {series_color(1)};
  hp.marker = 0;
  const float avail_w = ImGui::GetContentRegionAvail().x;
  const ImVec4 r = draw_histogram("##sweep_hist", hp, ImVec2(avail_w * 0.62f, font * 20));
  hist_rect_ = r;
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::TextUnformatted("Closest to a tie (click to inspect)");
  ImGui::TextDisabled("gap = own top-1 minus top-2 score");
  for (size_t row : p.closest_to_tie) {
    if (row >= sw->rows.size()) continue;
    const auto& rr = sw->rows[row];
    size_t ia = 0, ib = 0;
    for (size_t k = 0; k < sw->backends.size(); ++k) {
      if (sw->backends[k] == p.a) ia = k;
      if (sw->backends[k] == p.b) ib = k;
    }
    char text[200];
    const bool strict = ia < rr.decision.size() && ib < rr.decision.size() && rr.decision[ia] == compare::Decision::Strict &&
                        rr.decision[ib] == compare::Decision::Strict;
    const bool flip = strict && ia < rr.argmax.size() && ib < rr.argmax.size() && rr.argmax[ia] != rr.argmax[ib];
    std::snprintf(text, sizeof text, "#%zu  gap %s %.4g / %s %.4g%s", row, p.a.c_str(), ia < rr.gap.size() ? rr.gap[ia] : 0.0, p.b.c_str(),
                  ib < rr.gap.size() ? rr.gap[ib] : 0.0, flip ? "  FLIP" : "");
    ImGui::PushID(static_cast<int>(row));
    if (flip) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.4f, 0.4f, 1));
    if (ImGui::Selectable(text, s.input.kind == InputChoice::Kind::SweepItem && s.input.index == row)) s.select_sweep_input(row);
    if (flip) ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s: makes this input current and runs the backends on it", rr.label.c_str());
    ImGui::PopID();
  }
  ImGui::EndGroup();
  ImGui::End();
}

}  // namespace mlscope::gui
