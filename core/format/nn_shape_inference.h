// Blob shapes for NeuralNetwork models. A .mlmodel stores layer parameters but not the shapes
// of the blobs between layers (compiled bundles keep them in model.espresso.shape; protobuf
// models do not), so the reader derives them: from the function's input types forward through
// each layer's parameters, the way the NN spec defines each layer's output.
//
// Layout convention (shared with core/exec/kernels/nn.cpp): blobs are [..., C, H, W], the spec's
// rank-5 [Seq, Batch, C, H, W] minus leading unit dimensions that the input did not declare.
// A layer whose shape rule is not known here (custom layers, branches, loops, rank-changing ND
// layers not listed) leaves its outputs unknown, and so do the layers that consume them: an
// unknown shape is honest, a guessed one is not.
// Layers have one output, except the LSTM layers, whose y and final states are all typed.
#pragma once

#include "core/ir/function.h"

namespace mlscope::format {

/// Fills Value::type of every NN layer output that is still unknown. Returns how many layer
/// outputs got a type.
size_t infer_nn_blob_types(ir::Function& fn);

}  // namespace mlscope::format
