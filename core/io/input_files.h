// Turning "--input name=source" specs into exec::RunInputs: source is a .npy file, an .npz file (the
// member named after the input, or the only member), an image file (image inputs), or
// random:SEED (seeded random values of the declared dtype and default shape, see random_inputs.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/exec/backend.h"

namespace mlscope::io {

/// Parses "name=source" (or just "source" when the function has exactly one input) and loads it.
/// Errors name the spec, the file and the input. `shapes` (from --shape, input_shapes.h) sets the
/// shape of random inputs and must match the shape of files.
void add_input_spec(const ir::Model& model, const ir::Function& fn, const std::string& spec, exec::RunInputs& inputs,
                    std::vector<std::string>* notes = nullptr, const std::map<std::string, exec::Dims>* shapes = nullptr);

/// Declared dtype/shape of a function input (default shape of a flexible feature).
struct InputDecl {
  ir::DType dtype = ir::DType::Float32;
  exec::Dims shape;
  bool is_image = false;
};
InputDecl input_declaration(const ir::Model& model, const ir::Function& fn, const std::string& name);

}  // namespace mlscope::io
