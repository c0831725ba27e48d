#include "core/analysis/cost.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <unordered_map>

#include "core/analysis/def_use.h"
#include "core/weights/params.h"
#include "core/ir/nn_lstm_shape.h"

namespace mlscope::analysis {

void CostTotals::add(const OpCost& c) {
  ++ops;
  if (!c.known) ++unknown_ops;
  macs += c.macs;
  flops += c.flops;
  weight_bytes += c.weight_bytes;
  weight_bytes_decompressed += c.weight_bytes_decompressed;
  activation_bytes += c.activation_bytes();
  estimate_seconds += c.estimate_seconds;
}

std::vector<size_t> CostReport::top_ops(size_t n) const {
  std::vector<size_t> idx(ops.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    if (ops[a].estimate_seconds != ops[b].estimate_seconds) return ops[a].estimate_seconds > ops[b].estimate_seconds;
    return ops[a].flops > ops[b].flops;
  });
  if (idx.size() > n) idx.resize(n);
  return idx;
}

namespace {

using Dims = std::vector<int64_t>;

uint64_t prod(const Dims& d) {
  uint64_t p = 1;
  for (int64_t x : d) p *= static_cast<uint64_t>(std::max<int64_t>(x, 0));
  return p;
}

// FLOPs per output element of elementwise ops (a convention, see cost.h).
const std::unordered_map<std::string, uint64_t>& elementwise_factors() {
  static const std::unordered_map<std::string, uint64_t> m = {
      {"add", 1}, {"sub", 1}, {"mul", 1}, {"real_div", 1}, {"floor_div", 1}, {"mod", 1}, {"pow", 1},
      {"maximum", 1}, {"minimum", 1}, {"equal", 1}, {"not_equal", 1}, {"less", 1}, {"less_equal", 1},
      {"greater", 1}, {"greater_equal", 1}, {"logical_and", 1}, {"logical_or", 1}, {"logical_not", 1},
      {"logical_xor", 1}, {"relu", 1}, {"relu6", 2}, {"leaky_relu", 2}, {"prelu", 2}, {"abs", 1},
      {"neg", 1}, {"sign", 1}, {"square", 1}, {"sqrt", 1}, {"rsqrt", 1}, {"inverse", 1}, {"exp", 1},
      {"exp2", 1}, {"log", 1}, {"floor", 1}, {"ceil", 1}, {"round", 1}, {"clip", 2}, {"threshold", 1},
      {"sigmoid", 4}, {"sigmoid_hard", 3}, {"silu", 4}, {"tanh", 4}, {"softplus", 3}, {"softsign", 3},
      {"elu", 3}, {"gelu", 8}, {"erf", 4}, {"sin", 4}, {"cos", 4}, {"tan", 4}, {"atan", 4}, {"atanh", 4},
      {"scaled_tanh", 5}, {"linear_activation", 2}, {"select", 1}, {"clamped_relu", 2},
      {"quantize", 3}, {"dequantize", 2}, {"add_broadcastable", 1}, {"multiply", 1}, {"activation", 1},
      {"unary", 1}, {"bias", 1}, {"scale", 2}, {"add_nn", 1}};
  return m;
}

const std::set<std::string>& reductions() {
  static const std::set<std::string> s = {"reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
                                          "reduce_l1_norm", "reduce_l2_norm", "reduce_log_sum", "reduce_log_sum_exp",
                                          "reduce_sum_square", "reduce_argmax", "reduce_argmin", "cumsum", "reduce"};
  return s;
}

class FunctionCost {
 public:
  FunctionCost(const ir::Function& f, CostReport& r) : f_(f), du_(f), r_(r) {}

  void run() {
    for (ir::OpId o : f_.program_order()) {
      const ir::Op& op = f_.op(o);
      if (op.is_const() || op.is_constexpr()) continue;
      OpCost c;
      c.function = f_.name;
      c.name = op.name;
      c.type = op.dialect == ir::Dialect::NeuralNetwork ? op.qualified_type() : op.type;
      infer_output(o);
      bytes(o, c);
      compute(o, c);
      roofline(c);
      r_.total.add(c);
      r_.per_function[f_.name].add(c);
      r_.by_type[c.type].add(c);
      r_.ops.push_back(std::move(c));
    }
  }

