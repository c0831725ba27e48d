// Tensors a recording references by .npy path: resolving and verifying them.
#pragma once

#include <string>

#include "core/recording/recording.h"
#include "core/exec/tensor.h"

namespace mlscope::recording {

/// Path of a referenced .npy, resolved against the recording file's folder.
std::string resolve_tensor_path(const Recording& r, const TensorRecord& t);

/// Loads a tensor referenced by .npy and checks it is the one recorded: same SHA-256, dtype
/// and shape. Throws mlscope::Error naming the recording (JSON pointer) or the .npy file.
exec::Tensor load_tensor_file(const Recording& r, const TensorRecord& t);

/// Verifies every referenced .npy of every prediction (load_tensor_file on each).
void verify_tensor_files(const Recording& r);

}  // namespace mlscope::recording
