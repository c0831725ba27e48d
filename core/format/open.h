// Opening any Core ML model file: .mlpackage, .mlmodel, .mlmodelc, or a bare .mil text file.
#pragma once

#include <string>

#include "core/ir/model.h"

namespace mlscope::format {

/// Opens `path`, detecting the format from the extension and, for directories without a known
/// extension, from their contents. Throws mlscope::Error naming the file and the place.
ir::Model open(const std::string& path);

// Individual readers (open() dispatches to these).
ir::Model read_mlpackage(const std::string& package_dir);
ir::Model read_mlmodel(const std::string& file);
ir::Model read_mlmodelc(const std::string& compiled_dir);
ir::Model read_mil_file(const std::string& file);

}  // namespace mlscope::format
