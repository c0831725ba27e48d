// Op inspector window: the selected op's inputs (with producers) and outputs (with users), both
// clickable, its attributes and the constants it reads (dtype, shape, storage, first values),
// the quantization lineage chain, weight histograms, placement with its reason and the cost estimate.
#pragma once

#include <functional>

#include "widgets/session.h"
#include "widgets/weight_histogram.h"

namespace mlscope::gui {

class OpInspector {
 public:
  explicit OpInspector(session::WeightStats& weights) : histogram_(weights) {}
  void Draw(Document& doc, bool* open);
  /// No histogram is still being computed.
  bool idle() const { return histogram_.idle(); }
  /// A section drawn right under the op's header (the fp16 hazards of the selected op).
  void set_hazards_section(std::function<void(const Document&)> draw) { hazards_section_ = std::move(draw); }

 private:
  void draw_weights(const Document& doc, const ir::Function& fn, const ir::Op& op);
  void draw_cost(const Document& doc, ir::OpId o);
  WeightHistogram histogram_;
  std::function<void(const Document&)> hazards_section_;
};

}  // namespace mlscope::gui
