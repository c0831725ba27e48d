// The graph's "fp16 hazards" colour mode: each op painted by its worst hazard's severity (from
// core/compare/hazards, computed by HazardsUi's worker), the non-finite origin ringed in red.
#pragma once

#include <memory>
#include <vector>

#include "core/compare/hazards.h"
#include "widgets/graph_overlay.h"

namespace mlscope::gui {

/// One finished analysis, indexed for drawing (built on the worker, published on the UI thread).
struct HazardsResult {
  compare::HazardReport report;
  int32_t function = -1;                   ///< index in the model's functions
  std::vector<int8_t> worst;               ///< per OpId: worst severity, -1 = none
  std::vector<std::vector<size_t>> by_op;  ///< per OpId: indices into report.hazards
  std::vector<ir::OpId> hazard_op;         ///< per hazard: its op (kNone if not found)
  ir::OpId origin = ir::kNone;             ///< the non-finite origin op
  std::string input_label;
  double seconds = 0;
  uint64_t serial = 0;
};
/// Indexes `report` against `fn` (hazards name ops by debug name).
HazardsResult index_hazards(compare::HazardReport report, const ir::Function& fn, int32_t function);

class HazardsOverlay : public GraphOverlay {
 public:
  void set_result(std::shared_ptr<const HazardsResult> r) { result_ = std::move(r); }
  bool available(int32_t function, std::string* why) const override;
  ImU32 op_color(int32_t function, ir::OpId op) const override;
  bool op_marked(int32_t function, ir::OpId op) const override;
  void draw_legend(ImDrawList* dl, ImVec2 top_left) const override;
  /// Fill for a severity (-1: no hazard).
  static ImU32 severity_color(int severity);

 private:
  std::shared_ptr<const HazardsResult> result_;
};

}  // namespace mlscope::gui