 private:
  std::optional<Dims> dims_of(ir::ValueId v) const {
    if (v == ir::kNone) return std::nullopt;
    if (auto it = inferred_.find(v); it != inferred_.end()) return it->second;
    const ir::Type& t = f_.value(v).type;
    if (!t.is_tensor() || !t.shape.is_static()) return std::nullopt;
    return t.shape.dims;
  }
  std::optional<Dims> param_dims(ir::OpId o, const char* name) const {
    weights::ParamRef p = weights::find_param(f_, o, name);
    if (p.value != ir::kNone) return dims_of(p.value);
    if (p.constant && p.constant->is_tensor() && p.constant->shape().is_static()) return p.constant->shape().dims;
    return std::nullopt;
  }
  std::optional<Dims> out_dims(ir::OpId o, size_t i = 0) const {
    const auto& outs = f_.op(o).outputs;
    return i < outs.size() ? dims_of(outs[i]) : std::nullopt;
  }

  uint64_t tensor_bytes(ir::ValueId v) const {
    const ir::Type& t = f_.value(v).type;
    auto d = dims_of(v);
    if (!t.is_tensor() || !d) return 0;
    return ir::dtype_storage_bytes(t.dtype, prod(*d)).value_or(0);
  }
  bool shape_known(ir::ValueId v) const { return !f_.value(v).type.is_tensor() || dims_of(v).has_value(); }

  // Output shapes the file leaves dynamic but the op determines (conv, elementwise): inferred
  // once, remembered for consumers. Anything else stays unknown.
  void infer_output(ir::OpId o) {
    const ir::Op& op = f_.op(o);
    if (op.outputs.empty() || dims_of(op.outputs[0]) || !f_.value(op.outputs[0]).type.is_tensor()) return;
    std::optional<Dims> out;
    if (op.type == "conv") {
      if (auto w = param_dims(o, "weight"); w && w->size() >= 3) out = infer_conv_output(o, *w);
    } else if (elementwise_factors().count(op.type)) {
      auto x = param_dims(o, "x");
      auto y = param_dims(o, "y");
      if (x && !weights::find_param(f_, o, "y").present()) out = x;
      else if (x && y) out = broadcast(*x, *y);
    }
    if (out) inferred_[op.outputs[0]] = *out;
  }

  static std::optional<Dims> broadcast(const Dims& a, const Dims& b) {
    Dims out(std::max(a.size(), b.size()), 1);
    for (size_t i = 0; i < out.size(); ++i) {
      int64_t da = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
      int64_t db = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
      if (da != db && da != 1 && db != 1) return std::nullopt;
      out[i] = std::max(da, db);
    }
    return out;
  }

  // Constants stored behind a compile-time value (const, constexpr chains, casts of those).
  bool compile_time_bytes(ir::ValueId v, uint64_t& stored, bool& compressed, std::set<const ir::Constant*>& seen,
                          int depth) const {
    ir::OpId p = du_.origin_producer(v);
    if (p == ir::kNone || depth > 16) return false;
    const ir::Op& op = f_.op(p);
    if (op.is_const()) {
      const ir::Constant* c = weights::const_op_value(op);
      if (c && seen.insert(c).second) stored += c->stored_bytes();
      return true;
    }
    if (!op.is_constexpr() && op.type != "dequantize" && op.type != "cast") return false;
    compressed |= op.type != "cast";
    for (const auto& in : op.inputs)
      for (const auto& b : in.bindings) {
        if (b.is_literal()) {
          if (seen.insert(b.literal.get()).second) stored += b.literal->stored_bytes();
        } else if (!compile_time_bytes(b.value, stored, compressed, seen, depth + 1)) {
          return false;
        }
      }
    for (const auto& a : op.attributes)
      if (a.value && a.value->is_tensor() && a.value->dtype() != ir::DType::String && seen.insert(a.value.get()).second)
        stored += a.value->stored_bytes();
    return true;
  }

  void bytes(ir::OpId o, OpCost& c) {
    const ir::Op& op = f_.op(o);
    std::set<const ir::Constant*> seen;
    bool shape_unknown = false;
    for (const auto& in : op.inputs)
      for (const auto& b : in.bindings) {
        if (b.is_literal()) continue;
        const ir::Type& t = f_.value(b.value).type;
        uint64_t stored = 0;
        bool compressed = false;
        if (compile_time_bytes(b.value, stored, compressed, seen, 0)) {
          // Count tensors the op computes with (float weights/biases, compressed codes), not
          // integer parameters such as strides or axes.
          if (compressed || (t.is_tensor() && ir::dtype_is_float(t.dtype))) {
            c.weight_bytes += stored;
            c.weight_bytes_decompressed += tensor_bytes(b.value);
          }
        } else {
          shape_unknown |= !shape_known(b.value);
          c.activation_bytes_read += tensor_bytes(b.value);
        }
      }
    for (ir::ValueId v : op.outputs) {
      shape_unknown |= !shape_known(v);
      c.activation_bytes_written += tensor_bytes(v);
    }
    if (op.dialect == ir::Dialect::NeuralNetwork) nn_weight_bytes(op, c);
    if (shape_unknown) unknown(c, "tensor shape not static");
    c.int8 = is_int8(o);
  }

