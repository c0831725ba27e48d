// NeuralNetwork (pre-ML-program) layers. Layer parameters arrive as op attributes named after
// the protobuf fields (core/format/protobuf/nn_to_ir.cpp); conv / pooling / softmax / linear
// math is delegated to the MIL kernels through a context that maps the layer's parameters to
// MIL parameter names. Tensors are [..., C, H, W] (the NN spec's rank-5 blobs minus unit dims).
#include <cmath>
#include <map>

#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"
#include "core/exec/kernels/recurrent.h"
#include "core/ir/nn_lstm_shape.h"
#include "core/weights/nn_weights.h"

namespace mlscope::exec {

namespace {

// Forwards to the layer's context but answers input/parameter queries from `params`.
class Mapped final : public KernelContext {
 public:
  Mapped(KernelContext& base, std::map<std::string, RunValue> params) : base_(base), params_(std::move(params)) {}
  const ir::Op& op() const override { return base_.op(); }
  const ir::Function& function() const override { return base_.function(); }
  const OpNumerics& numerics() const override { return base_.numerics(); }
  const std::string& file() const override { return base_.file(); }
  bool has(const std::string& name) const override { return params_.count(name) != 0; }
  const RunValue& value(const std::string& name, size_t) const override {
    auto it = params_.find(name);
    if (it == params_.end()) fail("missing parameter '" + name + "'");
    return it->second;
  }
  size_t count(const std::string& name) const override { return params_.count(name); }
  ir::Type declared(const std::string&, size_t) const override { return {}; }
  void set_output(size_t index, RunValue v) override { base_.set_output(index, std::move(v)); }
  size_t output_count() const override { return base_.output_count(); }
  ir::Type output_type(size_t) const override { return {}; }
  std::vector<RunValue> run_block(size_t i, const std::vector<RunValue>& in) override { return base_.run_block(i, in); }
  Tensor& state(const std::string& n) override { return base_.state(n); }
  void warn(const std::string& m) override { base_.warn(m); }
  std::optional<Tensor> attr(const std::string&) const override { return std::nullopt; }

