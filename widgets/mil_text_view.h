// MIL text window: the program as MIL text (printed by core), line numbers, the selected op's
// line highlighted; clicking a line selects the op printed there.
#pragma once

#include <cstdint>

#include "widgets/session.h"

namespace mlscope::gui {

class MilTextView {
 public:
  void Draw(Document& doc, bool* open);

 private:
  uint64_t seen_focus_ = 0;
};

}  // namespace mlscope::gui
