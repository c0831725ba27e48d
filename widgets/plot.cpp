#include "widgets/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mlscope::gui {

ImU32 series_color(size_t i) {
  // Okabe–Ito palette: distinguishable for the common colour-vision deficiencies.
  static const ImU32 kColors[] = {IM_COL32(86, 180, 233, 255), IM_COL32(230, 159, 0, 255), IM_COL32(0, 158, 115, 255),
                                  IM_COL32(204, 121, 167, 255), IM_COL32(240, 228, 66, 255), IM_COL32(0, 114, 178, 255),
                                  IM_COL32(213, 94, 0, 255), IM_COL32(190, 190, 190, 255)};
  return kColors[i % (sizeof kColors / sizeof kColors[0])];
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  std::vector<double> out;
  if (!std::isfinite(lo) || !std::isfinite(hi)) return out;
  if (hi <= lo) hi = lo + 1;
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) { step = m * mag; break; }
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9 && out.size() < 50; v += step) out.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return out;
}

std::string tick_label(double v) {
  char buf[32];
  const double a = std::abs(v);
  if (a != 0 && a >= 1e5) std::snprintf(buf, sizeof buf, "%.0e", v);
  else if (a != 0 && a < 1e-3) std::snprintf(buf, sizeof buf, "%.2g", v);  // "-0.00012", "2e-05": distinct ticks
  else if (a >= 1000) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

namespace {

struct Frame {
  ImVec2 p0, p1;        ///< whole widget
  ImVec2 a0, a1;        ///< plot area (inside the axes)
  double ylo = 0, yhi = 1;
  float y_of(double v) const { return a1.y - static_cast<float>((v - ylo) / (yhi - ylo)) * (a1.y - a0.y); }
};

ImU32 text_col() { return ImGui::GetColorU32(ImGuiCol_Text); }
ImU32 dim_col() { return ImGui::GetColorU32(ImGuiCol_TextDisabled); }
ImU32 grid_col() { return ImGui::GetColorU32(ImGuiCol_Border, 0.6f); }

// Title on top, y axis with ticks and a label on the left, legend strip at the bottom.
Frame begin_frame(const char* id, const std::string& title, const std::string& y_label, double ylo, double yhi, ImVec2 size,
                  float legend_h, float x_label_h) {
  Frame f;
  const float font = ImGui::GetFontSize();
  size.x = std::max(size.x, font * 12);
  size.y = std::max(size.y, font * 10);
  f.p0 = ImGui::GetCursorScreenPos();
  f.p1 = {f.p0.x + size.x, f.p0.y + size.y};
  ImGui::InvisibleButton(id, size);
  const auto ticks = nice_ticks(ylo, yhi, std::max(2, static_cast<int>(size.y / (font * 3))));
  if (!ticks.empty()) { ylo = std::min(ylo, ticks.front()); yhi = std::max(yhi, ticks.back()); }
  f.ylo = ylo;
  f.yhi = yhi > ylo ? yhi : ylo + 1;
  float tick_w = 0;
  for (double t : ticks) tick_w = std::max(tick_w, ImGui::CalcTextSize(tick_label(t).c_str()).x);
  f.a0 = {f.p0.x + font * 1.6f + tick_w + font * 0.5f, f.p0.y + font * 1.8f};
  f.a1 = {f.p1.x - font * 0.8f, f.p1.y - legend_h - x_label_h};
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(f.p0, f.p1, ImGui::GetColorU32(ImGuiCol_FrameBg, 0.5f), 4);
  dl->AddText({f.p0.x + font * 0.5f, f.p0.y + font * 0.3f}, text_col(), title.c_str());
  for (double t : ticks) {
    const float y = f.y_of(t);
    dl->AddLine({f.a0.x, y}, {f.a1.x, y}, grid_col(), t == 0 ? 1.5f : 1.0f);
    dl->AddLine({f.a0.x - 4, y}, {f.a0.x, y}, text_col());
    const std::string lab = tick_label(t);
    const ImVec2 ts = ImGui::CalcTextSize(lab.c_str());
    dl->AddText({f.a0.x - 6 - ts.x, y - ts.y / 2}, text_col(), lab.c_str());
  }
  dl->AddLine(f.a0, {f.a0.x, f.a1.y}, text_col(), 1.5f);
  dl->AddLine({f.a0.x, f.a1.y}, f.a1, text_col(), 1.5f);
  // Vertical y label, drawn letter by letter (ImGui has no rotated text).
  const float lh = font * 0.95f;
  float ly = (f.a0.y + f.a1.y) / 2 - lh * static_cast<float>(y_label.size()) / 2;
  for (char c : y_label) {
    const char s[2] = {c, 0};
    const ImVec2 cs = ImGui::CalcTextSize(s);
    dl->AddText({f.p0.x + font * 0.5f - cs.x / 2 + font * 0.3f, ly}, dim_col(), s);
    ly += lh;
  }
  return f;
}

void draw_legend(const Frame& f, const std::vector<std::pair<ImU32, std::string>>& items, const std::vector<bool>& bold, float height, float wrap_w) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float font = ImGui::GetFontSize();
  float x = f.a0.x, y = f.p1.y - height;  // rows top-down, in series order
  for (size_t i = 0; i < items.size(); ++i) {
    const float w = font + 6 + ImGui::CalcTextSize(items[i].second.c_str()).x + font;
    if (x - f.a0.x + w > wrap_w && x > f.a0.x) { x = f.a0.x; y += font * 1.3f; }
    dl->AddRectFilled({x, y + 2}, {x + font * 0.9f, y + font * 0.9f + 2}, items[i].first, 2);
    if (i < bold.size() && bold[i]) dl->AddRect({x - 1, y + 1}, {x + font * 0.9f + 1, y + font * 0.9f + 3}, text_col(), 2, 0, 2);
    dl->AddText({x + font + 4, y}, text_col(), items[i].second.c_str());
    x += w;
  }
}

float legend_height(const std::vector<std::pair<ImU32, std::string>>& items, float width) {
  const float font = ImGui::GetFontSize();
  float x = 0;
  int rows = 1;
  for (const auto& it : items) {
    const float w = font + 6 + ImGui::CalcTextSize(it.second.c_str()).x + font;
    if (x + w > width && x > 0) { x = 0; ++rows; }
    x += w;
  }
  return font * 1.3f * static_cast<float>(rows) + font * 0.4f;
}

}  // namespace

