#include "core/weights/nn_weights.h"

#include <algorithm>

#include "core/util/error.h"

namespace mlscope::weights {

namespace {

[[noreturn]] void fail(const ir::Op& op, const std::string& file, const std::string& message) {
  throw Error(Location::at_op(file, op.name), op.type + ": " + message);
}

// Layer parameters are numeric attributes; absent or empty ones take the kernels' defaults.
std::vector<int64_t> attr_ints(const ir::Op& op, const std::string& name, std::vector<int64_t> fallback) {
  const ir::Constant* c = op.attribute_value(name);
  if (!c || !c->is_tensor() || c->dtype() == ir::DType::String) return fallback;
  c->validate(op.name);
  return c->to_ints();
}
int64_t attr_int(const ir::Op& op, const std::string& name, int64_t fallback) {
  std::vector<int64_t> v = attr_ints(op, name, {});
  return v.empty() ? fallback : v.front();
}

std::vector<float> attr_floats(const ir::Op& op, const std::string& name) {
  const ir::Constant* c = op.attribute_value(name);
  if (!c || !c->is_tensor() || c->dtype() == ir::DType::String) return {};
  c->validate(op.name);
  return c->to_floats();
}

// Which output channel element i belongs to, for `size` per-channel parameters: axis 0, or
// axis 1 for the deconvolution layout [C_in, O/groups, kH, kW]; one parameter covers everything.
struct ChannelOf {
  uint64_t inner = 1, size = 1;
  uint64_t operator()(uint64_t i) const { return size <= 1 ? 0 : (i / inner) % size; }
};

ChannelOf channel_axis(const ir::Op& op, const std::string& file, const std::string& n, uint64_t size,
                       const ir::Shape& shape) {
  if (size <= 1) return {};
  const auto& d = shape.dims;
  for (size_t axis = 0; axis < std::min<size_t>(d.size(), 2); ++axis)
    if (static_cast<uint64_t>(d[axis]) == size) {
      ChannelOf c;
      c.size = size;
      for (size_t k = axis + 1; k < d.size(); ++k) c.inner *= static_cast<uint64_t>(d[k]);
      return c;
    }
  fail(op, file, "weights '" + n + "': " + std::to_string(size) + " quantization parameters match no channel axis of " + shape.str());
}

DenseTensor dequantized(const ir::Op& op, const std::string& file, const std::string& n, const ir::Constant& stored,
                        const ir::Shape& shape, uint64_t count) {
  const int64_t bits = attr_int(op, n + ".quantization.bits", 0);
  if (bits < 1 || bits > 8) fail(op, file, "weights '" + n + "': numberOfBits " + std::to_string(bits) + " must be 1..8");
  if (ir::dtype_is_float(stored.dtype())) fail(op, file, "weights '" + n + "': quantization parameters on float weights");
  // Codes are bytes as stored (rawValue unsigned, int8RawValue signed); other integer payloads
  // are widened once.
  stored.validate(op.name);
  const bool bytes_as_stored = stored.dtype() == ir::DType::UInt8 || stored.dtype() == ir::DType::Int8;
  const std::span<const uint8_t> raw = stored.raw();
  const std::vector<int64_t> wide = bytes_as_stored ? std::vector<int64_t>{} : stored.to_ints();
  const uint64_t nbytes = bytes_as_stored ? stored.element_count() : wide.size();
  auto byte_at = [&](uint64_t i) -> int64_t {
    if (!bytes_as_stored) return wide[i];
    return stored.dtype() == ir::DType::Int8 ? static_cast<int8_t>(raw[i]) : raw[i];
  };
  if (nbytes * 8 < count * static_cast<uint64_t>(bits))
    fail(op, file, "weights '" + n + "' hold " + std::to_string(nbytes) + " bytes, " + std::to_string(count) + " codes of " +
                       std::to_string(bits) + " bits need " + std::to_string((count * static_cast<uint64_t>(bits) + 7) / 8));
  auto code = [&](uint64_t i) -> int64_t {
    if (bits == 8) return byte_at(i);
    int64_t v = 0;
    for (int64_t b = 0; b < bits; ++b) {
      const uint64_t bit = i * static_cast<uint64_t>(bits) + static_cast<uint64_t>(b);
      v = (v << 1) | ((byte_at(bit / 8) >> (7 - bit % 8)) & 1);
    }
    return v;
  };
  const ir::Constant* type = op.attribute_value(n + ".quantization.type");
  const std::string kind = type && type->dtype() == ir::DType::String ? type->scalar_string().value_or("") : "";
  DenseTensor out;
  out.dtype = ir::DType::Float32;
  out.shape = shape;
  if (kind == "lookup_table") {
    const std::vector<float> lut = attr_floats(op, n + ".quantization.lut");
    if (lut.size() != (uint64_t{1} << bits))
      fail(op, file, "weights '" + n + "': lookup table needs 2^" + std::to_string(bits) + " values, has " + std::to_string(lut.size()));
    out.values.resize(count);
    for (uint64_t i = 0; i < count; ++i) {
      const int64_t q = code(i);
      if (q < 0 || static_cast<uint64_t>(q) >= lut.size())
        fail(op, file, "weights '" + n + "': code " + std::to_string(q) + " outside the lookup table");
      out.values[i] = lut[static_cast<size_t>(q)];
    }
  } else if (kind == "linear") {
    const std::vector<float> scale = attr_floats(op, n + ".quantization.scale");
    const std::vector<float> bias = attr_floats(op, n + ".quantization.bias");
    if (scale.empty()) fail(op, file, "weights '" + n + "': linear quantization without scale");
    const ChannelOf sk = channel_axis(op, file, n, scale.size(), shape);
    const ChannelOf bk = channel_axis(op, file, n, bias.size(), shape);
    out.values.resize(count);
    for (uint64_t i = 0; i < count; ++i)
      out.values[i] = scale[sk(i)] * static_cast<float>(code(i)) + (bias.empty() ? 0.0f : bias[bk(i)]);
  } else {
    fail(op, file, "weights '" + n + "': quantized with neither linear nor lookup-table parameters");
  }
  return out;
}

}  // namespace

DenseTensor nn_layer_weight(const ir::Op& op, const std::string& name, const ir::Shape& shape, const std::string& file) {
  const ir::Constant* stored = op.attribute_value(name);
  if (!stored) fail(op, file, "missing weights '" + name + "'");
  const auto count = shape.element_count();
  if (!count) fail(op, file, "weights '" + name + "': shape " + shape.str() + " is not static");
  if (op.attribute_value(name + ".quantization.bits")) return dequantized(op, file, name, *stored, shape, *count);
  stored->validate(op.name);
  DenseTensor out;
  // fp16 / fp64 payloads keep their dtype (the kernels compute on them as such); anything else is fp32.
  out.dtype = stored->dtype() == ir::DType::Float16 || stored->dtype() == ir::DType::Float64 ? stored->dtype() : ir::DType::Float32;
  out.shape = shape;
  out.values = stored->to_floats();
  if (out.values.size() != *count)
    fail(op, file, "weights '" + name + "' hold " + std::to_string(out.values.size()) + " values, expected " + shape.str());
  return out;
}

std::optional<ir::Shape> nn_weight_shape(const ir::Op& op, const std::string& name) {
  if (op.dialect != ir::Dialect::NeuralNetwork) return std::nullopt;
  const std::string& t = op.type;
  if (t == "convolution") {
    const int64_t O = attr_int(op, "outputChannels", 0), kc = attr_int(op, "kernelChannels", 0);
    const int64_t groups = std::max<int64_t>(1, attr_int(op, "nGroups", 1));
    const std::vector<int64_t> k = attr_ints(op, "kernelSize", {3, 3});
    if (name == "bias") return ir::Shape{O};
    if (name != "weights" || k.size() != 2) return std::nullopt;
    if (attr_int(op, "isDeconvolution", 0) == 0) return ir::Shape{O, kc, k[0], k[1]};
    if (O % groups != 0) return std::nullopt;
    return ir::Shape{kc, O / groups, k[0], k[1]};
  }
  if (t == "innerProduct" || t == "embedding") {
    const int64_t out = attr_int(op, "outputChannels", 0), in = attr_int(op, t == "embedding" ? "inputDim" : "inputChannels", 0);
    if (name == "weights") return ir::Shape{out, in};
    if (name == "bias") return ir::Shape{out};
    return std::nullopt;
  }
  if (t == "batchnorm") {
    if (name == "gamma" || name == "beta" || name == "mean" || name == "variance") return ir::Shape{attr_int(op, "channels", 0)};
    return std::nullopt;
  }
  if (t == "loadConstant" && name == "data") return ir::Shape(attr_ints(op, "shape", {}));
  return std::nullopt;
}

std::vector<std::string> nn_weight_names(const ir::Op& op) {
  if (op.dialect != ir::Dialect::NeuralNetwork) return {};
  const std::string& t = op.type;
  const bool bias = attr_int(op, "hasBias", 0) != 0;
  if (t == "convolution" || t == "innerProduct" || t == "embedding") {
    if (bias) return {"weights", "bias"};
    return {"weights"};
  }
  if (t == "batchnorm") {
    if (attr_int(op, "instanceNormalization", 0) || attr_int(op, "computeMeanVar", 0)) return {"gamma", "beta"};
    return {"gamma", "beta", "mean", "variance"};
  }
  if (t == "loadConstant") return {"data"};
  return {};
}

}  // namespace mlscope::weights