  void nn_weight_bytes(const ir::Op& op, OpCost& c) {
    const bool lstm = ir::is_nn_lstm(op.type);
    for (const auto& a : op.attributes) {
      if (!a.value || !a.value->is_tensor()) continue;
      // LSTM weights are nested (weightParams[.N].<gate>{WeightMatrix,RecursionMatrix,BiasVector,
      // PeepholeVector}); other dotted names are parameters of weights (quantization) or activations.
      const bool lstm_weight = lstm && a.name.rfind("weightParams.", 0) == 0 && a.name.find(".quantization") == std::string::npos;
      if (a.name.find('.') != std::string::npos && !lstm_weight) continue;
      if (a.name != "weights" && a.name != "bias" && a.name.find("Weight") == std::string::npos &&
          a.name.find("Bias") == std::string::npos && a.name != "data" && a.name != "scale" && !lstm_weight)
        continue;
      c.weight_bytes += a.value->stored_bytes();
      uint64_t n = 0;
      try { n = a.value->element_count(); } catch (const std::exception&) {}
      const ir::Constant* bits = op.attribute_value(a.name + ".quantization.bits");
      if (bits && bits->scalar_int().value_or(0) > 0)
        n = a.value->stored_bytes() * 8 / static_cast<uint64_t>(*bits->scalar_int());
      c.weight_bytes_decompressed += n * 4;  // NN layers compute in fp32 on the CPU path
    }
  }

  // int8 activations: an input is dequantize(quantize(..)); weights (if any) stored at ≤ 8 bits.
  bool is_int8(ir::OpId o) const {
    bool act8 = false, wide_weight = false;
    for (const auto& in : f_.op(o).inputs)
      for (const auto& b : in.bindings) {
        if (b.is_literal()) continue;
        ir::OpId p = du_.origin_producer(b.value);
        if (p == ir::kNone) continue;
        const ir::Op& po = f_.op(p);
        if (po.type == "dequantize") {
          weights::ParamRef x = weights::find_param(f_, p, "input");
          ir::OpId q = x.value != ir::kNone ? du_.origin_producer(x.value) : ir::kNone;
          if (q != ir::kNone && f_.op(q).type == "quantize") act8 = true;
        } else if (po.is_const()) {
          const ir::Constant* c = weights::const_op_value(po);
          if (c && c->is_tensor() && c->shape().rank() >= 2 && ir::dtype_is_float(c->dtype())) wide_weight = true;
        }
      }
    return act8 && !wide_weight;
  }

  static void unknown(OpCost& c, const std::string& why) {
    c.known = false;
    if (c.unknown_reason.empty()) c.unknown_reason = why;
  }

