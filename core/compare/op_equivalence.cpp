#include "core/compare/op_equivalence.h"

#include <array>
#include <string_view>
#include <utility>

namespace mlscope::compare {

namespace {

// NeuralNetwork layers whose ML program equivalent does not depend on their parameters.
constexpr std::array<std::pair<std::string_view, std::string_view>, 22> kLayerKinds{{
    {"nn.innerProduct", "linear"},       {"nn.batchnorm", "batch_norm"},    {"nn.softmax", "softmax"},
    {"nn.softmaxND", "softmax"},         {"nn.reshape", "reshape"},         {"nn.reshapeStatic", "reshape"},
    {"nn.flatten", "reshape"},           {"nn.flattenTo2D", "reshape"},     {"nn.concat", "concat"},
    {"nn.concatND", "concat"},           {"nn.addBroadcastable", "add"},    {"nn.add", "add"},
    {"nn.multiplyBroadcastable", "mul"}, {"nn.multiply", "mul"},            {"nn.permute", "transpose"},
    {"nn.transpose", "transpose"},       {"nn.batchedMatmul", "matmul"},    {"nn.lrn", "local_response_norm"},
    {"nn.l2normalize", "l2_norm"},       {"nn.upsample", "upsample_nearest_neighbor"},
    {"nn.embedding", "gather"},          {"nn.squeeze", "squeeze"},
}};

// NeuralNetwork activation layers: the chosen nonlinearity is recorded as an attribute.
constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kActivations{{
    {"ReLU", "relu"}, {"leakyReLU", "leaky_relu"}, {"tanh", "tanh"}, {"sigmoid", "sigmoid"}, {"sigmoidHard", "sigmoid_hard"},
    {"ELU", "elu"}, {"softsign", "softsign"}, {"softplus", "softplus"}, {"PReLU", "prelu"}, {"scaledTanh", "scaled_tanh"},
}};

double scalar_attr(const ir::Op& op, std::string_view name) {
  const ir::Constant* c = op.attribute_value(name);
  return c && c->type.dtype != ir::DType::String && c->element_count() > 0 ? c->element(0) : 0.0;
}

}  // namespace

std::string comparable_op_kind(const ir::Op& op) {
  const std::string& t = op.type;
  if (t.rfind("nn.", 0) != 0) {
    const size_t dot = t.find('.');  // "ios17.conv": the opset does not change what the op computes
    return dot == std::string::npos ? t : t.substr(dot + 1);
  }
  if (t == "nn.convolution") return scalar_attr(op, "isDeconvolution") != 0 ? "conv_transpose" : "conv";
  if (t == "nn.pooling") {
    const double type = scalar_attr(op, "type");  // PoolingLayerParams.type: 0 MAX, 1 AVERAGE, 2 L2
    return type == 1 ? "avg_pool" : type == 2 ? "l2_pool" : "max_pool";
  }
  if (t == "nn.activation")
    for (const auto& [field, kind] : kActivations)
      if (op.attribute(field)) return std::string(kind);
  for (const auto& [layer, kind] : kLayerKinds)
    if (t == layer) return std::string(kind);
  return t;
}

}  // namespace mlscope::compare
