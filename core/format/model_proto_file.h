// One serialized Model protobuf file (model.mlmodel, or the one inside an .mlpackage) read into
// an ir::Model; shared by the .mlpackage and .mlmodel readers.
#pragma once

#include <string>

#include "core/format/protobuf/model_from_proto.h"
#include "core/ir/model.h"

namespace mlscope::format {

/// Parses `file` and converts it with `ctx` (package/model/weights dirs) into `model`.
ir::Model read_model_file(const std::string& file, pbread::ReadContext& ctx, ir::Model model);

}  // namespace mlscope::format
