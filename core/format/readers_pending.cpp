// Placeholder definitions until the real readers land (each reader replaces its line here).
#include "core/format/open.h"
#include "core/util/error.h"

namespace mlscope::format {
ir::Model read_mlmodelc(const std::string& p) { throw Error(Location::in_file(p), ".mlmodelc reader not built yet"); }
ir::Model read_mil_file(const std::string& p) { throw Error(Location::in_file(p), ".mil reader not built yet"); }
}  // namespace mlscope::format
