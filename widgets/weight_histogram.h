// Histogram + min/max/mean/std of a compile-time tensor (const / decoded constexpr chain) in the
// inspector. The numbers come from session::WeightStats (computed off the UI thread, cached).
#pragma once

#include "core/session/weight_stats.h"
#include "widgets/session.h"

namespace mlscope::gui {

class WeightHistogram {
 public:
  explicit WeightHistogram(session::WeightStats& stats) : stats_(stats) {}
  /// Draws the statistics of value `v` of the current function (starts the computation if needed).
  void Draw(const Document& doc, ir::ValueId v) { draw(stats_.value(doc, v)); }
  /// Same for tensor attribute `attr` of op `o` (NeuralNetwork layer weights are attributes).
  void DrawAttribute(const Document& doc, ir::OpId o, size_t attr) { draw(stats_.attribute(doc, o, attr)); }
  /// True when every requested histogram has finished (scripts wait on this).
  bool idle() const { return stats_.idle(); }

 private:
  void draw(const analysis::TensorHistogram* h) const;
  session::WeightStats& stats_;
};

}  // namespace mlscope::gui
