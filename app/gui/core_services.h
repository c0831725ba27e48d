// The core functions the GUI's Document runs on its worker thread (reader, MIL printer).
#pragma once

#include "widgets/document.h"

namespace mlscope::gui {

CoreServices make_core_services();

}  // namespace mlscope::gui
