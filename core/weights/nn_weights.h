// NeuralNetwork layer weights (WeightParams carried as op attributes by the .mlmodel reader):
// their layouts from the layer parameters and their dense fp32 values, plain or quantized.
// One place for the interpreter's NN kernels and for comparing weights across models.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/ir/function.h"
#include "core/weights/decompress.h"

namespace mlscope::weights {

/// Dense values of attribute `name` of NN layer `op`, laid out as `shape`. Plain payloads
/// (fp32, fp16, ...) keep their float dtype; quantized ones (`name.quantization.*`) decode to
/// fp32: linear w = scale · q + bias (scale/bias of length 1 or one per output channel), or a
/// lookup table w = lut[q]; codes of 1..8 bits, MSB-first packed below 8, int8RawValue signed.
/// Throws mlscope::Error(Location::at_op(file, op.name), "<type>: ...") on missing or malformed data.
DenseTensor nn_layer_weight(const ir::Op& op, const std::string& name, const ir::Shape& shape,
                            const std::string& file = {});

/// Layout of weight attribute `name` of a convolution, innerProduct, batchnorm, embedding or
/// loadConstant layer from its parameters (the NeuralNetwork.proto layouts, the kernels'
/// defaults for absent parameters): conv [O, kernelChannels, kH, kW] (deconvolution
/// [kernelChannels, O / nGroups, kH, kW]), innerProduct [out, in], per-channel vectors [C].
/// nullopt for other layers and attributes.
std::optional<ir::Shape> nn_weight_shape(const ir::Op& op, const std::string& name);

/// The weight attributes layer `op` computes with (those nn_weight_shape knows), in schema order:
/// "weights" and, with hasBias, "bias"; batchnorm "gamma", "beta" and, unless it computes them,
/// "mean", "variance". Empty for other layers.
std::vector<std::string> nn_weight_names(const ir::Op& op);

}  // namespace mlscope::weights
