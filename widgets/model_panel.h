// Model window: format, spec version, kind, interface (inputs/outputs/states with types),
// functions with op counts, metadata, weight size, notes and load timings.
#pragma once

#include "widgets/session.h"

namespace mlscope::gui {

class ModelPanel {
 public:
  void Draw(Document& doc, bool* open);
};

}  // namespace mlscope::gui
