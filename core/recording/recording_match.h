// Binding a recording to a model: checks that it was recorded from this model and turns its
// plan into a Placement (source `recorded`), op by op in program order.
#pragma once

#include <string>

#include "core/analysis/placement.h"
#include "core/ir/model.h"
#include "core/recording/recording.h"

namespace mlscope::recording {

/// Throws mlscope::Error (naming the recording file and the op or JSON pointer) when the
/// recording is of another model (hash mismatch, op count or op type differences), names a
/// function the model lacks, or an op index outside a function / missing from the plan.
/// `model_path` is the path the model was opened from (used to hash it).
analysis::Placement placement_from_recording(const Recording& r, const ir::Model& model, const std::string& model_path);

}  // namespace mlscope::recording
