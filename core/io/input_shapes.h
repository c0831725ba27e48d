// Choosing the shape of a flexible input (`--shape name=1x3x224x224`): one of the model's
// enumerated shapes or a size inside its ranges; anything else is an Error that names the input
// and lists what the model allows. Without a choice the model's default shape is used.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/exec/backend.h"

namespace mlscope::io {

/// What input `name` of `fn` accepts, in words: "enumerated shapes 1x3x224x224, 1x3x256x256",
/// "ranges [1..inf]x128x128x1" or "the fixed shape 1x3x224x224" (default shape appended).
std::string allowed_shapes(const ir::Model& model, const ir::Function& fn, const std::string& name);

/// Parses "name=AxBxC" ("AxBxC" alone for a one-input function) into input -> shape, checking
/// each against the model. Errors name the spec, the input and the allowed shapes.
std::map<std::string, exec::Dims> parse_shape_specs(const ir::Model& model, const ir::Function& fn, const std::vector<std::string>& specs);

}  // namespace mlscope::io