ImVec4 draw_grouped_bars(const char* id, const GroupedBars& plot, ImVec2 size) {
  const float font = ImGui::GetFontSize();
  double lo = plot.zero_baseline ? 0 : 1e300, hi = plot.zero_baseline ? 0 : -1e300;
  for (const auto& s : plot.series) {
    for (double v : s.values)
      if (std::isfinite(v)) { lo = std::min(lo, v); hi = std::max(hi, v); }
    for (const auto* r : {&s.range_lo, &s.range_hi})
      for (double v : *r)
        if (std::isfinite(v)) { lo = std::min(lo, v); hi = std::max(hi, v); }
  }
  if (lo > hi) { lo = 0; hi = 1; }
  const double pad = (hi - lo) * 0.08 + 1e-12;
  if (lo < 0 || !plot.zero_baseline) lo -= pad;
  hi += pad;
  std::vector<std::pair<ImU32, std::string>> legend;
  std::vector<bool> bold;
  for (const auto& s : plot.series) {
    legend.emplace_back(s.color, s.name + (s.reference ? " (reference)" : "") + (s.badge.empty() ? "" : "  [" + s.badge + "]"));
    bold.push_back(s.reference);
  }
  const float wrap_w = std::max(size.x, font * 12) - font * 5;
  const float lh = legend_height(legend, wrap_w);
  Frame f = begin_frame(id, plot.title, plot.y_label, lo, hi, size, lh, font * 2.6f);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const size_t nc = std::max<size_t>(1, plot.categories.size()), ns = std::max<size_t>(1, plot.series.size());
  const float group_w = (f.a1.x - f.a0.x) / static_cast<float>(nc);
  const float bar_w = group_w * 0.8f / static_cast<float>(ns);
  const float base = f.y_of(std::clamp(0.0, f.ylo, f.yhi));
  const ImU32 warn = IM_COL32(255, 60, 60, 255);
  for (size_t c = 0; c < plot.categories.size(); ++c) {
    const float gx = f.a0.x + group_w * static_cast<float>(c) + group_w * 0.1f;
    for (size_t s = 0; s < plot.series.size(); ++s) {
      const BarSeries& ser = plot.series[s];
      if (c >= ser.values.size()) continue;
      const float x0 = gx + bar_w * static_cast<float>(s), x1 = x0 + bar_w * 0.92f;
      if (!std::isfinite(ser.values[c])) {  // a finding, not a value: mark the slot, draw no bar
        const char* mark = std::isnan(ser.values[c]) ? "NaN" : (ser.values[c] > 0 ? "+inf" : "-inf");
        const ImVec2 ts = ImGui::CalcTextSize(mark);
        dl->AddRect({x0, base - ts.y - 4}, {x1, base}, warn, 0, 0, 1.5f);
        dl->AddText({(x0 + x1) / 2 - ts.x / 2, base - ts.y - 2}, warn, mark);
        continue;
      }
      const float y = f.y_of(ser.values[c]);
      dl->AddRectFilled({x0, std::min(y, base)}, {x1, std::max(y, base)}, ser.color);
      if (ser.reference) dl->AddRect({x0, std::min(y, base)}, {x1, std::max(y, base)}, text_col(), 0, 0, 2.0f);
      if (c < ser.highlight.size() && ser.highlight[c]) {
        dl->AddRect({x0 - 2, std::min(y, base) - 2}, {x1 + 2, std::max(y, base) + 2}, warn, 0, 0, 3.0f);
      }
      if (c < ser.range_lo.size() && c < ser.range_hi.size() && std::isfinite(ser.range_lo[c]) && std::isfinite(ser.range_hi[c])) {
        // Whisker: the range of plausible values, in the text colour so it reads over any bar.
        const float xm = (x0 + x1) / 2, cap = std::max(3.0f, (x1 - x0) * 0.3f);
        const float ylo = f.y_of(ser.range_lo[c]), yhi = f.y_of(ser.range_hi[c]);
        dl->AddLine({xm, ylo}, {xm, yhi}, text_col(), 2.0f);
        dl->AddLine({xm - cap, ylo}, {xm + cap, ylo}, text_col(), 2.0f);
        dl->AddLine({xm - cap, yhi}, {xm + cap, yhi}, text_col(), 2.0f);
      }
      // Value label above the bar when there is room.
      if (bar_w > font * 3.2f) {
        const std::string v = tick_label(ser.values[c]);
        const ImVec2 ts = ImGui::CalcTextSize(v.c_str());
        const float ty = ser.values[c] >= 0 ? y - ts.y - 1 : y + 1;
        const bool flagged = c < ser.highlight.size() && ser.highlight[c];
        dl->AddText({(x0 + x1) / 2 - ts.x / 2, ty}, flagged ? warn : dim_col(), v.c_str());
      }
    }
    const std::string& cat = plot.categories[c];
    const ImVec2 ts = ImGui::CalcTextSize(cat.c_str());
    const float cx = f.a0.x + group_w * (static_cast<float>(c) + 0.5f);
    dl->AddLine({cx, f.a1.y}, {cx, f.a1.y + 4}, text_col());
    dl->AddText({cx - std::min(ts.x, group_w) / 2, f.a1.y + 5}, text_col(), cat.c_str());
  }
  const ImVec2 xs = ImGui::CalcTextSize(plot.x_label.c_str());
  dl->AddText({(f.a0.x + f.a1.x) / 2 - xs.x / 2, f.a1.y + font * 1.3f}, dim_col(), plot.x_label.c_str());
  draw_legend(f, legend, bold, lh, wrap_w);
  return {f.p0.x, f.p0.y, f.p1.x, f.p1.y};
}

