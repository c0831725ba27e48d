// Sweep window: flip rate per backend pair over M seeded inputs (compare::run_sweep on worker
// threads, with progress and Stop), the histogram of margin deltas for the chosen pair, and the
// inputs closest to a tie — clicking one makes it the input of the other views and runs it.
#pragma once

#include <imgui.h>

#include "widgets/session.h"

namespace mlscope::gui {

class SweepView {
 public:
  void Draw(CompareSession& session, bool* open);
  bool start(CompareSession& s, size_t count);
  /// Screen rectangle of the histogram drawn last frame.
  ImVec4 histogram_rect() const { return hist_rect_; }

 private:
  int count_ = 100, seed_ = 0, threads_ = 2, pair_ = 0;
  ImVec4 hist_rect_{0, 0, 0, 0};
  const void* seen_ = nullptr;  ///< sweep result the pair choice was made for
  double seen_wall_ = -1;
};

}  // namespace mlscope::gui
