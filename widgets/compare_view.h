// Compare window: the results of CompareSession as plots and tables — per-output grouped logit
// bars (reference marked, flips highlighted), margins and their deltas, the seed probe's table,
// drift per backend and the per-op divergence controls. Exports: plot PNG (captured by the app
// after rendering), table CSV and report JSON.
#pragma once

#include <imgui.h>

#include <optional>
#include <utility>
#include <string>

#include "widgets/session.h"

namespace mlscope::gui {

class DivergenceOverlay;

/// A screen region the app should save as PNG after this frame is rendered.
struct PngExportRequest {
  std::string path;
  ImVec4 rect{0, 0, 0, 0};  ///< x0, y0, x1, y1 in window pixels
};

class CompareView {
 public:
  void Draw(CompareSession& session, Document& doc, bool* open);
  void set_overlay(const DivergenceOverlay* overlay) { overlay_ = overlay; }
  int divergence_metric() const { return div_metric_; }  ///< 0: 1 − cosine, 1: relative error
  /// Starts the divergence of the reference vs `other` ("" = first other emulated backend).
  bool start_divergence(CompareSession& s, const std::string& other);
  /// Selects a tab by name ("logits", "margins", "table", "drift", "divergence").
  void show_tab(const std::string& tab) { tab_request_ = tab; }
  void set_drift_count(int n) { drift_count_ = n; }
  /// Asks for the next frame's logit plot region to be written to `path`.
  void request_plot_png(const std::string& path) { png_path_ = path; }
  /// Writes the table CSV / report JSON now; returns an error text or "".
  std::string export_csv(const CompareSession& s, const std::string& path) const;
  std::string export_json(const CompareSession& s, const std::string& path) const;
  /// Pending PNG export (taken by the app once per frame).
  std::optional<PngExportRequest> take_png_request();
  /// Rectangle of the first flip badge drawn last frame (tests check its pixels); w = 0 if none.
  ImVec4 flip_badge_rect() const { return flip_badge_; }
  int flip_badges() const { return flip_badges_; }
  /// Findings drawn as notes, not flips (ties, all-equal outputs, NaN/inf) last frame.
  int note_pills() const { return note_pills_; }

 private:
  void draw_logits(CompareSession& s);
  void draw_positions(CompareSession& s, const compare::OutputPlot& p);
  void note_pill(const char* text);
  void draw_margins(const CompareSession& s);
  void draw_table(const CompareSession& s);
  void draw_drift(CompareSession& s);
  void draw_divergence(CompareSession& s, Document& doc);
  void draw_exports(const CompareSession& s);
  void badge(const char* text);

  const DivergenceOverlay* overlay_ = nullptr;
  std::string tab_request_;
  std::string png_path_;
  std::optional<PngExportRequest> png_ready_;
  ImVec4 plot_rect_{0, 0, 0, 0};
  ImVec4 flip_badge_{0, 0, 0, 0};
  int flip_badges_ = 0;
  int note_pills_ = 0;
  std::optional<std::pair<std::string, int64_t>> pending_position_;
  int drift_count_ = 5;
  int div_other_ = 0;
  std::string div_other_name_;
  int div_metric_ = 0;
  float min_cosine_ = 0.999f, max_rel_ = 0.01f;
  char export_buf_[512] = "mlscope_compare";
  std::string export_note_;
};

}  // namespace mlscope::gui
