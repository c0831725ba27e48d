// What identifies a model file in a recording: the SHA-256 of one file, chosen per format.
//
//   .mlpackage → Data/com.apple.CoreML/model.mlmodel (the protobuf spec; weights excluded)
//   .mlmodel   → the file itself
//   .mlmodelc  → model.mil if present, else coremldata.bin
//   .mil       → the file itself
// The weights (weight.bin) are not hashed: the plan depends on the program, and hashing
// gigabytes on every load would be slow. tools/record_coreml.py applies the same choice.
#pragma once

#include <string>

#include "core/ir/model.h"
#include "core/recording/recording.h"

namespace mlscope::recording {

/// Identity of the model at `model_path` (already opened as `model`). Throws mlscope::Error if
/// the file to hash is missing or unreadable.
ModelIdentity identify_model(const std::string& model_path, const ir::Model& model);

/// Ops a compute plan enumerates: every op of every function in program order.
int64_t plan_op_count(const ir::Model& model);

}  // namespace mlscope::recording
