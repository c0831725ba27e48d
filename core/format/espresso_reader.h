// Compiled NeuralNetwork bundles (.mlmodelc with model.espresso.net): the layer graph from the
// espresso JSON, shapes from model.espresso.shape. Espresso is Apple-private (§7.2): weights in
// model.espresso.weights are not decoded.
#pragma once

#include <string>

#include "core/ir/model.h"

namespace mlscope::format {

/// Adds one NeuralNetwork-dialect function "main" built from `dir`/model.espresso.net: one op
/// per layer (type = espresso "type", inputs from "bottom", outputs from "top", scalar layer
/// fields as attributes). Function inputs are model.inputs (call after reading metadata.json).
/// Throws mlscope::Error naming the file and the layer on malformed input.
void read_espresso(const std::string& dir, ir::Model& model);

}  // namespace mlscope::format
