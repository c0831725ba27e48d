// Op inspector window: the selected op's inputs (with producers) and outputs (with users), both
// clickable, its attributes and the constants it reads (dtype, shape, storage, first values).
#pragma once

#include "widgets/document.h"

namespace mlscope::gui {

class OpInspector {
 public:
  void Draw(Document& doc, bool* open);
};

}  // namespace mlscope::gui