  void compute(ir::OpId o, OpCost& c) {
    const ir::Op& op = f_.op(o);
    const std::string& t = op.type;
    if (op.dialect == ir::Dialect::NeuralNetwork) return nn_compute(o, c);
    auto out = out_dims(o);
    if (t == "conv") return conv(o, c, out);
    if (t == "conv_transpose") return conv_transpose(o, c, out);
    if (t == "linear") {
      auto w = param_dims(o, "weight");
      if (!out || !w || w->size() != 2) return unknown(c, "linear: output or weight shape unknown");
      return mac(c, prod(*out) * static_cast<uint64_t>((*w)[1]), weights::find_param(f_, o, "bias").present() ? prod(*out) : 0);
    }
    if (t == "matmul") {
      auto x = param_dims(o, "x");
      if (!out || !x || x->empty()) return unknown(c, "matmul: shapes unknown");
      bool tx = false;
      if (weights::ParamRef p = weights::find_param(f_, o, "transpose_x"); p.constant) tx = p.constant->scalar_bool().value_or(false);
      int64_t k = x->size() == 1 ? (*x)[0] : (tx ? (*x)[x->size() - 2] : x->back());
      return mac(c, prod(*out) * static_cast<uint64_t>(k), 0);
    }
    if (t == "einsum") return einsum(o, c, out);
    if (t == "scaled_dot_product_attention") return attention(o, c);
    if (t == "lstm" || t == "gru" || t == "rnn") return recurrent(o, c);
    if (!out) {
      if (!c.unknown_reason.empty() || op.outputs.empty()) return;
      return unknown(c, "output shape unknown");
    }
    const uint64_t n = prod(*out);
    if (auto it = elementwise_factors().find(t); it != elementwise_factors().end()) return flops_only(c, n * it->second);
    if (reductions().count(t)) {
      auto x = param_dims(o, "x");
      if (!x) return unknown(c, "reduction input shape unknown");
      return flops_only(c, prod(*x));
    }
    if (t == "softmax" || t == "layer_norm" || t == "batch_norm" || t == "instance_norm" || t == "local_response_norm")
      return flops_only(c, 5 * n);
    if (t == "l2_norm") return flops_only(c, 3 * n);
    if (t == "avg_pool" || t == "max_pool" || t == "l2_pool") {
      auto k = weights::param_ints(f_, o, "kernel_sizes");
      return flops_only(c, n * prod(k));
    }
    // Everything else (reshape, transpose, concat, slice, gather, pad, cast, ...) moves data.
  }

  static void mac(OpCost& c, uint64_t macs, uint64_t bias_adds) {
    c.macs = macs;
    c.flops = 2 * macs + bias_adds;
  }
  static void flops_only(OpCost& c, uint64_t flops) { c.flops = flops; }

  void conv(ir::OpId o, OpCost& c, std::optional<Dims> out) {
    auto w = param_dims(o, "weight");
    if (!w || w->size() < 3) return unknown(c, "conv: weight shape unknown");
    if (!out) return unknown(c, "conv: output shape unknown and not inferable");
    const uint64_t per_out = prod(*w) / static_cast<uint64_t>(std::max<int64_t>((*w)[0], 1));
    mac(c, prod(*out) * per_out, weights::find_param(f_, o, "bias").present() ? prod(*out) : 0);
  }

  // Output spatial size from input, kernel, strides, dilations and padding (MIL conv rules).
  std::optional<Dims> infer_conv_output(ir::OpId o, const Dims& w) const {
    auto x = param_dims(o, "x");
    if (!x || x->size() != w.size()) return std::nullopt;
    const size_t sp = w.size() - 2;
    Dims strides = weights::param_ints(f_, o, "strides"), dil = weights::param_ints(f_, o, "dilations"), pad = weights::param_ints(f_, o, "pad");
    std::string pad_type = weights::param_string(f_, o, "pad_type").value_or("valid");
    Dims out = {(*x)[0], w[0]};
    for (size_t i = 0; i < sp; ++i) {
      int64_t in = (*x)[2 + i], k = w[2 + i];
      int64_t s = i < strides.size() ? strides[i] : 1, d = i < dil.size() ? dil[i] : 1;
      if (s <= 0) return std::nullopt;
      int64_t ek = d * (k - 1) + 1;
      int64_t o_sz;
      if (pad_type == "same" || pad_type == "same_lower") o_sz = (in + s - 1) / s;
      else {
        int64_t pb = 0, pe = 0;
        if (pad_type == "custom" && pad.size() >= 2 * (i + 1)) pb = pad[2 * i], pe = pad[2 * i + 1];
        o_sz = (in + pb + pe - ek) / s + 1;
      }
      if (o_sz <= 0) return std::nullopt;
      out.push_back(o_sz);
    }
    return out;
  }

  void conv_transpose(ir::OpId o, OpCost& c, const std::optional<Dims>& out) {
    auto w = param_dims(o, "weight");
    auto x = param_dims(o, "x");
    if (!w || !x || w->size() < 3 || (*w)[0] <= 0) return unknown(c, "conv_transpose: input or weight shape unknown");
    const uint64_t per_in = prod(*w) / static_cast<uint64_t>((*w)[0]);
    mac(c, prod(*x) * per_in, weights::find_param(f_, o, "bias").present() && out ? prod(*out) : 0);
  }

