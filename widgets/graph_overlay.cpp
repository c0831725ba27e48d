#include "widgets/graph_overlay.h"

#include "widgets/theme.h"

namespace mlscope::gui {

ImVec2 draw_legend_frame(ImDrawList* dl, ImVec2 p, ImVec2 size, float pad, const std::string& title, float line_height) {
  ImVec4 bg = ImGui::ColorConvertU32ToFloat4(palette().canvas_bg);
  bg.w = 0.9f;  // the graph shows through a little: the legend never hides a node outright
  dl->AddRectFilled(p, {p.x + size.x, p.y + size.y}, ImGui::ColorConvertFloat4ToU32(bg), 4);
  dl->AddRect(p, {p.x + size.x, p.y + size.y}, palette().group_border, 4);
  dl->AddText({p.x + pad, p.y + pad}, ImGui::GetColorU32(ImGuiCol_Text), title.c_str());
  return {p.x + pad, p.y + pad + line_height};
}

}  // namespace mlscope::gui
