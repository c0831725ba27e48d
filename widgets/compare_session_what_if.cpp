// The what-if backend of the quantization playground (kept apart: it depends on the what-if
// engine, core/compare/what_if.h, which arrives from another branch).
#include "widgets/compare_session.h"

#if __has_include("core/compare/what_if.h")
#define MLSCOPE_HAVE_WHAT_IF 1
#include "core/compare/what_if.h"
#endif

namespace mlscope::gui {

bool CompareSession::what_if_available() {
#ifdef MLSCOPE_HAVE_WHAT_IF
  return true;
#else
  return false;
#endif
}

std::string CompareSession::set_what_if(const std::string& spec) {
#ifndef MLSCOPE_HAVE_WHAT_IF
  (void)spec;
  return "what-if engine not available in this build (core/compare/what_if.h is not merged yet); spec kept: " + spec;
#else
  return "what-if engine present but not wired yet";
#endif
}

}  // namespace mlscope::gui