ImVec4 draw_histogram(const char* id, const HistogramPlot& plot, ImVec2 size) {
  const float font = ImGui::GetFontSize();
  long long peak = 1;
  size_t bins = 0;
  for (const auto& c : plot.counts) {
    bins = std::max(bins, c.size());
    for (long long v : c) peak = std::max(peak, v);
  }
  std::vector<std::pair<ImU32, std::string>> legend;
  for (size_t s = 0; s < plot.series_names.size(); ++s) legend.emplace_back(s < plot.colors.size() ? plot.colors[s] : series_color(s), plot.series_names[s]);
  const float wrap_w = std::max(size.x, font * 12) - font * 5;
  const float lh = legend_height(legend, wrap_w);
  Frame f = begin_frame(id, plot.title, plot.y_label, 0, static_cast<double>(peak) * 1.05, size, lh, font * 2.6f);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  // Bins keep their value ranges; the view also spans the marker (0 = "no change") and is padded,
  // so a histogram whose values all sit at one point is still drawn where it belongs.
  const bool degenerate = !(plot.hi > plot.lo);
  const double bw = degenerate ? 0 : (plot.hi - plot.lo) / static_cast<double>(std::max<size_t>(1, bins));
  double lo = plot.lo, hi = degenerate ? plot.lo : plot.hi;
  if (plot.show_marker) { lo = std::min(lo, plot.marker); hi = std::max(hi, plot.marker); }
  const double span = hi > lo ? hi - lo : std::max(std::abs(lo), 1e-6);
  lo -= span * 0.06;
  hi += span * 0.06;
  auto x_of = [&](double v) { return f.a0.x + static_cast<float>((v - lo) / (hi - lo)) * (f.a1.x - f.a0.x); };
  const size_t ns = std::max<size_t>(1, plot.counts.size());
  const float min_w = 3.0f;
  for (size_t s = 0; s < plot.counts.size(); ++s) {
    const ImU32 col = s < plot.colors.size() ? plot.colors[s] : series_color(s);
    for (size_t b = 0; b < plot.counts[s].size(); ++b) {
      if (plot.counts[s][b] == 0) continue;
      float bx0 = x_of(plot.lo + bw * static_cast<double>(b)), bx1 = x_of(plot.lo + bw * static_cast<double>(b + 1));
      if (bx1 - bx0 < min_w) { const float c = (bx0 + bx1) / 2; bx0 = c - min_w / 2; bx1 = c + min_w / 2; }
      const float sw = (bx1 - bx0) / static_cast<float>(ns);
      const float x0 = bx0 + sw * static_cast<float>(s), x1 = x0 + std::max(1.0f, sw - 1);
      dl->AddRectFilled({x0, f.y_of(static_cast<double>(plot.counts[s][b]))}, {x1, f.a1.y}, col);
    }
  }
  for (double t : nice_ticks(lo, hi, std::max(2, static_cast<int>((f.a1.x - f.a0.x) / (font * 5))))) {
    const float x = x_of(t);
    if (x < f.a0.x - 1 || x > f.a1.x + 1) continue;
    dl->AddLine({x, f.a1.y}, {x, f.a1.y + 4}, text_col());
    const std::string lab = tick_label(t);
    const ImVec2 ts = ImGui::CalcTextSize(lab.c_str());
    dl->AddText({x - ts.x / 2, f.a1.y + 5}, text_col(), lab.c_str());
  }
  if (plot.show_marker && plot.marker >= lo && plot.marker <= hi) {
    const float x = x_of(plot.marker);
    dl->AddLine({x, f.a0.y}, {x, f.a1.y}, IM_COL32(255, 60, 60, 200), 2.0f);
  }
  const ImVec2 xs = ImGui::CalcTextSize(plot.x_label.c_str());
  dl->AddText({(f.a0.x + f.a1.x) / 2 - xs.x / 2, f.a1.y + font * 1.3f}, dim_col(), plot.x_label.c_str());
  draw_legend(f, legend, {}, lh, wrap_w);
  return {f.p0.x, f.p0.y, f.p1.x, f.p1.y};
}

}  // namespace mlscope::gui
