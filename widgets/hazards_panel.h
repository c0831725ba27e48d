// HazardsUi: the fp16 hazards part of the window — the "fp16 hazards" panel (profile, input, run,
// every hazard ranked; click one to select its op), the graph's hazards colour mode (overlay) and
// the Inspector section for the selected op, plus their script verbs. The analysis runs in
// session::HazardsSession; these widgets only draw its published result.
#pragma once

#include <memory>
#include <string>

#include "core/session/hazards_session.h"
#include "widgets/session.h"
#include "widgets/graph_view.h"
#include "widgets/hazards_overlay.h"
#include "widgets/panels.h"
#include "widgets/script_verbs.h"

namespace mlscope::gui {

class HazardsUi {
 public:
  explicit HazardsUi(session::HazardsSession& session) : session_(session) {}
  /// Once per frame before the windows: publishes finished analyses, wires the graph overlay.
  void update(Document& doc, GraphView& graph);
  /// The "fp16 hazards" window (menu "View").
  void add_panels(PanelList& panels, Document& doc);
  /// The selected op's hazards (OpInspector::set_hazards_section draws it under the op header).
  void draw_inspector_section(const Document& doc) const;
  /// Starts the analysis of the current function under `profile` (input: `input` file, "" =
  /// random:0). False (with `error`) when no model is open or a job runs.
  bool start(const Document& doc, const std::string& profile, const std::string& input, std::string& error);
  /// Script verbs: `hazards PROFILE [INPUT]`, `wait-hazards`, `select-hazard I`, `dump-hazards FILE`.
  void add_script_verbs(ScriptVerbs& verbs, Document& doc, GraphView& graph);
  /// True while `wait-hazards` waits for a running analysis.
  bool waiting();
  const HazardsResult* result() const { return session_.result().get(); }

 private:
  void draw_panel(Document& doc, bool* open);
  void draw_band_partings(const compare::HazardReport& r) const;
  std::string dump_state(const std::string& path, const Document& doc, const GraphView& graph) const;

  session::HazardsSession& session_;
  HazardsOverlay overlay_;
  int profile_ = 2;  ///< index into exec::NumericProfile::builtin_names() (gpu)
  char input_[512] = {};
  std::string error_;
  bool show_ = false, wait_ = false;
};

}  // namespace mlscope::gui
