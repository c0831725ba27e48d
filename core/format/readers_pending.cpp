// Placeholder definitions until the real readers land (each reader replaces its line here).
#include "core/format/open.h"
#include "core/util/error.h"

namespace mlscope::format {
ir::Model read_mlpackage(const std::string& p) { throw Error(Location::in_file(p), ".mlpackage reader not built yet"); }
ir::Model read_mlmodel(const std::string& p) { throw Error(Location::in_file(p), ".mlmodel reader not built yet"); }
}  // namespace mlscope::format
