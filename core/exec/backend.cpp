#include "core/exec/backend.h"

namespace mlscope::exec {

std::string_view backend_kind_name(BackendKind k) {
  switch (k) {
    case BackendKind::Emulated: return "emulated";
    case BackendKind::Recorded: return "recorded";
    case BackendKind::Native: return "native";
  }
  return "?";
}

}  // namespace mlscope::exec