 private:
  KernelContext& base_;
  std::map<std::string, RunValue> params_;
};

Tensor ints(std::vector<int64_t> v) {
  const int64_t n = int64_t(v.size());  // before the move: argument order is unspecified
  return Tensor::from_ints(ir::DType::Int32, {n}, std::move(v));
}
Tensor str(const std::string& s) { return Tensor::from_strings({}, {s}); }
Tensor fl(const Tensor& t) { return t.is_float() ? t : t.cast_to(ir::DType::Float32); }

int64_t attr_int(const KernelContext& c, const std::string& n, int64_t fallback) {
  auto a = c.attr(n);
  return a && a->size() ? int64_t(a->at(0)) : fallback;
}
double attr_float(const KernelContext& c, const std::string& n, double fallback) {
  auto a = c.attr(n);
  return a && a->size() ? a->at(0) : fallback;
}
std::vector<int64_t> attr_ints(const KernelContext& c, const std::string& n, std::vector<int64_t> fallback) {
  auto a = c.attr(n);
  if (!a) return fallback;
  std::vector<int64_t> v;
  for (uint64_t i = 0; i < a->size(); ++i) v.push_back(int64_t(a->at(i)));
  return v;
}
// WeightParams attribute `n` as dense values (plain or quantized: core/weights/nn_weights.h).
// Its errors are mlscope::Errors at this layer, as c.fail would raise them.
Tensor weight(const KernelContext& c, const std::string& n, Dims shape) {
  weights::DenseTensor d = weights::nn_layer_weight(c.op(), n, ir::Shape(shape), c.file());
  return Tensor::from_floats(d.dtype, std::move(shape), std::move(d.values));
}
// A weight in the layout its layer parameters give it (the same layouts the weight diff uses).
Tensor layer_weight(const KernelContext& c, const std::string& n) {
  auto shape = weights::nn_weight_shape(c.op(), n);
  if (!shape) c.fail("weights '" + n + "': no layout from the layer parameters");
  return weight(c, n, shape->dims);
}

// [..., C, H, W] -> [N, C, H, W] view (leading dims folded into N; lower ranks padded).
Tensor as_nchw(const Tensor& x) {
  Dims s = x.shape();
  while (s.size() < 3) s.insert(s.begin(), 1);
  int64_t n = 1;
  for (size_t i = 0; i + 3 < s.size(); ++i) n *= s[i];
  return x.reshaped({n, s[s.size() - 3], s[s.size() - 2], s[s.size() - 1]});
}
Dims restore(const Tensor& x, const Dims& nchw) {
  Dims s = x.shape();
  if (s.size() < 4) return Dims(nchw.end() - int64_t(std::max<size_t>(s.size(), 3)), nchw.end());
  Dims out(s.begin(), s.end() - 3);
  out.insert(out.end(), nchw.end() - 3, nchw.end());
  return out;
}

KernelFn mil(const char* type) {
  KernelFn k = find_kernel(type);
  return k;
}

// Runs MIL kernel `type` with `params` and returns its first output.
Tensor via(KernelContext& ctx, const char* type, std::map<std::string, RunValue> params) {
  struct Capture final : KernelContext {
    Capture(KernelContext& b, std::map<std::string, RunValue> p) : inner(b, std::move(p)) {}
    Mapped inner;
    RunValue out;
    const ir::Op& op() const override { return inner.op(); }
    const ir::Function& function() const override { return inner.function(); }
    const OpNumerics& numerics() const override { return inner.numerics(); }
    const std::string& file() const override { return inner.file(); }
    bool has(const std::string& n) const override { return inner.has(n); }
    const RunValue& value(const std::string& n, size_t i) const override { return inner.value(n, i); }
    size_t count(const std::string& n) const override { return inner.count(n); }
    ir::Type declared(const std::string& n, size_t i) const override { return inner.declared(n, i); }
    void set_output(size_t i, RunValue v) override { if (i == 0) out = std::move(v); }
    size_t output_count() const override { return 1; }
    ir::Type output_type(size_t) const override { return {}; }
    std::vector<RunValue> run_block(size_t i, const std::vector<RunValue>& in) override { return inner.run_block(i, in); }
    Tensor& state(const std::string& n) override { return inner.state(n); }
    void warn(const std::string& m) override { inner.warn(m); }
    std::optional<Tensor> attr(const std::string&) const override { return std::nullopt; }
  } cap(ctx, std::move(params));
  mil(type)(cap);
  return std::get<Tensor>(cap.out);
}

const Tensor& nn_in(const KernelContext& c, size_t i = 0) { return c.tensor("input", i); }

void nn_convolution(KernelContext& c) {
  const Tensor x = fl(nn_in(c));
  const Tensor x4 = as_nchw(x);
  const int64_t O = attr_int(c, "outputChannels", 0), groups = std::max<int64_t>(1, attr_int(c, "nGroups", 1));
  auto k = attr_ints(c, "kernelSize", {3, 3}), st = attr_ints(c, "stride", {1, 1}), dil = attr_ints(c, "dilationFactor", {1, 1});
  const bool deconv = attr_int(c, "isDeconvolution", 0) != 0;
  // Deconvolution weights are [C_in, outputChannels / nGroups, kH, kW] (NeuralNetwork.proto),
  // the layout of MIL conv_transpose; padding amounts crop the output, "same" gives in * stride.
  if (deconv && O % groups) c.fail("outputChannels " + std::to_string(O) + " not divisible by nGroups " + std::to_string(groups));
  // A deconvolution's C_in comes from the input it runs on (kernelChannels in a valid model).
  Tensor w = deconv ? weight(c, "weights", {x4.shape()[1], O / groups, k[0], k[1]}) : layer_weight(c, "weights");
  std::map<std::string, RunValue> p = {{"x", x4}, {"weight", w}, {"strides", ints(st)}, {"dilations", ints(dil)}, {"groups", Tensor::scalar_int(groups)}};
  if (deconv) {
    auto os = attr_ints(c, "outputShape", {});
    if (!os.empty()) {
      if (os.size() != 2) c.fail("outputShape must hold [height, width]");
      p["output_shape"] = ints({x4.shape()[0], O, os[0], os[1]});
    }
  }
  if (c.attr("same") || c.attr("same.asymmetryMode")) {
    p["pad_type"] = str(attr_int(c, "same.asymmetryMode", 0) == 1 ? "same_lower" : "same");
  } else {
    std::vector<int64_t> pad(4, 0);
    for (int i = 0; i < 2; ++i) {
      pad[size_t(2 * i)] = attr_int(c, "valid.paddingAmounts.borderAmounts." + std::to_string(i) + ".startEdgeSize", 0);
      pad[size_t(2 * i + 1)] = attr_int(c, "valid.paddingAmounts.borderAmounts." + std::to_string(i) + ".endEdgeSize", 0);
    }
    p["pad_type"] = str("custom");
    p["pad"] = ints(pad);
  }
  if (attr_int(c, "hasBias", 0)) p["bias"] = layer_weight(c, "bias");
  Tensor y = via(c, deconv ? "conv_transpose" : "conv", p);
  c.set(y.reshaped(restore(x, y.shape())));
}

void nn_inner_product(KernelContext& c) {
  const Tensor x = fl(nn_in(c));
  const int64_t in = attr_int(c, "inputChannels", 0), out = attr_int(c, "outputChannels", 0);
  // Rank >= 3 NN blobs: the product runs over C*H*W of each batch item.
  Dims lead = x.shape();
  uint64_t tail = 1;
  while (!lead.empty() && tail < uint64_t(in)) { tail *= uint64_t(lead.back()); lead.pop_back(); }
  if (tail != uint64_t(in)) c.fail("input " + dims_str(x.shape()) + " does not end in " + std::to_string(in) + " features");
  Dims flat = lead;
  flat.push_back(in);
  std::map<std::string, RunValue> p = {{"x", x.reshaped(flat)}, {"weight", layer_weight(c, "weights")}};
  if (attr_int(c, "hasBias", 0)) p["bias"] = layer_weight(c, "bias");
  Tensor y = via(c, "linear", p);
  Dims os = lead;
  os.push_back(out);
  if (x.rank() >= 3) { os.push_back(1); os.push_back(1); }
  c.set(y.reshaped(os));
}

void nn_activation(KernelContext& c) {
  const Tensor x = fl(nn_in(c));
  std::map<std::string, RunValue> p = {{"x", x}};
  auto ab = [&](const std::string& k, const char* a, const char* b) {
    p["alpha"] = Tensor::scalar_float(float(attr_float(c, k + ".alpha", 0)));
    if (b) p["beta"] = Tensor::scalar_float(float(attr_float(c, k + ".beta", 0)));
    (void)a;
  };
  const char* type = nullptr;
  if (c.attr("ReLU")) type = "relu";
  else if (c.attr("sigmoid")) type = "sigmoid";
  else if (c.attr("tanh")) type = "tanh";
  else if (c.attr("softsign")) type = "softsign";
  else if (c.attr("softplus")) type = "softplus";
  else if (c.attr("leakyReLU") || c.attr("leakyReLU.alpha")) { type = "leaky_relu"; ab("leakyReLU", "alpha", nullptr); }
  else if (c.attr("linear") || c.attr("linear.alpha") || c.attr("linear.beta")) { type = "linear_activation"; ab("linear", "alpha", "beta"); }
  else if (c.attr("ELU") || c.attr("ELU.alpha")) { type = "elu"; ab("ELU", "alpha", nullptr); }
  else if (c.attr("scaledTanh.alpha") || c.attr("scaledTanh")) { type = "scaled_tanh"; ab("scaledTanh", "alpha", "beta"); }
  else if (c.attr("sigmoidHard.alpha") || c.attr("sigmoidHard")) { type = "sigmoid_hard"; ab("sigmoidHard", "alpha", "beta"); }
  else if (c.attr("thresholdedReLU.alpha") || c.attr("thresholdedReLU")) { type = "thresholded_relu"; ab("thresholdedReLU", "alpha", nullptr); }
  else if (c.attr("PReLU.alpha")) {
    const Tensor x4 = as_nchw(x);
    Tensor y = via(c, "prelu", {{"x", x4}, {"alpha", fl(*c.attr("PReLU.alpha"))}});
    c.set(y.reshaped(x.shape()));
    return;
  }
  if (!type) c.fail("unsupported activation kind");
  c.set(via(c, type, p));
}

void nn_pooling(KernelContext& c) {
  const Tensor x = fl(nn_in(c));
  const Tensor x4 = as_nchw(x);
  const int64_t type = attr_int(c, "type", 0);  // 0 MAX, 1 AVERAGE, 2 L2
  const char* k = type == 0 ? "max_pool" : type == 1 ? "avg_pool" : "l2_pool";
  std::vector<int64_t> ks = attr_ints(c, "kernelSize", {1, 1}), st = attr_ints(c, "stride", {1, 1});
  std::map<std::string, RunValue> p = {{"x", x4}};
  if (attr_int(c, "globalPooling", 0)) {
    ks = {x4.shape()[2], x4.shape()[3]};
    st = {1, 1};
  }
  p["kernel_sizes"] = ints(ks);
  p["strides"] = ints(st);
  p["exclude_padding_from_average"] = Tensor::scalar_int(attr_int(c, "avgPoolExcludePadding", 0), ir::DType::Bool);
  if (c.attr("same") || c.attr("same.asymmetryMode")) {
    p["pad_type"] = str("same");
  } else if (c.attr("includeLastPixel") || c.attr("includeLastPixel.paddingAmounts")) {
    auto pa = attr_ints(c, "includeLastPixel.paddingAmounts", {0, 0});
    p["pad_type"] = str("custom");
    p["pad"] = ints({pa[0], pa[0], pa.size() > 1 ? pa[1] : 0, pa.size() > 1 ? pa[1] : 0});
    p["ceil_mode"] = Tensor::scalar_int(1, ir::DType::Bool);
  } else {
    std::vector<int64_t> pad(4, 0);
    for (int i = 0; i < 2; ++i) {
      pad[size_t(2 * i)] = attr_int(c, "valid.paddingAmounts.borderAmounts." + std::to_string(i) + ".startEdgeSize", 0);
      pad[size_t(2 * i + 1)] = attr_int(c, "valid.paddingAmounts.borderAmounts." + std::to_string(i) + ".endEdgeSize", 0);
    }
    p["pad_type"] = str("custom");
    p["pad"] = ints(pad);
  }
  Tensor y = via(c, k, p);
  c.set(y.reshaped(restore(x, y.shape())));
}

void nn_batchnorm(KernelContext& c) {
  const Tensor x = fl(nn_in(c));
  const int64_t C = attr_int(c, "channels", 0);
  const Tensor x4 = as_nchw(x);
  if (x4.shape()[1] != C) c.fail("input has " + std::to_string(x4.shape()[1]) + " channels, layer expects " + std::to_string(C));
  std::map<std::string, RunValue> p = {{"x", x4}, {"gamma", layer_weight(c, "gamma")}, {"beta", layer_weight(c, "beta")},
                                       {"epsilon", Tensor::scalar_float(float(attr_float(c, "epsilon", 1e-5)))}};
  const bool instance = attr_int(c, "instanceNormalization", 0) || attr_int(c, "computeMeanVar", 0);
  if (!instance) {
    p["mean"] = layer_weight(c, "mean");
    p["variance"] = layer_weight(c, "variance");
  }
  Tensor y = via(c, instance ? "instance_norm" : "batch_norm", p);
  c.set(y.reshaped(x.shape()));
}

void nn_softmax(KernelContext& c) {  // along the channel axis (-3)
  const Tensor x = fl(nn_in(c));
  c.set(softmax_along(c, x, x.rank() >= 3 ? -3 : -1, ir::DType::Float32));
}
void nn_softmax_nd(KernelContext& c) {
  const Tensor x = fl(nn_in(c));
  c.set(softmax_along(c, x, attr_int(c, "axis", -1), ir::DType::Float32));
}

void nn_reshape_static(KernelContext& c) {
  auto s = attr_ints(c, "targetShape", {});
  const Tensor& x = nn_in(c);
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == -1) infer = int64_t(i);
    else known *= s[i];
  }
  if (infer >= 0 && known > 0) s[size_t(infer)] = int64_t(x.size()) / known;
  c.set(x.reshaped(s));
}

