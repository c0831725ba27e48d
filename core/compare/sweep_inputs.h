// Where a flip-rate sweep's inputs come from. Each source is a pure function of the input index,
// so workers can make inputs in any order and the sweep stays deterministic.
#pragma once

#include <functional>
#include <string>

#include "core/exec/backend.h"

namespace mlscope::compare {

struct SweepInputs {
  size_t count = 0;
  std::function<exec::RunInputs(size_t)> make;   ///< thread-safe, deterministic in the index
  std::function<std::string(size_t)> label;      ///< "seed 7 #12", "a.npy"
};

/// Seeded random inputs for every multi-array input feature of `model` (declared dtype and
/// shape). Input i, feature j uses io::random_tensor with seed splitmix64(seed + i) + j, so the
/// i-th input is the same whatever the count or thread order. Throws mlscope::Error for a model
/// input that is not a fixed-shape multi-array (images: use an image folder).
SweepInputs seeded_random_inputs(const ir::Model& model, uint64_t seed, size_t count);

/// Every .npy (single-input models), .npz (members named like the inputs) or image file (.png,
/// .jpg, .jpeg, .bmp; single image-input models, decoded and resized by io::load_image_input)
/// in `dir`, sorted by file name. Throws mlscope::Error naming `dir` if it is missing or holds no
/// such file; a bad file raises the reader's located Error when it is reached.
SweepInputs folder_inputs(const ir::Model& model, const std::string& dir);

uint64_t splitmix64(uint64_t x);

}  // namespace mlscope::compare
