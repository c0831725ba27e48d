// Graph colour modes: the one table listing them (script name, menu label), the per-node colour
// categories of the current function for every mode, and each mode's legend.
//
// Adding a mode: add the enum value, a row in kModes (color_modes.cpp), a case in
// NodeColors::rebuild (categories per node), colors_of (category -> colour), legend, salience and
// available. Nothing else lists modes. (Divergence and Hazards are the exceptions: an external
// GraphOverlay supplies their colours and legend; see GraphView.)
#pragma once

#include <imgui.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/layout/graph_layout.h"
#include "widgets/session.h"

namespace mlscope::gui {

/// Divergence, Hazards: colours come from a GraphOverlay (widgets/graph_overlay.h, set by the
/// compare views / the hazards panel), not from NodeColors; NodeColors only lists them.
enum class ColorMode : int { OpType = 0, Device, Lineage, Cost, Divergence, Hazards };
inline bool is_overlay_mode(ColorMode m) { return m == ColorMode::Divergence || m == ColorMode::Hazards; }

struct ColorModeInfo {
  ColorMode mode;
  const char* script_name;  ///< --script `color-mode NAME`
  const char* label;        ///< toolbar / legend
};
std::span<const ColorModeInfo> color_modes();
const char* color_mode_name(ColorMode m);
/// Script spelling ("op-type", "device", "lineage", "cost", "divergence", plus aliases); false if unknown.
bool parse_color_mode(const std::string& text, ColorMode& out);

struct LegendRow {
  ImU32 color;
  std::string text;
};
/// What the legend box shows for a mode: rows of swatches and, for continuous modes, a colour bar.
struct Legend {
  std::string title;
  std::vector<LegendRow> rows;
  std::vector<ImU32> ramp;          ///< colour bar left→right (empty: none)
  std::string ramp_low, ramp_high;  ///< labels under its ends
  std::string note;                 ///< one dimmed line (where the numbers come from)
};

/// Colour category of every layout node, for every mode, for the current function.
class NodeColors {
 public:
  static constexpr int kCostSteps = 24;  ///< ramp buckets of the cost mode

  void rebuild(const Document& doc, const layout::GraphLayout& g, const ir::Function& fn);
  /// Whether the mode has data for this model; `why` says what is missing.
  bool available(ColorMode m, std::string* why = nullptr) const;
  /// Fill colour of `node` in mode `m` (call color_table first in the frame).
  ImU32 color(ColorMode m, size_t node) const {
    const auto& cat = category_[static_cast<size_t>(m)];
    const uint8_t c = node < cat.size() ? cat[node] : 0;
    return c < table_.size() ? table_[c] : table_.empty() ? 0 : table_.back();
  }
  /// Builds the category -> colour table of `m` for the current theme (cheap; once per frame).
  void color_table(ColorMode m) { table_ = colors_of(m); }
  /// How much a node's colour matters when many nodes share one pixel (zoomed far out): the
  /// costliest op, a quantized op over a float one. 0 = least.
  uint8_t salience(ColorMode m, size_t node) const;
  /// Category -> colour of mode m in the current theme.
  static std::vector<ImU32> colors_of(ColorMode m);
  Legend legend(ColorMode m) const;
  /// Short description of node's category in mode m (tooltips).
  std::string describe(ColorMode m, size_t node) const;

  uint8_t family(size_t node) const { return node < category_[0].size() ? category_[0][node] : 0; }

 private:
  static constexpr size_t kModeCount = 6;
  std::vector<uint8_t> category_[kModeCount];
  int count_[kModeCount][64] = {};
  bool has_placement_ = false, has_lineage_ = false, has_cost_ = false;
  std::string placement_source_, analysis_error_;
  uint64_t total_macs_ = 0, max_macs_ = 0;
  int64_t unknown_cost_ops_ = 0;
  std::vector<ImU32> table_;
};

}  // namespace mlscope::gui