void nn_flatten(KernelContext& c) {
  const Tensor& x = nn_in(c);
  const Tensor x4 = as_nchw(x);
  Tensor src = x4;
  if (attr_int(c, "mode", 0) == 1) {  // CHANNEL_LAST: flatten in H, W, C order
    Dims out;
    src = take(x4, {x4.shape()[0], x4.shape()[2], x4.shape()[3], x4.shape()[1]}, permute_index(x4.shape(), {0, 2, 3, 1}, out));
  }
  Dims lead(x.shape().begin(), x.shape().end() - std::min<int64_t>(3, int64_t(x.rank())));
  lead.push_back(x4.shape()[1] * x4.shape()[2] * x4.shape()[3]);
  lead.push_back(1);
  lead.push_back(1);
  c.set(src.reshaped(lead));
}

void nn_elementwise(KernelContext& c, bool mul) {
  Tensor acc = fl(nn_in(c, 0));
  for (size_t i = 1; i < c.count("input"); ++i) acc = via(c, mul ? "mul" : "add", {{"x", acc}, {"y", fl(nn_in(c, i))}});
  if (c.count("input") == 1 || c.attr("alpha")) acc = via(c, mul ? "mul" : "add", {{"x", acc}, {"y", Tensor::scalar_float(float(attr_float(c, "alpha", mul ? 1 : 0)))}});
  c.set(acc);
}
void nn_add(KernelContext& c) { nn_elementwise(c, false); }
void nn_multiply(KernelContext& c) { nn_elementwise(c, true); }