  void einsum(ir::OpId o, OpCost& c, const std::optional<Dims>& out) {
    auto eq = weights::param_string(f_, o, "equation");
    const ir::NamedInput* vals = f_.op(o).input("values");
    if (!eq || !vals || !out) return unknown(c, "einsum: equation or shapes unknown");
    std::string lhs = eq->substr(0, eq->find("->"));
    std::vector<std::string> terms;
    size_t start = 0;
    for (size_t i = 0; i <= lhs.size(); ++i)
      if (i == lhs.size() || lhs[i] == ',') terms.push_back(lhs.substr(start, i - start)), start = i + 1;
    std::map<char, int64_t> size;
    for (size_t k = 0; k < terms.size() && k < vals->bindings.size(); ++k) {
      auto d = dims_of(vals->bindings[k].value);
      std::string letters;
      for (char ch : terms[k])
        if (std::isalpha(static_cast<unsigned char>(ch))) letters += ch;
      if (!d || d->size() != letters.size()) return unknown(c, "einsum: operand shape unknown or uses '...'");
      for (size_t i = 0; i < letters.size(); ++i) size[letters[i]] = std::max(size[letters[i]], (*d)[i]);
    }
    uint64_t macs = 1;
    for (auto& [ch, s] : size) macs *= static_cast<uint64_t>(s);
    mac(c, macs, 0);
  }

  void attention(ir::OpId o, OpCost& c) {
    auto q = param_dims(o, "query"), k = param_dims(o, "key"), v = param_dims(o, "value");
    if (!q || !k || !v || q->size() < 2 || k->size() < 2 || v->empty()) return unknown(c, "attention: shapes unknown");
    const uint64_t L = static_cast<uint64_t>((*q)[q->size() - 2]), E = static_cast<uint64_t>(q->back());
    const uint64_t S = static_cast<uint64_t>((*k)[k->size() - 2]), Ev = static_cast<uint64_t>(v->back());
    const uint64_t batch = prod(Dims(q->begin(), q->end() - 2));
    mac(c, batch * L * S * (E + Ev), 0);
    c.flops += 5 * batch * L * S;  // softmax over the scores
  }

  void recurrent(ir::OpId o, OpCost& c) {
    auto x = param_dims(o, "x");
    auto wih = param_dims(o, "weight_ih"), whh = param_dims(o, "weight_hh");
    if (!x || x->size() != 3 || !wih || !whh || wih->size() != 2 || whh->size() != 2)
      return unknown(c, f_.op(o).type + ": shapes unknown");
    const uint64_t steps = static_cast<uint64_t>((*x)[0]) * static_cast<uint64_t>((*x)[1]);
    uint64_t macs = steps * (prod(*wih) + prod(*whh));
    const std::string dir = weights::param_string(f_, o, "direction").value_or("forward");
    if (dir == "bidirectional") macs *= 2;
    mac(c, macs, 0);
  }

