// CompareUi: the backend-comparison part of the window — the Backends, Compare, Sweep and
// Playground windows, the graph's divergence overlay and the inspector's divergence section —
// drawing a session::CompareSession (state + tasks, owned by the app), plus its menu and script verbs.
#pragma once

#include <optional>
#include <string>

#include "widgets/backends_panel.h"
#include "widgets/session.h"
#include "widgets/compare_view.h"
#include "widgets/divergence_overlay.h"
#include "widgets/graph_view.h"
#include "widgets/match_overlay.h"
#include "widgets/panels.h"
#include "widgets/playground_panel.h"
#include "widgets/script_verbs.h"
#include "widgets/sweep_view.h"
#include "widgets/two_models_panel.h"

namespace mlscope::gui {

class CompareUi {
 public:
  explicit CompareUi(CompareSession& session) : session_(session) {}
  /// Once per frame before the windows: follows the document, publishes finished jobs, wires
  /// the divergence overlay into the graph.
  void update(Document& doc, GraphView& graph);
  /// The Backends, Compare, Sweep and Playground windows (menu "Compare").
  void add_panels(PanelList& panels, Document& doc);
  /// After the windows: appends the divergence section to the Inspector window when it is open.
  void draw_inspector_section(Document& doc, bool inspector_open);
  /// First-use window positions below a menu bar of height `top`.
  void default_layout(float top);
  /// The comparison verbs (see app/gui/script.h).
  void add_script_verbs(ScriptVerbs& verbs, Document& doc);
  /// True while a `wait-runs` is pending and a job is still running.
  bool waiting();
  std::optional<PngExportRequest> take_png_request() { return compare_view_.take_png_request(); }
  /// File > Compare with model...: opens B beside the open model and shows the Model B window.
  void open_against(const std::string& path);
  /// Once per frame: colours model B's graph by the match (and A's divergence).
  void update_model_b(const Document& b_doc, GraphView& b_graph);

 private:
  std::string dump_state(const std::string& path, const Document& doc) const;

  CompareSession& session_;
  BackendsPanel backends_panel_;
  CompareView compare_view_;
  SweepView sweep_view_;
  PlaygroundPanel playground_;
  TwoModelsPanel two_models_;
  DivergenceOverlay overlay_;
  MatchOverlay match_overlay_;
  bool show_backends_ = false, show_compare_ = false, show_sweep_ = false, show_playground_ = false, show_two_models_ = false;
  bool wait_runs_ = false;
};

}  // namespace mlscope::gui
