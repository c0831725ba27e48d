// The "Model B" window: the open model (A) against another model (B) — how the ops were
// matched, what B's compression did to each weight, and a walkthrough of the ops that add the
// most divergence ("what quantizing each layer did"), each one selected in the graph in turn.
// Draws CompareSession state and sends it commands; owns no thread.
#pragma once

#include <string>

#include "widgets/session.h"

namespace mlscope::gui {

class TwoModelsPanel {
 public:
  void Draw(CompareSession& session, Document& doc, bool* open);
  /// Selects the walkthrough's next op in the graph (wraps); "" or why there is none.
  std::string step(CompareSession& session, Document& doc);
  int step_index() const { return step_; }

 private:
  void draw_walkthrough(CompareSession& session, Document& doc);
  void draw_weights(CompareSession& session);
  void draw_weight_histograms(const compare::WeightPairHistograms& h) const;
  int step_ = -1;            // index into the divergence's most_added
  int selected_weight_ = -1; // index into the report's weights
 public:
  /// Script verb `model-b-weight I`: shows weight I's histograms.
  std::string select_weight(const CompareSession& session, int index);
};

}  // namespace mlscope::gui