void nn_concat(KernelContext& c) {
  std::vector<Tensor> parts;
  for (size_t i = 0; i < c.count("input"); ++i) parts.push_back(fl(nn_in(c, i)));
  c.set(concat_along(c, parts, parts[0].rank() >= 3 ? -3 : -1));
}

void nn_unary(KernelContext& c) {
  const Tensor x = fl(nn_in(c));
  const int64_t type = attr_int(c, "type", 0);
  const float alpha = float(attr_float(c, "alpha", 1)), eps = float(attr_float(c, "epsilon", 1e-6));
  const float shift = float(attr_float(c, "shift", 0)), scale = float(attr_float(c, "scale", 1));
  std::vector<float> y(x.size());
  for (size_t i = 0; i < y.size(); ++i) {
    const float v = scale * x.floats()[i] + shift;
    switch (type) {
      case 0: y[i] = std::sqrt(v); break;
      case 1: y[i] = 1 / std::sqrt(v + eps); break;
      case 2: y[i] = 1 / (v + eps); break;
      case 3: y[i] = std::pow(v, alpha); break;
      case 4: y[i] = std::exp(v); break;
      case 5: y[i] = std::log(v + eps); break;
      case 6: y[i] = std::fabs(v); break;
      case 7: y[i] = std::max(v, alpha); break;
      default: c.fail("unknown unary type " + std::to_string(type));
    }
  }
  c.set(Tensor::from_floats(ir::DType::Float32, x.shape(), std::move(y)));
}

