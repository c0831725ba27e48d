// HazardsUi: the fp16 hazards part of the window — the "fp16 hazards" panel (profile, input, run,
// every hazard ranked; click one to select its op), the graph's hazards colour mode (overlay) and
// the Inspector section for the selected op, plus their script verbs. The analysis
// (core/compare/hazards: an fp32 run, a run under the profile and, for ane profiles, the
// Neural Engine band) runs on a JobRunner worker;
// these widgets only draw the published result.
#pragma once

#include <memory>
#include <string>

#include "widgets/document.h"
#include "widgets/graph_view.h"
#include "widgets/hazards_overlay.h"
#include "widgets/job_runner.h"

namespace mlscope::gui {

class HazardsUi {
 public:
  /// Draws the panel (when shown) and publishes finished analyses.
  void Draw(Document& doc, GraphView& graph);
  /// The selected op's hazards (OpInspector::set_hazards_section draws it under the op header).
  void draw_inspector_section(const Document& doc) const;
  /// The item in the View menu.
  void draw_menu_item() { ImGui::MenuItem("fp16 hazards", nullptr, &show_); }
  /// Starts the analysis of the current function under `profile` (input: `input` file, "" =
  /// random:0). False (with `error`) when no model is open or a job runs.
  bool start(const Document& doc, const std::string& profile, const std::string& input, std::string& error);
  /// Script verbs: `hazards PROFILE [INPUT]`, `wait-hazards`, `select-hazard I`,
  /// `dump-hazards FILE`. False if `verb` is not one of them; sets `error` on a bad argument.
  bool script_verb(const std::string& verb, const std::string& arg, Document& doc, GraphView& graph, std::string& error);
  /// True while `wait-hazards` waits for a running analysis.
  bool waiting();
  const HazardsResult* result() const { return result_.get(); }

 private:
  void follow_model(const Document& doc);
  void draw_panel(Document& doc);
  void draw_band_partings(const compare::HazardReport& r) const;
  std::string dump_state(const std::string& path, const Document& doc, const GraphView& graph) const;

  JobRunner jobs_;
  std::shared_ptr<const ir::Model> model_;
  std::shared_ptr<const HazardsResult> result_;
  HazardsOverlay overlay_;
  int profile_ = 2;  ///< index into exec::NumericProfile::builtin_names() (gpu)
  char input_[512] = {};
  std::string error_;
  bool show_ = false, wait_ = false;
  uint64_t serial_ = 0;
};

}  // namespace mlscope::gui
