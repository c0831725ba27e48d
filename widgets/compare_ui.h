// CompareUi: the backend-comparison part of the window in one object the app owns — the
// session (state + worker), the Backends, Compare, Sweep and Playground windows, the graph's
// divergence overlay and the inspector's divergence section — plus its menu and script verbs.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "widgets/backends_panel.h"
#include "widgets/compare_session.h"
#include "widgets/compare_view.h"
#include "widgets/divergence_overlay.h"
#include "widgets/graph_view.h"
#include "widgets/playground_panel.h"
#include "widgets/sweep_view.h"

namespace mlscope::gui {

class CompareUi {
 public:
  /// Draws the windows (after the app's own views). `inspector_open`: append the divergence
  /// section to the Inspector window.
  void Draw(Document& doc, GraphView& graph, bool inspector_open);
  /// Items for the main menu bar ("Compare" menu).
  void draw_menu();
  /// First-use window positions for a display of `size` below a menu bar of height `top`.
  void default_layout(float top);

  /// Script verbs (see app/gui/script.h). Returns false if `verb` is not one of ours; sets
  /// `error` for a bad argument.
  bool script_verb(const std::string& verb, const std::string& arg, Document& doc, GraphView& graph, std::string& error);
  /// True while a `wait-runs` is pending and a job is still running.
  bool waiting();
  std::optional<PngExportRequest> take_png_request() { return compare_view_.take_png_request(); }

  CompareSession& session() { return session_; }

 private:
  std::string dump_state(const std::string& path) const;
  void track_frame_times();

  CompareSession session_;
  BackendsPanel backends_panel_;
  CompareView compare_view_;
  SweepView sweep_view_;
  PlaygroundPanel playground_;
  DivergenceOverlay overlay_;
  bool show_backends_ = false, show_compare_ = false, show_sweep_ = false, show_playground_ = false;
  bool wait_runs_ = false;
  bool report_jobs_ = false;  ///< scripted: print each finished job's figures on stdout
  bool was_busy_ = false;
  // frame-times verb: intervals between frames while measuring
  int frame_left_ = 0;
  std::string frame_label_;
  std::vector<double> frame_ms_;
  std::chrono::steady_clock::time_point last_frame_{};
};

}  // namespace mlscope::gui