void nn_upsample(KernelContext& c) {
  const Tensor x = fl(nn_in(c));
  const Tensor x4 = as_nchw(x);
  auto f = attr_ints(c, "scalingFactor", {1, 1});
  const bool bilinear = attr_int(c, "mode", 0) == 1;
  Tensor y = via(c, bilinear ? "upsample_bilinear" : "upsample_nearest_neighbor",
                 {{"x", x4}, {"scale_factor_height", Tensor::scalar_float(float(f[0]))}, {"scale_factor_width", Tensor::scalar_float(float(f.size() > 1 ? f[1] : f[0]))},
                  {"align_corners", Tensor::scalar_int(0, ir::DType::Bool)}});
  c.set(y.reshaped(restore(x, y.shape())));
}

void nn_load_constant(KernelContext& c) {
  auto s = attr_ints(c, "shape", {});
  c.set(weight(c, "data", s));
}

void nn_embedding(KernelContext& c) {
  const Tensor& ids = nn_in(c);
  const int64_t in = attr_int(c, "inputDim", 0), out = attr_int(c, "outputChannels", 0);
  const Tensor w = layer_weight(c, "weights");  // [outputChannels, inputDim]
  std::vector<float> y(ids.size() * uint64_t(out));
  for (uint64_t i = 0; i < ids.size(); ++i) {
    const int64_t id = int64_t(ids.at(i));
    if (id < 0 || id >= in) c.fail("index " + std::to_string(id) + " out of range [0, " + std::to_string(in) + ")");
    for (int64_t o = 0; o < out; ++o) y[i * uint64_t(out) + uint64_t(o)] = w.floats()[size_t(o * in + id)];
  }
  if (attr_int(c, "hasBias", 0)) {
    const Tensor b = layer_weight(c, "bias");
    for (uint64_t i = 0; i < ids.size(); ++i)
      for (int64_t o = 0; o < out; ++o) y[i * uint64_t(out) + uint64_t(o)] += b.floats()[size_t(o)];
  }
  c.set(Tensor::from_floats(ir::DType::Float32, {int64_t(ids.size()), out, 1, 1}, std::move(y)));
}

void nn_permute(KernelContext& c) {  // axis permutes [Seq, C, H, W]
  const Tensor& x = nn_in(c);
  auto axes = attr_ints(c, "axis", {0, 1, 2, 3});
  Dims s = x.shape();
  while (s.size() < 4) s.insert(s.begin(), 1);
  if (s.size() != 4 || axes.size() != 4) c.fail("permute supports rank <= 4 blobs");
  Dims out;
  auto idx = permute_index(s, axes, out);
  c.set(take(x.reshaped(s), out, idx));
}

// TransposeLayerParams: no axes = reverse the axes (like numpy.transpose); otherwise a
// permutation of the input's rank.
void nn_transpose(KernelContext& c) {
  const Tensor& x = nn_in(c);
  std::vector<int64_t> axes = attr_ints(c, "axes", {});
  const int64_t r = int64_t(x.rank());
  if (axes.empty())
    for (int64_t i = r - 1; i >= 0; --i) axes.push_back(i);
  std::vector<bool> seen(size_t(r), false);
  if (int64_t(axes.size()) != r) c.fail("transpose axes " + dims_str(axes) + " do not match the input rank " + std::to_string(r));
  for (int64_t a : axes) {
    if (a < 0 || a >= r || seen[size_t(a)]) c.fail("transpose axes " + dims_str(axes) + " are not a permutation of 0.." + std::to_string(r - 1));
    seen[size_t(a)] = true;
  }
  Dims out;
  auto idx = permute_index(x.shape(), axes, out);
  c.set(take(x, out, idx));
}

// --- LSTM layers (NeuralNetwork.proto LSTMParams / UniDirectionalLSTMLayerParams / BiDirectionalLSTMLayerParams)

// Sequence layout of an LSTM input: the spec's rank-5 [Seq, Batch, C, H, W] with C*H*W =
// inputVectorSize, or that blob minus leading unit dimensions: rank 4 [Batch, C, H, W], rank 3
// [C, H, W], rank 1 [C]; rank 2 is read as [Seq, C]. Shared in spirit with nn_shape_inference.cpp.
struct LstmLayout {
  int64_t seq = 1, batch = 1;
};

LstmLayout lstm_layout(const KernelContext& c, const Dims& s, int64_t I) {
  const size_t r = s.size();
  if (r == 0 || r > 5) c.fail("input " + dims_str(s) + " is not a sequence blob [Seq, Batch, " + std::to_string(I) + ", 1, 1]");
  const int64_t features = r >= 3 ? s[r - 3] * s[r - 2] * s[r - 1] : s[r - 1];
  if (features != I)
    c.fail("input " + dims_str(s) + " holds " + std::to_string(features) + " features per step, inputVectorSize is " + std::to_string(I));
  LstmLayout l;
  if (r == 5) {
    l.seq = s[0];
    l.batch = s[1];
  } else if (r == 4) {
    l.batch = s[0];
  } else if (r == 2) {
    l.seq = s[0];
  }
  return l;
}

