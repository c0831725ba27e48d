#include "core/layout/op_family.h"

#include <utility>

namespace mlscope::layout {
namespace {

struct Entry {
  std::string_view type;
  OpFamily family;
};

// Exact types first; prefixes below catch families of ops (reduce_*, constexpr_*, slice_*).
constexpr Entry kTypes[] = {
    {"conv", OpFamily::Convolution}, {"conv_transpose", OpFamily::Convolution}, {"convolution", OpFamily::Convolution},
    {"linear", OpFamily::MatMul}, {"matmul", OpFamily::MatMul}, {"einsum", OpFamily::MatMul}, {"innerProduct", OpFamily::MatMul},
    {"batchedMatmul", OpFamily::MatMul}, {"lstm", OpFamily::MatMul}, {"gru", OpFamily::MatMul}, {"rnn", OpFamily::MatMul},
    {"uniDirectionalLSTM", OpFamily::MatMul}, {"biDirectionalLSTM", OpFamily::MatMul}, {"embedding", OpFamily::MatMul},
    {"relu", OpFamily::Activation}, {"relu6", OpFamily::Activation}, {"silu", OpFamily::Activation}, {"gelu", OpFamily::Activation},
    {"sigmoid", OpFamily::Activation}, {"tanh", OpFamily::Activation}, {"softmax", OpFamily::Activation},
    {"leaky_relu", OpFamily::Activation}, {"elu", OpFamily::Activation}, {"softplus", OpFamily::Activation},
    {"sigmoid_hard", OpFamily::Activation}, {"prelu", OpFamily::Activation}, {"erf", OpFamily::Activation},
    {"activation", OpFamily::Activation}, {"log_softmax", OpFamily::Activation},
    {"add", OpFamily::Elementwise}, {"sub", OpFamily::Elementwise}, {"mul", OpFamily::Elementwise},
    {"real_div", OpFamily::Elementwise}, {"floor_div", OpFamily::Elementwise}, {"pow", OpFamily::Elementwise},
    {"maximum", OpFamily::Elementwise}, {"minimum", OpFamily::Elementwise}, {"sqrt", OpFamily::Elementwise},
    {"rsqrt", OpFamily::Elementwise}, {"exp", OpFamily::Elementwise}, {"log", OpFamily::Elementwise},
    {"abs", OpFamily::Elementwise}, {"clip", OpFamily::Elementwise}, {"cast", OpFamily::Elementwise},
    {"select", OpFamily::Elementwise}, {"equal", OpFamily::Elementwise}, {"less", OpFamily::Elementwise},
    {"greater", OpFamily::Elementwise}, {"square", OpFamily::Elementwise}, {"inverse", OpFamily::Elementwise},
    {"multiply", OpFamily::Elementwise}, {"unary", OpFamily::Elementwise}, {"scale", OpFamily::Elementwise},
    {"bias", OpFamily::Elementwise}, {"addBroadcastable", OpFamily::Elementwise}, {"multiplyBroadcastable", OpFamily::Elementwise},
    {"layer_norm", OpFamily::Normalization}, {"batch_norm", OpFamily::Normalization}, {"instance_norm", OpFamily::Normalization},
    {"l2_norm", OpFamily::Normalization}, {"local_response_norm", OpFamily::Normalization}, {"batchnorm", OpFamily::Normalization},
    {"mvn", OpFamily::Normalization}, {"l2normalize", OpFamily::Normalization}, {"layerNormalization", OpFamily::Normalization},
    {"avg_pool", OpFamily::Pooling}, {"max_pool", OpFamily::Pooling}, {"l2_pool", OpFamily::Pooling}, {"pooling", OpFamily::Pooling},
    {"reshape", OpFamily::Shape}, {"transpose", OpFamily::Shape}, {"concat", OpFamily::Shape}, {"split", OpFamily::Shape},
    {"squeeze", OpFamily::Shape}, {"expand_dims", OpFamily::Shape}, {"gather", OpFamily::Shape}, {"gather_nd", OpFamily::Shape},
    {"gather_along_axis", OpFamily::Shape}, {"tile", OpFamily::Shape}, {"pad", OpFamily::Shape}, {"flatten", OpFamily::Shape},
    {"flatten2d", OpFamily::Shape}, {"stack", OpFamily::Shape}, {"shape", OpFamily::Shape}, {"upsample_nearest_neighbor", OpFamily::Shape},
    {"upsample_bilinear", OpFamily::Shape}, {"pixel_shuffle", OpFamily::Shape}, {"permute", OpFamily::Shape},
    {"upsample", OpFamily::Shape}, {"softmaxND", OpFamily::Activation}, {"squeezeLayer", OpFamily::Shape},
    {"quantize", OpFamily::Quantization}, {"dequantize", OpFamily::Quantization},
    {"const", OpFamily::Constant}, {"loadConstant", OpFamily::Constant}, {"loadConstantND", OpFamily::Constant},
    {"cond", OpFamily::ControlFlow}, {"while_loop", OpFamily::ControlFlow}, {"identity", OpFamily::ControlFlow},
    {"read_state", OpFamily::State}, {"write_state", OpFamily::State}, {"coreml_update_state", OpFamily::State},
};
constexpr Entry kPrefixes[] = {
    {"constexpr_", OpFamily::Quantization}, {"reduce", OpFamily::Reduction}, {"slice", OpFamily::Shape},
    {"scatter", OpFamily::Shape}, {"resize", OpFamily::Shape}, {"crop", OpFamily::Shape}, {"reshape", OpFamily::Shape},
    {"concat", OpFamily::Shape}, {"split", OpFamily::Shape}, {"pool", OpFamily::Pooling}, {"conv", OpFamily::Convolution},
};

}  // namespace

OpFamily op_family(std::string_view type) {
  for (const auto& e : kTypes)
    if (e.type == type) return e.family;
  for (const auto& e : kPrefixes)
    if (type.substr(0, e.type.size()) == e.type) return e.family;
  return OpFamily::Other;
}

std::string_view op_family_name(OpFamily f) {
  static constexpr std::array<std::string_view, kOpFamilyCount> kNames = {
      "convolution", "matmul / linear", "activation", "elementwise", "normalization", "reduction", "pooling", "shape / data movement",
      "quantization", "constant", "control flow", "state", "input", "output", "other"};
  return kNames[static_cast<size_t>(f)];
}

}  // namespace mlscope::layout
