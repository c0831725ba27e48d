#include "widgets/mil_text_view.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "widgets/theme.h"

namespace mlscope::gui {

void MilTextView::Draw(Document& doc, bool* open) {
  if (!ImGui::Begin("MIL text", open)) { ImGui::End(); return; }
  const ModelSnapshot* snap = doc.snapshot();
  if (!snap) {
    ImGui::TextDisabled("No model open.");
    ImGui::End();
    return;
  }
  if (snap->program.text.empty()) {
    ImGui::TextWrapped("No MIL text for this model%s%s", snap->program.error.empty() ? "." : ": ", snap->program.error.c_str());
    ImGui::End();
    return;
  }
  const std::string& text = snap->program.text;
  const int lines = static_cast<int>(snap->line_start.size());
  const auto& sel = doc.selection();
  int sel_line = -1;
  if (sel.function >= 0 && static_cast<size_t>(sel.function) < snap->program.op_line.size()) {
    const auto& ol = snap->program.op_line[static_cast<size_t>(sel.function)];
    if (sel.op >= 0 && static_cast<size_t>(sel.op) < ol.size()) sel_line = ol[static_cast<size_t>(sel.op)] - 1;
  }
  ImGui::PushFont(fonts().mono);
  ImGui::BeginChild("##mil", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  const float line_h = ImGui::GetTextLineHeightWithSpacing();
  if (seen_focus_ != doc.focus_serial()) {
    seen_focus_ = doc.focus_serial();
    if (sel_line >= 0) ImGui::SetScrollY(std::max(0.0f, static_cast<float>(sel_line) * line_h - ImGui::GetWindowHeight() * 0.4f));
  }
  const float gutter = ImGui::CalcTextSize("000000").x;
  ImGuiListClipper clipper;
  clipper.Begin(lines, line_h);
  char num[16];
  while (clipper.Step())
    for (int l = clipper.DisplayStart; l < clipper.DisplayEnd; ++l) {
      const size_t begin = snap->line_start[static_cast<size_t>(l)];
      size_t end = l + 1 < lines ? snap->line_start[static_cast<size_t>(l) + 1] : text.size();
      if (end > begin && text[end - 1] == '\n') --end;
      const auto& lo = snap->line_op[static_cast<size_t>(l)];
      ImGui::PushID(l);
      std::snprintf(num, sizeof num, "%5d", l + 1);
      ImGui::TextDisabled("%s", num);
      ImGui::SameLine(gutter + ImGui::GetStyle().ItemSpacing.x);
      const ImVec2 pos = ImGui::GetCursorScreenPos();
      if (lo.op != ir::kNone) {
        // The whole line is a button: click selects the op (and its function).
        if (ImGui::Selectable("##line", l == sel_line, ImGuiSelectableFlags_AllowItemOverlap,
                              ImVec2(ImGui::CalcTextSize(text.data() + begin, text.data() + end).x, 0))) {
          if (lo.function != sel.function) doc.select_function(lo.function);
          doc.select(lo.function, lo.op);
          seen_focus_ = doc.focus_serial();  // the line is on screen already; others follow
        }
        ImGui::SetCursorScreenPos(pos);
      }
      ImGui::TextUnformatted(text.data() + begin, text.data() + end);
      ImGui::PopID();
    }
  ImGui::EndChild();
  ImGui::PopFont();
  ImGui::End();
}

}  // namespace mlscope::gui