// An LSTM output ([seq, B, width, 1, 1] in the spec) in the rank of its input x.
Dims lstm_out_shape(const Dims& x, int64_t seq, int64_t batch, int64_t width) {
  return ir::nn_lstm_output_dims(x.size(), seq, batch, width);
}

// Activations `field.<i>.<kind>[.alpha|.beta]` (ActivationParams): [f(), g(), h()], default
// [sigmoid, tanh, tanh]. Recurrent layers are written with parameterless activation messages
// (coremltools' builder), so an all-zero linear / sigmoidHard / scaledTanh means the spec's
// values for recurrent layers: identity, (0.2, 0.5) and (1.71, 2/3).
std::vector<RecurrentActivation> lstm_activations(const KernelContext& c, const std::string& field) {
  using A = RecurrentActivation;
  std::map<int64_t, std::string> kinds;
  const std::string prefix = field + ".";
  for (const auto& a : c.op().attributes) {
    if (a.name.rfind(prefix, 0) != 0) continue;
    const std::string rest = a.name.substr(prefix.size());
    const size_t dot = rest.find('.');
    int64_t index = -1;
    try {
      index = std::stoll(rest.substr(0, dot));
    } catch (const std::exception&) {
    }
    if (dot == std::string::npos || index < 0) c.fail("activation attribute '" + a.name + "' names no activation kind");
    kinds[index] = rest.substr(dot + 1, rest.find('.', dot + 1) - dot - 1);
  }
  if (kinds.empty()) return {A::sigmoid(), A::tanh(), A::tanh()};
  if (kinds.size() != 3 || kinds.begin()->first != 0 || kinds.rbegin()->first != 2)
    c.fail(field + " holds " + std::to_string(kinds.size()) + " activations; an LSTM takes 3 [f(), g(), h()]");
  std::vector<A> out;
  for (const auto& [i, kind] : kinds) {
    const std::string at = prefix + std::to_string(i) + "." + kind;
    const float alpha = float(attr_float(c, at + ".alpha", 0)), beta = float(attr_float(c, at + ".beta", 0));
    const bool unset = alpha == 0 && beta == 0;
    if (kind == "sigmoid") out.push_back(A::sigmoid());
    else if (kind == "tanh") out.push_back(A::tanh());
    else if (kind == "ReLU") out.push_back({A::Kind::Relu, 1, 0});
    else if (kind == "linear") out.push_back(unset ? A{A::Kind::Linear, 1, 0} : A{A::Kind::Linear, alpha, beta});
    else if (kind == "sigmoidHard") out.push_back(unset ? A{A::Kind::SigmoidHard, 0.2f, 0.5f} : A{A::Kind::SigmoidHard, alpha, beta});
    else if (kind == "scaledTanh") out.push_back(unset ? A{A::Kind::ScaledTanh, 1.71f, 2.0f / 3.0f} : A{A::Kind::ScaledTanh, alpha, beta});
    else
      c.fail("activation '" + kind + "' (" + field + "." + std::to_string(i) +
             ") is not supported in an LSTM; supported: sigmoid, tanh, ReLU, linear, sigmoidHard, scaledTanh");
  }
  return out;
}

struct LstmFlags {
  bool sequence_output = false, has_bias = false, forget_bias = false, has_peephole = false, coupled = false;
  float cell_clip = 50;
};

LstmFlags lstm_flags(const KernelContext& c) {
  LstmFlags f;
  f.sequence_output = attr_int(c, "params.sequenceOutput", 0) != 0;
  f.has_bias = attr_int(c, "params.hasBiasVectors", 0) != 0;
  f.forget_bias = attr_int(c, "params.forgetBias", 0) != 0;
  f.has_peephole = attr_int(c, "params.hasPeepholeVectors", 0) != 0;
  f.coupled = attr_int(c, "params.coupledInputAndForgetGate", 0) != 0;
  const double clip = attr_float(c, "params.cellClipThreshold", 0);
  if (clip < 0) c.fail("params.cellClipThreshold " + std::to_string(clip) + " is negative");
  f.cell_clip = clip == 0 ? 50.0f : float(clip);  // 0 means the spec's default
  return f;
}

// One direction's LSTMWeightParams (attributes `<p>.<gate>WeightMatrix` ...) packed into the
// MIL layout of lstm_direction: gates stacked i, f, o, z (z = blockInput).
struct PackedLstm {
  std::vector<float> w_ih, w_hh, bias, peephole;
  LstmWeights view() const {
    return {w_ih.data(), w_hh.data(), bias.empty() ? nullptr : bias.data(), peephole.empty() ? nullptr : peephole.data()};
  }
};

