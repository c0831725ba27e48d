#include "widgets/hazards_overlay.h"

#include <algorithm>
#include <cstdio>

#include "widgets/theme.h"

namespace mlscope::gui {

ImU32 HazardsOverlay::severity_color(int s) {
  switch (s) {
    case int(compare::HazardSeverity::Critical): return IM_COL32(215, 40, 40, 255);
    case int(compare::HazardSeverity::High): return IM_COL32(235, 125, 30, 255);
    case int(compare::HazardSeverity::Medium): return IM_COL32(215, 190, 45, 255);
    case int(compare::HazardSeverity::Low): return IM_COL32(80, 145, 210, 255);
    case int(compare::HazardSeverity::Info): return IM_COL32(70, 150, 110, 255);
    default: return IM_COL32(88, 92, 102, 255);
  }
}

bool HazardsOverlay::available(int32_t function, std::string* why) const {
  if (!result_) {
    if (why) *why = "Run the fp16 hazards analysis first (View > fp16 hazards)";
    return false;
  }
  if (function != result_->function) {
    if (why) *why = "the hazards were computed for another function";
    return false;
  }
  return true;
}

ImU32 HazardsOverlay::op_color(int32_t, ir::OpId op) const {
  if (!result_ || op < 0 || static_cast<size_t>(op) >= result_->worst.size()) return severity_color(-1);
  return severity_color(result_->worst[static_cast<size_t>(op)]);
}

bool HazardsOverlay::op_marked(int32_t, ir::OpId op) const { return result_ && op != ir::kNone && op == result_->origin; }

void HazardsOverlay::draw_legend(ImDrawList* dl, ImVec2 p) const {
  if (!result_) return;
  const compare::HazardReport& rep = result_->report;
  int counts[5] = {};
  int none = 0;
  for (int8_t w : result_->worst)
    if (w >= 0) ++counts[w];
  for (size_t i = 0; i < result_->worst.size(); ++i) none += result_->worst[i] < 0;
  const float font = ImGui::GetFontSize(), pad = font * 0.5f;
  std::vector<std::pair<ImU32, std::string>> rows;
  static const char* kNames[5] = {"info (quantize, nothing clips)", "low", "medium", "high", "critical (non-finite origin)"};
  char buf[160];
  for (int s = 4; s >= 0; --s)
    if (counts[s]) {
      std::snprintf(buf, sizeof buf, "%s (%d op%s)", kNames[s], counts[s], counts[s] == 1 ? "" : "s");
      rows.push_back({severity_color(s), buf});
    }
  rows.push_back({severity_color(-1), "no hazard"});
  const std::string title = "Color: fp16 hazards under " + rep.profile + " (worst per op)";
  std::string origin = rep.nonfinite_origin ? "NaN/inf starts at " + rep.nonfinite_origin->describe() + " (red ring)" : "no NaN/inf under this profile";
  const std::string note = "emulated: fp32 run vs " + rep.profile + " run, input " + result_->input_label;
  float w = std::max({ImGui::CalcTextSize(title.c_str()).x, ImGui::CalcTextSize(origin.c_str()).x, ImGui::CalcTextSize(note.c_str()).x});
  for (const auto& r : rows) w = std::max(w, font * 1.6f + ImGui::CalcTextSize(r.second.c_str()).x);
  w += 2 * pad;
  const float h = pad * 2 + font * 1.25f * float(rows.size() + 3);
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  ImVec2 c = draw_legend_frame(dl, p, {w, h}, pad, title, font * 1.25f);
  for (const auto& r : rows) {
    dl->AddRectFilled({c.x, c.y + 2}, {c.x + font, c.y + font - 1}, r.first, 2);
    dl->AddText({c.x + font * 1.6f, c.y}, text, r.second.c_str());
    c.y += font * 1.25f;
  }
  dl->AddText(c, text, origin.c_str());
  c.y += font * 1.25f;
  dl->AddText(c, ImGui::GetColorU32(ImGuiCol_TextDisabled), note.c_str());
}

}  // namespace mlscope::gui