  // NeuralNetwork layers: blob shapes come from the reader (derived for .mlmodel, read from
  // model.espresso.shape for compiled bundles); MACs follow from the output blob and the layer's
  // own parameters. Protobuf layers and espresso layers spell the same parameters differently.
  void nn_compute(ir::OpId o, OpCost& c) {
    const ir::Op& op = f_.op(o);
    auto u = [&](const char* n) -> uint64_t {
      const ir::Constant* k = op.attribute_value(n);
      return k ? static_cast<uint64_t>(std::max<int64_t>(0, k->scalar_int().value_or(0))) : 0;
    };
    if (ir::is_nn_lstm(op.type)) {
      // Per time step and batch item: 4 gates × H × (I + H) MACs, per direction.
      auto in = nn_input_dims(o);
      const uint64_t I = u("inputVectorSize"), H = u("outputVectorSize");
      if (!in || I == 0 || H == 0 || prod(*in) % I != 0) return unknown(c, op.type + ": input shape unknown");
      const uint64_t steps = prod(*in) / I, dirs = op.type == "biDirectionalLSTM" ? 2 : 1;
      return mac(c, steps * dirs * 4 * H * (I + H), 0);
    }
    auto out = out_dims(o);
    if (!out) return unknown(c, "NeuralNetwork " + op.type + ": blob shape not derived");
    const uint64_t n = prod(*out);
    const std::string& t = op.type;
    if (t == "convolution") {
      uint64_t kernel = 0, kernel_channels = u("kernelChannels");
      if (auto k = param_ints_attr(op, "kernelSize"); k.size() == 2) kernel = static_cast<uint64_t>(k[0] * k[1]);
      if (op.attribute("Nx")) {  // espresso: K input channels, Nx x Ny kernel
        kernel = u("Nx") * u("Ny");
        kernel_channels = u("K") / std::max<uint64_t>(1, u("n_groups"));
      }
      if (kernel == 0 || kernel_channels == 0) return unknown(c, "convolution: kernel size unknown");
      if (u("isDeconvolution")) {
        // Each input element is scattered through (outputChannels / groups) x kernel weights.
        auto in = nn_input_dims(o);
        if (!in) return unknown(c, "deconvolution: input shape unknown");
        const uint64_t groups = std::max<uint64_t>(1, u("nGroups"));
        return mac(c, prod(*in) * (u("outputChannels") / groups) * kernel, u("hasBias") ? n : 0);
      }
      return mac(c, n * kernel_channels * kernel, u("hasBias") || u("has_biases") ? n : 0);
    }
    if (t == "innerProduct" || t == "inner_product") {
      const uint64_t in = t == "innerProduct" ? u("inputChannels") : u("nB");
      if (in == 0) return unknown(c, t + ": input channels unknown");
      return mac(c, n * in, u("hasBias") || u("has_biases") ? n : 0);
    }
    if (t == "batchnorm" || t == "softmax" || t == "softmaxND" || t == "softmax_nd" || t == "lrn" || t == "mvn")
      return flops_only(c, 5 * n);
    if (t == "l2normalize") return flops_only(c, 3 * n);
    if (t == "activation" || t == "unary" || t == "add" || t == "multiply" || t == "scale" || t == "bias")
      return flops_only(c, n);
    if (t == "pooling" || t == "pool") {
      uint64_t window = 0;
      if (auto k = param_ints_attr(op, "kernelSize"); k.size() == 2) window = static_cast<uint64_t>(k[0] * k[1]);
      if (op.attribute("size_x")) window = u("size_x") * u("size_y");
      if (u("globalPooling")) {
        auto in = nn_input_dims(o);
        if (!in || prod(*in) == 0) return unknown(c, "global pooling: input shape unknown");
        return flops_only(c, prod(*in));
      }
      return flops_only(c, n * std::max<uint64_t>(1, window));
    }
    // Everything else (reshape, flatten, concat, permute, upsample, loadConstant, ...) moves data.
  }

  static std::vector<int64_t> param_ints_attr(const ir::Op& op, const char* name) {
    const ir::Constant* k = op.attribute_value(name);
    if (!k) return {};
    try {
      return k->to_ints();
    } catch (const std::exception&) {
      return {};
    }
  }

  std::optional<Dims> nn_input_dims(ir::OpId o) const {
    const ir::NamedInput* in = f_.op(o).input("input");
    if (!in || in->bindings.empty() || in->bindings[0].is_literal()) return std::nullopt;
    const ir::Type& t = f_.value(in->bindings[0].value).type;
    if (!t.is_tensor() || !t.shape.is_static()) return std::nullopt;
    return t.shape.dims;
  }

  void roofline(OpCost& c) const {
    const ChipProfile& chip = r_.chip;
    const double peak = c.int8 ? chip.int8_ops : chip.fp16_flops;
    c.compute_seconds = peak > 0 ? static_cast<double>(c.flops) / peak : 0;
    c.memory_seconds = chip.bandwidth > 0 ? static_cast<double>(c.bytes_moved()) / chip.bandwidth : 0;
    c.estimate_seconds = std::max(c.compute_seconds, c.memory_seconds);
    c.arithmetic_intensity = c.bytes_moved() ? static_cast<double>(c.flops) / static_cast<double>(c.bytes_moved()) : 0;
    if (c.estimate_seconds > 0) c.bound = c.compute_seconds >= c.memory_seconds ? "compute" : "memory";
  }

  const ir::Function& f_;
  DefUse du_;
  CostReport& r_;
  std::unordered_map<ir::ValueId, Dims> inferred_;
};

}  // namespace

void analyze_function_cost(const ir::Function& f, CostReport& report) { FunctionCost(f, report).run(); }

CostReport analyze_cost(const ir::Model& m, const ChipProfile& chip) {
  CostReport r;
  r.chip = chip;
  std::vector<const ir::Model*> stack{&m};
  while (!stack.empty()) {
    const ir::Model* cur = stack.back();
    stack.pop_back();
    for (const auto& f : cur->functions) analyze_function_cost(f, r);
    for (const auto& s : cur->submodels) stack.push_back(&s);
  }
  return r;
}

}  // namespace mlscope::analysis