PackedLstm pack_lstm_weights(const KernelContext& c, const std::string& p, int64_t I, int64_t H, const LstmFlags& f) {
  static const char* const gates[4] = {"inputGate", "forgetGate", "outputGate", "blockInput"};
  PackedLstm w;
  w.w_ih.assign(size_t(4 * H * I), 0.0f);
  w.w_hh.assign(size_t(4 * H * H), 0.0f);
  if (f.has_bias || f.forget_bias) w.bias.assign(size_t(4 * H), 0.0f);
  auto fill = [&](const std::string& name, Dims shape, std::vector<float>& dst, int64_t offset, bool optional) {
    if (optional && !c.attr(name)) return;  // coupled gates: the forget gate's weights are not used
    const Tensor t = weight(c, name, shape);
    std::copy(t.floats().begin(), t.floats().end(), dst.begin() + offset);
  };
  for (int64_t q = 0; q < 4; ++q) {
    const std::string g = p + "." + gates[q];
    const bool unused = f.coupled && q == 1;
    fill(g + "WeightMatrix", {H, I}, w.w_ih, q * H * I, unused);
    fill(g + "RecursionMatrix", {H, H}, w.w_hh, q * H * H, unused);
    if (f.has_bias) fill(g + "BiasVector", {H}, w.bias, q * H, unused);
  }
  if (f.forget_bias)
    for (int64_t k = 0; k < H; ++k) w.bias[size_t(H + k)] += 1.0f;  // a vector of 1s added to b_f
  if (f.has_peephole) {
    w.peephole.assign(size_t(3 * H), 0.0f);
    fill(p + ".inputGatePeepholeVector", {H}, w.peephole, 0, false);
    fill(p + ".forgetGatePeepholeVector", {H}, w.peephole, H, f.coupled);
    fill(p + ".outputGatePeepholeVector", {H}, w.peephole, 2 * H, false);
  }
  return w;
}

// Optional initial state input `index` ([B, H] values in any unit-padded shape), zeros if absent.
std::vector<float> lstm_state(const KernelContext& c, size_t index, int64_t B, int64_t H, const char* what) {
  if (c.count("input") <= index) return std::vector<float>(size_t(B * H), 0.0f);
  const Tensor t = fl(nn_in(c, index));
  if (t.size() != uint64_t(B * H))
    c.fail(std::string(what) + " (input " + std::to_string(index) + ") has shape " + dims_str(t.shape()) + ", expected " +
           std::to_string(B) + " x " + std::to_string(H) + " values (Batch x outputVectorSize)");
  return std::vector<float>(t.floats().begin(), t.floats().end());
}

void lstm_sizes(const KernelContext& c, int64_t& I, int64_t& H) {
  I = attr_int(c, "inputVectorSize", 0);
  H = attr_int(c, "outputVectorSize", 0);
  if (I <= 0 || H <= 0) c.fail("inputVectorSize (" + std::to_string(I) + ") and outputVectorSize (" + std::to_string(H) + ") must be positive");
}

LstmOptions lstm_options(const std::vector<RecurrentActivation>& act, const LstmFlags& f, bool reverse) {
  LstmOptions o;
  o.recurrent = act[0];
  o.cell = act[1];
  o.output = act[2];
  o.gate_clip = 50;  // clip() of the spec's gate equations: [-50, 50]
  o.cell_clip = f.cell_clip;
  o.coupled_input_forget = f.coupled;
  o.reverse = reverse;
  return o;
}

// inputs [x, h_in, c_in] (states optional), outputs [y, h_out, c_out].
// What both LSTM layers start from: sizes, x as floats and its layout, the I/O count checked.
struct LstmCall {
  int64_t I = 0, H = 0;
  Tensor x;
  LstmLayout l;
};
LstmCall lstm_call(KernelContext& c, size_t max_io, const char* io_names) {
  LstmCall k;
  lstm_sizes(c, k.I, k.H);
  k.x = fl(nn_in(c));
  k.l = lstm_layout(c, k.x.shape(), k.I);
  if (c.count("input") > max_io) c.fail("takes at most " + std::to_string(max_io) + " inputs " + io_names + ", has " + std::to_string(c.count("input")));
  if (c.output_count() > max_io)
    c.fail("produces at most " + std::to_string(max_io) + " outputs " + io_names + ", has " + std::to_string(c.output_count()));
  return k;
}

void nn_unidirectional_lstm(KernelContext& c) {
  const auto [I, H, x, l] = lstm_call(c, 3, "(x, h, c)");
  const LstmFlags f = lstm_flags(c);
  const LstmOptions opt = lstm_options(lstm_activations(c, "activations"), f, attr_int(c, "reverseInput", 0) != 0);
  const PackedLstm w = pack_lstm_weights(c, "weightParams", I, H, f);
  std::vector<float> h = lstm_state(c, 1, l.batch, H, "h_in"), cell = lstm_state(c, 2, l.batch, H, "c_in");
  std::vector<float> seq(size_t(l.seq * l.batch * H));
  lstm_direction(c, x.floats().data(), l.seq, l.batch, I, H, w.view(), opt, h.data(), cell.data(), seq.data(), H, 0);
  const Dims state_shape = lstm_out_shape(x.shape(), 1, l.batch, H);
  if (f.sequence_output) c.set(Tensor::from_floats(ir::DType::Float32, lstm_out_shape(x.shape(), l.seq, l.batch, H), std::move(seq)), 0);
  else c.set(Tensor::from_floats(ir::DType::Float32, state_shape, h), 0);
  if (c.output_count() > 1) c.set(Tensor::from_floats(ir::DType::Float32, state_shape, h), 1);
  if (c.output_count() > 2) c.set(Tensor::from_floats(ir::DType::Float32, state_shape, std::move(cell)), 2);
}

