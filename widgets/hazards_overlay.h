// The graph's "fp16 hazards" colour mode: each op painted by its worst hazard's severity (from
// core/compare/hazards, computed by session::HazardsSession), the non-finite origin ringed in red.
#pragma once

#include <memory>
#include <vector>

#include "core/session/hazards_session.h"
#include "widgets/graph_overlay.h"

namespace mlscope::gui {

using session::HazardsResult;

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
