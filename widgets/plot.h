// Small plot widgets drawn with ImDrawList (ImPlot is not packaged in Debian): a grouped bar plot
// (categories x series, with a reference series, highlighted bars and a legend) and a histogram.
// Both draw axes with "nice" ticks and labels. They only lay out numbers they are given.
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

namespace mlscope::gui {

/// Distinguishable series colours (colour-blind-friendly order), index wraps.
ImU32 series_color(size_t i);
/// About `target` round tick values covering [lo, hi] ("nice numbers": 1, 2, 5 × 10^k).
std::vector<double> nice_ticks(double lo, double hi, int target);
/// Compact tick label: "0.5", "-1.25", "1e-05", "2k".
std::string tick_label(double v);

struct BarSeries {
  std::string name;
  ImU32 color = 0;
  std::vector<double> values;     ///< per category
  std::vector<bool> highlight;    ///< per category: drawn with a warning outline (argmax flip)
  bool reference = false;         ///< drawn with a bold outline, "(reference)" in the legend
  std::string badge;              ///< short legend note ("FLIP")
  /// Per category, a range drawn as a whisker over the bar (an emulated band's min..max);
  /// empty = none. NaN/inf values are never drawn as bars: a "NaN"/"inf" mark stands there.
  std::vector<double> range_lo, range_hi;
};

struct GroupedBars {
  std::string title, x_label, y_label;
  std::vector<std::string> categories;
  std::vector<BarSeries> series;
  bool zero_baseline = true;  ///< include 0 in the y range
};

/// Draws the plot in a `size` region at the cursor (advances it). Returns the screen rectangle
/// (x0, y0, x1, y1) drawn, e.g. for a PNG export.
ImVec4 draw_grouped_bars(const char* id, const GroupedBars& plot, ImVec2 size);

struct HistogramPlot {
  std::string title, x_label, y_label = "inputs";
  double lo = 0, hi = 1;
  std::vector<std::vector<long long>> counts;  ///< per series, same bins
  std::vector<std::string> series_names;
  std::vector<ImU32> colors;
  double marker = 0;          ///< x position of a vertical marker line (e.g. 0 = no change)
  bool show_marker = true;
};

ImVec4 draw_histogram(const char* id, const HistogramPlot& plot, ImVec2 size);

}  // namespace mlscope::gui
