// Reading MIL program text files (model.mil inside an .mlmodelc, or a bare .mil): shared by the
// .mlmodelc reader and format::read_mil_file.
#pragma once

#include <filesystem>
#include <string>

#include "core/ir/model.h"

namespace mlscope::format {

/// Parses the MIL text at `mil` into `m`; blob paths resolve against `model_path` (with
/// `fallback`: also beside the .mil when the declared path is missing).
void read_mil_into(const std::filesystem::path& mil, const std::string& model_path, bool fallback, ir::Model& m);
/// Fills m.function_descriptions (main first: the model's interface is the main function's).
void describe_functions(ir::Model& m);

}  // namespace mlscope::format
