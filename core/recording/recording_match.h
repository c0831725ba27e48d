// Binding a recording to a model: checks that it was recorded from this model and turns its
// plan into a Placement (source `recorded`), op by op in program order.
#pragma once

#include <string>

#include "core/analysis/placement.h"
#include "core/ir/model.h"
#include "core/recording/recording.h"

namespace mlscope::recording {

/// The one rule for whether recording `r` was made from `model` (opened from `model_path`), used
/// for its plan and for replaying its predictions alike. When the recording hashed the same kind
/// of file the model has (see model_identity.h), the SHA-256 must match; when it hashed another
/// kind (a recording of an .mlpackage against its compiled .mlmodelc) the hashes are not
/// comparable and the op count must match instead. Throws mlscope::Error naming the recording
/// and the JSON pointer ("recording is of another model: ..."). Returns "" when the hash matched,
/// else a note saying what was matched.
std::string check_recording_belongs(const Recording& r, const ir::Model& model, const std::string& model_path);

/// Throws mlscope::Error (naming the recording file and the op or JSON pointer) when the
/// recording is of another model (check_recording_belongs, then op type differences), names a
/// function the model lacks, or an op index outside a function / missing from the plan.
/// `model_path` is the path the model was opened from (used to hash it).
analysis::Placement placement_from_recording(const Recording& r, const ir::Model& model, const std::string& model_path);

}  // namespace mlscope::recording
