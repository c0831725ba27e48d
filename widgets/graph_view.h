// Op graph window: draws core/layout geometry with pan, zoom at cursor, fit, minimap, search,
// selection shared through the Document, hover tooltips, level of detail and color modes.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/layout/graph_layout.h"
#include "core/layout/op_family.h"
#include "widgets/color_modes.h"
#include "widgets/session.h"
#include "widgets/graph_overlay.h"

namespace mlscope::gui {

class GraphView {
 public:
  /// `title`: the window's name ("Graph"; model B's graph is "Graph B").
  explicit GraphView(std::string title = "Graph") : title_(std::move(title)) {}
  void Draw(Document& doc, bool* open);

  // --- scripted control (tests) ---
  void request_fit() { fit_requested_ = true; }
  void set_zoom(float z) { zoom_request_ = z; }
  void set_color_mode(ColorMode m) { color_mode_ = m; }
  ColorMode color_mode() const { return color_mode_; }
  /// Colouring used by an overlay mode (Divergence, Hazards; owned by the caller; nullptr = none).
  void set_overlay(ColorMode m, const GraphOverlay* overlay) {
    if (m == ColorMode::Divergence) divergence_overlay_ = overlay;
    if (m == ColorMode::Hazards) hazards_overlay_ = overlay;
  }
  void set_divergence_overlay(const GraphOverlay* overlay) { set_overlay(ColorMode::Divergence, overlay); }
  /// Sets the search text and selects the first match.
  void search(Document& doc, const std::string& text);
  float zoom() const { return zoom_; }
  /// Screen rectangle of the canvas in the last frame (tests crop screenshots to it).
  ImVec4 canvas_rect() const { return {canvas_min_.x, canvas_min_.y, canvas_max_.x, canvas_max_.y}; }

 private:
  struct Cache {
    uint64_t generation = ~0ull;
    int32_t function = -1;
    std::vector<layout::Rect> edge_box;   ///< per edge
    NodeColors colors;                    ///< per node, every colour mode
  };
  void rebuild_cache(const Document& doc);
  void draw_toolbar(Document& doc);
  void draw_canvas(Document& doc);
  void draw_edges(ImDrawList* dl, const layout::GraphLayout& g, int32_t selected_node, bool dots);
  void draw_nodes(ImDrawList* dl, const Document& doc, const layout::GraphLayout& g, int32_t selected_node, bool dots);
  void draw_legend(ImDrawList* dl, const Document& doc);
  void draw_minimap(ImDrawList* dl, const layout::GraphLayout& g);
  void draw_tooltip(const Document& doc, const layout::GraphLayout& g, int32_t node);
  int32_t hit_test(const layout::GraphLayout& g, ImVec2 world) const;
  void fit(const layout::GraphLayout& g);
  void initial_view(const layout::GraphLayout& g);
  void center_on(const layout::Rect& r, bool readable_zoom);
  /// Screen x (from the canvas' left) where content `content_w` px wide is centred.
  float view_center_x(float content_w) const;
  void update_matches(const Document& doc);
  void step_match(Document& doc, int dir);
  /// The mode nodes are painted in: an overlay mode falls back to op type until its overlay has data.
  ColorMode drawn_mode() const { return is_overlay_mode(color_mode_) && overlay_fill_.empty() ? ColorMode::OpType : color_mode_; }
  const GraphOverlay* overlay_of(ColorMode m) const {
    return m == ColorMode::Divergence ? divergence_overlay_ : m == ColorMode::Hazards ? hazards_overlay_ : nullptr;
  }
  ImU32 node_color(size_t node) const {
    if (is_overlay_mode(color_mode_) && node < overlay_fill_.size()) return overlay_fill_[node];
    return cache_.colors.color(drawn_mode(), node);
  }
  /// Whether mode m can be shown for the current function; `why` says what is missing.
  bool mode_available(const Document& doc, ColorMode m, std::string* why) const;
  /// Node drawn for the selected op: itself, or the collapsed control-flow op around it.
  int32_t visible_node_for(const Document& doc, const layout::GraphLayout& g) const;
  void draw_group_toggle(Document& doc, const layout::LayoutNode& n, ImVec2 a, ImVec2 b, float title_h);
  std::string node_label(const Document& doc, const layout::LayoutNode& n, bool type_only) const;

  ImVec2 to_screen(float x, float y) const { return {origin_.x + (x - offset_.x) * zoom_, origin_.y + (y - offset_.y) * zoom_}; }
  ImVec2 to_world(ImVec2 s) const { return {offset_.x + (s.x - origin_.x) / zoom_, offset_.y + (s.y - origin_.y) / zoom_}; }

  Cache cache_;
  ColorMode color_mode_ = ColorMode::OpType;
  float zoom_ = 1.0f, zoom_request_ = 0;
  ImVec2 offset_{0, 0}, origin_{0, 0}, canvas_min_{0, 0}, canvas_max_{0, 0};
  std::string title_;
  bool fit_requested_ = false, minimap_ = true, legend_ = true;
  int initial_view_ = 2;  ///< frames left that (re)compute the first view of a new graph
  uint64_t seen_focus_ = 0;
  char search_buf_[128] = {};
  std::string match_query_;
  uint64_t match_generation_ = ~0ull;
  int32_t match_function_ = -1;
  std::vector<int32_t> matches_;  ///< node indices in layout order
  int match_cursor_ = -1;
  std::vector<uint8_t> dot_grid_;  ///< occupancy for the dot level of detail
  std::vector<uint8_t> match_flag_;  ///< per node: matches the search
  ImVec4 minimap_rect_{0, 0, 0, 0};
  float legend_w_ = 0, minimap_w_ = 0;  ///< overlay widths of the last frame (px, incl. margins)
  std::vector<ImVec2> scratch_;
  const GraphOverlay* divergence_overlay_ = nullptr;
  const GraphOverlay* hazards_overlay_ = nullptr;
  std::vector<ImU32> overlay_fill_;      ///< per node, refreshed each frame in an overlay mode
  std::vector<uint8_t> overlay_mark_;    ///< per node
  void refresh_overlay(const Document& doc, const layout::GraphLayout& g);
};

}  // namespace mlscope::gui
