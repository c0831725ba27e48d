// Finding: a problem an analysis found in the model (malformed quantization, unknown shape ...).
// Analyses never throw on bad model content; they report findings naming the op instead.
#pragma once

#include <string>

namespace mlscope::analysis {

struct Finding {
  std::string op;       ///< op debug name the problem is attached to
  std::string message;  ///< what is wrong, in words
  std::string severity = "error";  ///< "error" (value unusable) or "warning"
};

}  // namespace mlscope::analysis
