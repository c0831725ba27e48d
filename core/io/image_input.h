// Image files (PNG, JPEG, BMP, ... via stb_image) as model inputs: decoded to 8-bit pixels,
// resized (stb_image_resize, bilinear-class filter) to the size the model's image feature
// declares, in the feature's color layout. Returns an H x W x C uint8 tensor; the interpreter
// turns it into the 1 x C x H x W planes the program reads (input_check.cpp). Scale/bias
// preprocessing is folded into ML programs by the converter; for NeuralNetwork models the
// interpreter applies the model's scaler (Model::preprocessing).
#pragma once

#include <string>

#include "core/exec/tensor.h"
#include "core/ir/model.h"

namespace mlscope::io {

/// `feature` must be an image feature (Error otherwise). Unreadable/corrupt files and images
/// whose claimed size would need more than 256 MiB are Errors naming the file.
exec::Tensor load_image_input(const std::string& path, const ir::FeatureType& feature, std::string* note = nullptr);

}  // namespace mlscope::io
