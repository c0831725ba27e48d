// Look of the app: dark/light ImGui styles, the graph palette, and crisp fonts for a DPI scale.
#pragma once

#include <imgui.h>

#include "core/layout/op_family.h"

namespace mlscope::gui {

enum class Theme { Dark, Light };

struct Palette {
  ImU32 canvas_bg, grid, edge, edge_highlight_in, edge_highlight_out, selected, search_match;
  ImU32 group_fill, group_border, group_label, node_border, text_dark, text_light, badge;
  ImU32 family[layout::kOpFamilyCount];
  ImU32 device[4];  ///< CPU, GPU, Neural Engine, none
  ImU32 io_node;
};

struct Fonts {
  ImFont* ui = nullptr;
  ImFont* mono = nullptr;
  float size = 15;  ///< pixel size of the UI font
};

/// Applies the ImGui style for `theme` scaled by `scale` and selects the matching palette.
void apply_theme(Theme theme, float scale);
const Palette& palette();
Theme current_theme();
/// Readable text colour (dark or light) on top of `fill`.
ImU32 text_on(ImU32 fill);

/// Loads DejaVu Sans / Sans Mono (Debian fonts-dejavu-core) at 15 px × scale; falls back to
/// ImGui's built-in font (scaled) when the TTF is missing. Call before the first frame.
Fonts load_fonts(float scale);
const Fonts& fonts();

}  // namespace mlscope::gui
