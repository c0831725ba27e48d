// The graph's "divergence" colour mode: per-op disagreement between the reference and another
// backend (from compare::divergence), on a log colour scale of 1 − cosine or relative error,
// with the first op crossing the threshold marked; plus the inspector section for the
// selected op (its numbers and both values' histograms).
#pragma once

#include <map>
#include <vector>

#include "widgets/session.h"
#include "widgets/graph_overlay.h"

namespace mlscope::gui {

class DivergenceOverlay : public GraphOverlay {
 public:
  enum class Metric { OneMinusCosine, RelError };

  /// Rebuilds the op lookup when the session published a new report.
  void update(const CompareSession& session);
  void set_metric(Metric m) { metric_ = m; }
  Metric metric() const { return metric_; }

  bool available(int32_t function, std::string* why) const override;
  ImU32 op_color(int32_t function, ir::OpId op) const override;
  bool op_marked(int32_t function, ir::OpId op) const override;
  void draw_legend(ImDrawList* dl, ImVec2 top_left) const override;

  /// The selected op's divergence numbers and the two values' histograms (inside a window).
  void draw_inspector_section(const Document& doc) const;
  /// The op divergence of `op`, or nullptr.
  const compare::OpDivergence* find(ir::OpId op) const;

 private:
  double metric_value(const compare::OpDivergence& d) const;
  static ImU32 ramp(double t);  ///< t in [0,1]: green → yellow → red
  double scale_pos(double v) const;

  const CompareSession* session_ = nullptr;
  uint64_t serial_ = 0;
  int32_t function_ = -1;  ///< function index the report belongs to
  std::vector<int32_t> by_op_;  ///< OpId -> index into report.ops, -1 none
  std::vector<uint8_t> marked_;
  Metric metric_ = Metric::OneMinusCosine;
  double lo_exp_ = -7, hi_exp_ = 0;  ///< log10 range of the colour bar
};

}  // namespace mlscope::gui
