// Op type -> display family (convolution, activation, shape, quantization, ...), the data table
// the graph's "op type" color mode and legend use. One table, no if-chains in views.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace mlscope::layout {

enum class OpFamily : uint8_t {
  Convolution, MatMul, Activation, Elementwise, Normalization, Reduction, Pooling, Shape,
  Quantization, Constant, ControlFlow, State, Input, Output, Other,
};
constexpr size_t kOpFamilyCount = 15;

/// Family of an op type: bare MIL type ("conv") or NeuralNetwork schema name ("convolution").
OpFamily op_family(std::string_view type);
std::string_view op_family_name(OpFamily f);

}  // namespace mlscope::layout
