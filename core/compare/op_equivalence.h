// Which ops of two models can be the same computation: an ML program op and a NeuralNetwork
// layer are compared under one kind ("conv" for both `conv` and `nn.convolution`). Used by the
// two-model matcher; issue #20's op catalog is meant to absorb this table.
#pragma once

#include <string>

#include "core/ir/function.h"

namespace mlscope::compare {

/// The op's kind for matching across formats: ML program types without their opset prefix
/// ("ios17.conv" → "conv"); NeuralNetwork layers mapped to their ML program equivalent where one
/// exists ("nn.innerProduct" → "linear", "nn.activation" with ReLU → "relu", "nn.pooling" with
/// type 1 → "avg_pool"); any other layer keeps its own type ("nn.crop"), so it matches only itself.
std::string comparable_op_kind(const ir::Op& op);

}  // namespace mlscope::compare