// inputs [x, h_f, c_f, h_b, c_b] (states optional), outputs [y, h_f, c_f, h_b, c_b]; y holds
// [forward, backward] along the channel axis, each at the time index of its input.
void nn_bidirectional_lstm(KernelContext& c) {
  const auto [I, H, x, l] = lstm_call(c, 5, "(x, h_f, c_f, h_b, c_b)");
  bool backward_weights = false;
  for (const auto& a : c.op().attributes) backward_weights = backward_weights || a.name.rfind("weightParams.1.", 0) == 0;
  if (!backward_weights) c.fail("needs 2 weightParams (forward, backward); the backward LSTM's weights are missing");
  const LstmFlags f = lstm_flags(c);
  const std::vector<RecurrentActivation> fwd_act = lstm_activations(c, "activationsForwardLSTM");
  bool has_back_act = false;
  for (const auto& a : c.op().attributes) has_back_act = has_back_act || a.name.rfind("activationsBackwardLSTM.", 0) == 0;
  const std::vector<RecurrentActivation> back_act = has_back_act ? lstm_activations(c, "activationsBackwardLSTM") : fwd_act;
  std::vector<float> seq(size_t(l.seq * l.batch * 2 * H));
  const Dims state_shape = lstm_out_shape(x.shape(), 1, l.batch, H);
  std::vector<float> final_h(size_t(l.batch * 2 * H));
  for (int64_t d = 0; d < 2; ++d) {
    const PackedLstm w = pack_lstm_weights(c, "weightParams." + std::to_string(d), I, H, f);
    std::vector<float> h = lstm_state(c, size_t(1 + 2 * d), l.batch, H, d ? "h_b" : "h_f");
    std::vector<float> cell = lstm_state(c, size_t(2 + 2 * d), l.batch, H, d ? "c_b" : "c_f");
    lstm_direction(c, x.floats().data(), l.seq, l.batch, I, H, w.view(), lstm_options(d ? back_act : fwd_act, f, d == 1), h.data(), cell.data(),
                   seq.data(), 2 * H, d * H);
    for (int64_t b = 0; b < l.batch; ++b)
      for (int64_t k = 0; k < H; ++k) final_h[size_t(b * 2 * H + d * H + k)] = h[size_t(b * H + k)];
    if (c.output_count() > size_t(1 + 2 * d)) c.set(Tensor::from_floats(ir::DType::Float32, state_shape, std::move(h)), size_t(1 + 2 * d));
    if (c.output_count() > size_t(2 + 2 * d)) c.set(Tensor::from_floats(ir::DType::Float32, state_shape, std::move(cell)), size_t(2 + 2 * d));
  }
  if (f.sequence_output) c.set(Tensor::from_floats(ir::DType::Float32, lstm_out_shape(x.shape(), l.seq, l.batch, 2 * H), std::move(seq)), 0);
  else c.set(Tensor::from_floats(ir::DType::Float32, lstm_out_shape(x.shape(), 1, l.batch, 2 * H), std::move(final_h)), 0);
}

}  // namespace

void register_nn_kernels() {
  register_kernel("nn.convolution", nn_convolution);
  register_kernel("nn.innerProduct", nn_inner_product);
  register_kernel("nn.activation", nn_activation);
  register_kernel("nn.pooling", nn_pooling);
  register_kernel("nn.batchnorm", nn_batchnorm);
  register_kernel("nn.softmax", nn_softmax);
  register_kernel("nn.softmaxND", nn_softmax_nd);
  register_kernel("nn.reshapeStatic", nn_reshape_static);
  register_kernel("nn.flatten", nn_flatten);
  register_kernel("nn.add", nn_add);
  register_kernel("nn.multiply", nn_multiply);
  register_kernel("nn.concat", nn_concat);
  register_kernel("nn.unary", nn_unary);
  register_kernel("nn.upsample", nn_upsample);
  register_kernel("nn.loadConstant", nn_load_constant);
  register_kernel("nn.embedding", nn_embedding);
  register_kernel("nn.permute", nn_permute);
  register_kernel("nn.transpose", nn_transpose);
  register_kernel("nn.uniDirectionalLSTM", nn_unidirectional_lstm);
  register_kernel("nn.biDirectionalLSTM", nn_bidirectional_lstm);
}

}  // namespace mlscope::exec
