// GraphOverlay: a colouring of the graph's op nodes supplied from outside the graph view (e.g.
// per-op divergence between two backends), with its own legend. The graph view asks it for a
// colour per op and whether the op is marked (drawn with a ring), and lets it draw the legend.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string>

#include "core/ir/function.h"

namespace mlscope::gui {

class GraphOverlay {
 public:
  virtual ~GraphOverlay() = default;
  /// False when there is nothing to show for this function yet; `why` says what to do.
  virtual bool available(int32_t function, std::string* why) const = 0;
  /// Fill for an op node; ops the overlay knows nothing about get a neutral colour.
  virtual ImU32 op_color(int32_t function, ir::OpId op) const = 0;
  virtual bool op_marked(int32_t function, ir::OpId op) const = 0;
  /// Legend (colour bar, title, counts) in the canvas corner at `top_left`.
  virtual void draw_legend(ImDrawList* dl, ImVec2 top_left) const = 0;
};

/// The legends' common frame: a translucent canvas-coloured box of `size` at `top_left` with
/// its border and `title` on the first line. Returns where the next line starts (inside the
/// padding `pad`, `line_height` below the title).
ImVec2 draw_legend_frame(ImDrawList* dl, ImVec2 top_left, ImVec2 size, float pad, const std::string& title, float line_height);

}  // namespace mlscope::gui
