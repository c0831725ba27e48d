#include "core/format/nn_shape_inference.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/ir/nn_lstm_shape.h"

namespace mlscope::format {

namespace {

using Dims = std::vector<int64_t>;
constexpr int64_t kUnknown = ir::kUnknownDim;

int64_t attr_int(const ir::Op& op, const std::string& name, int64_t fallback) {
  const ir::Constant* c = op.attribute_value(name);
  if (!c) return fallback;
  try {
    auto v = c->to_ints();
    return v.empty() ? fallback : v[0];
  } catch (const std::exception&) {
    return fallback;
  }
}

Dims attr_ints(const ir::Op& op, const std::string& name, Dims fallback) {
  const ir::Constant* c = op.attribute_value(name);
  if (!c) return fallback;
  try {
    return c->to_ints();
  } catch (const std::exception&) {
    return fallback;
  }
}

bool has(const ir::Op& op, const std::string& name) { return op.attribute(name) != nullptr; }

int64_t mul(int64_t a, int64_t b) { return a < 0 || b < 0 ? kUnknown : a * b; }

int64_t product(const Dims& d, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to; ++i) p = mul(p, d[i]);
  return p;
}

/// [..., C, H, W] -> [N, C, H, W]: leading dimensions folded into N, lower ranks padded.
Dims as_nchw(Dims s) {
  while (s.size() < 3) s.insert(s.begin(), 1);
  const size_t lead = s.size() - 3;
  return {product(s, 0, lead), s[lead], s[lead + 1], s[lead + 2]};
}

/// The layer's [N, C', H', W'] result in the input's own rank (inverse of as_nchw).
Dims restore(const Dims& x, const Dims& nchw) {
  if (x.size() < 4) return Dims(nchw.end() - static_cast<int64_t>(std::max<size_t>(x.size(), 3)), nchw.end());
  Dims out(x.begin(), x.end() - 3);
  out.insert(out.end(), nchw.end() - 3, nchw.end());
  return out;
}

/// floor((in + pads - window) / stride) + 1, or ceil for ceil_mode; nullopt if it would be empty.
std::optional<int64_t> window_out(int64_t in, int64_t window, int64_t stride, int64_t pads, bool ceil_mode) {
  if (in < 0) return kUnknown;
  if (stride <= 0 || window <= 0) return std::nullopt;
  const int64_t span = in + pads - window;
  if (span < 0) return std::nullopt;
  return (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
}

int64_t ceil_div(int64_t a, int64_t b) { return a < 0 || b <= 0 ? kUnknown : (a + b - 1) / b; }

/// Padding of a "valid" layer along spatial axis i (0 = height, 1 = width): start + end.
int64_t valid_pads(const ir::Op& op, int i) {
  const std::string p = "valid.paddingAmounts.borderAmounts." + std::to_string(i);
  return attr_int(op, p + ".startEdgeSize", 0) + attr_int(op, p + ".endEdgeSize", 0);
}

std::optional<Dims> broadcast(const std::vector<Dims>& in) {
  Dims out;
  for (const Dims& d : in) {
    if (d.size() > out.size()) out.insert(out.begin(), d.size() - out.size(), 1);
    for (size_t i = 0; i < d.size(); ++i) {
      int64_t& o = out[out.size() - d.size() + i];
      const int64_t v = d[i];
      if (v == o || v == 1) continue;
      if (o == 1) o = v;
      else if (v < 0 || o < 0) o = kUnknown;
      else return std::nullopt;
    }
  }
  return out;
}

using Rule = std::function<std::optional<Dims>(const ir::Op&, const std::vector<Dims>&)>;

std::optional<Dims> same_shape(const ir::Op&, const std::vector<Dims>& in) { return in[0]; }

std::optional<Dims> convolution(const ir::Op& op, const std::vector<Dims>& in) {
  const Dims x = as_nchw(in[0]);
  const Dims k = attr_ints(op, "kernelSize", {3, 3}), st = attr_ints(op, "stride", {1, 1}),
             dil = attr_ints(op, "dilationFactor", {1, 1});
  if (k.size() != 2 || st.size() != 2 || dil.size() != 2) return std::nullopt;
  const int64_t out_channels = attr_int(op, "outputChannels", 0);
  if (out_channels <= 0) return std::nullopt;
  const bool same = has(op, "same") || has(op, "same.asymmetryMode");
  Dims hw(2);
  if (attr_int(op, "isDeconvolution", 0) != 0) {
    const Dims explicit_shape = attr_ints(op, "outputShape", {});
    for (int i = 0; i < 2; ++i) {
      const int64_t in_i = x[size_t(2 + i)];
      if (explicit_shape.size() == 2) hw[size_t(i)] = explicit_shape[size_t(i)];
      else if (in_i < 0) hw[size_t(i)] = kUnknown;
      else if (same) hw[size_t(i)] = in_i * st[size_t(i)];
      else hw[size_t(i)] = (in_i - 1) * st[size_t(i)] + dil[size_t(i)] * (k[size_t(i)] - 1) + 1 - valid_pads(op, i);
    }
  } else {
    for (int i = 0; i < 2; ++i) {
      const int64_t in_i = x[size_t(2 + i)];
      if (same) {
        hw[size_t(i)] = ceil_div(in_i, st[size_t(i)]);
        continue;
      }
      auto o = window_out(in_i, dil[size_t(i)] * (k[size_t(i)] - 1) + 1, st[size_t(i)], valid_pads(op, i), false);
      if (!o) return std::nullopt;
      hw[size_t(i)] = *o;
    }
  }
  return restore(in[0], {x[0], out_channels, hw[0], hw[1]});
}

std::optional<Dims> pooling(const ir::Op& op, const std::vector<Dims>& in) {
  const Dims x = as_nchw(in[0]);
  if (attr_int(op, "globalPooling", 0) != 0) return restore(in[0], {x[0], x[1], 1, 1});
  const Dims k = attr_ints(op, "kernelSize", {1, 1}), st = attr_ints(op, "stride", {1, 1});
  if (k.size() != 2 || st.size() != 2) return std::nullopt;
  Dims hw(2);
  for (int i = 0; i < 2; ++i) {
    const int64_t in_i = x[size_t(2 + i)];
    std::optional<int64_t> o;
    if (has(op, "same") || has(op, "same.asymmetryMode")) {
      o = ceil_div(in_i, st[size_t(i)]);
    } else if (has(op, "includeLastPixel") || has(op, "includeLastPixel.paddingAmounts")) {
      const Dims pa = attr_ints(op, "includeLastPixel.paddingAmounts", {0, 0});
      const int64_t p = size_t(i) < pa.size() ? pa[size_t(i)] : 0;
      o = window_out(in_i, k[size_t(i)], st[size_t(i)], 2 * p, true);
    } else {
      o = window_out(in_i, k[size_t(i)], st[size_t(i)], valid_pads(op, i), false);
    }
    if (!o) return std::nullopt;
    hw[size_t(i)] = *o;
  }
  return restore(in[0], {x[0], x[1], hw[0], hw[1]});
}

std::optional<Dims> inner_product(const ir::Op& op, const std::vector<Dims>& in) {
  const int64_t in_features = attr_int(op, "inputChannels", 0), out = attr_int(op, "outputChannels", 0);
  if (in_features <= 0 || out <= 0) return std::nullopt;
  // The product runs over the trailing dimensions that hold `inputChannels` features.
  Dims lead = in[0];
  int64_t tail = 1;
  while (!lead.empty() && tail > 0 && tail < in_features) {
    tail = mul(tail, lead.back());
    lead.pop_back();
  }
  if (tail != in_features) return std::nullopt;
  Dims y = lead;
  y.push_back(out);
  if (in[0].size() >= 3) y.insert(y.end(), {1, 1});
  return y;
}

std::optional<Dims> flatten(const ir::Op&, const std::vector<Dims>& in) {
  const Dims x = as_nchw(in[0]);
  Dims y(in[0].begin(), in[0].end() - std::min<int64_t>(3, static_cast<int64_t>(in[0].size())));
  y.insert(y.end(), {mul(mul(x[1], x[2]), x[3]), 1, 1});
  return y;
}

std::optional<Dims> reshape_static(const ir::Op& op, const std::vector<Dims>& in) {
  Dims s = attr_ints(op, "targetShape", {});
  if (s.empty()) return std::nullopt;
  const int64_t total = product(in[0], 0, in[0].size());
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == -1) infer = static_cast<int64_t>(i);
    else known = mul(known, s[i]);
  }
  if (infer >= 0) s[size_t(infer)] = total < 0 || known <= 0 ? kUnknown : total / known;
  return s;
}

std::optional<Dims> concat(const ir::Op&, const std::vector<Dims>& in) {
  Dims y = in[0];
  if (y.empty()) return std::nullopt;
  const size_t axis = y.size() >= 3 ? y.size() - 3 : y.size() - 1;
  for (size_t i = 1; i < in.size(); ++i) {
    if (in[i].size() != y.size()) return std::nullopt;
    y[axis] = y[axis] < 0 || in[i][axis] < 0 ? kUnknown : y[axis] + in[i][axis];
  }
  return y;
}

std::optional<Dims> upsample(const ir::Op& op, const std::vector<Dims>& in) {
  const Dims x = as_nchw(in[0]);
  const Dims f = attr_ints(op, "scalingFactor", {1, 1});
  if (f.empty()) return std::nullopt;
  return restore(in[0], {x[0], x[1], mul(x[2], f[0]), mul(x[3], f.size() > 1 ? f[1] : f[0])});
}

std::optional<Dims> elementwise(const ir::Op&, const std::vector<Dims>& in) { return broadcast(in); }

std::optional<Dims> embedding(const ir::Op& op, const std::vector<Dims>& in) {
  const int64_t out = attr_int(op, "outputChannels", 0);
  if (out <= 0) return std::nullopt;
  return Dims{product(in[0], 0, in[0].size()), out, 1, 1};
}

std::optional<Dims> permute(const ir::Op& op, const std::vector<Dims>& in) {
  Dims s = in[0];
  while (s.size() < 4) s.insert(s.begin(), 1);
  const Dims axes = attr_ints(op, "axis", {0, 1, 2, 3});
  if (s.size() != 4 || axes.size() != 4) return std::nullopt;
  Dims y(4);
  for (size_t i = 0; i < 4; ++i) {
    if (axes[i] < 0 || axes[i] > 3) return std::nullopt;
    y[i] = s[size_t(axes[i])];
  }
  return y;
}

std::optional<Dims> transpose(const ir::Op& op, const std::vector<Dims>& in) {
  const Dims axes = attr_ints(op, "axes", {});
  if (axes.size() != in[0].size()) return std::nullopt;
  Dims y(axes.size());
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t a = axes[i] < 0 ? axes[i] + static_cast<int64_t>(axes.size()) : axes[i];
    if (a < 0 || a >= static_cast<int64_t>(axes.size())) return std::nullopt;
    y[i] = in[0][size_t(a)];
  }
  return y;
}

const std::map<std::string, Rule>& rules() {
  static const std::map<std::string, Rule> table = {
      {"convolution", convolution},
      {"pooling", pooling},
      {"innerProduct", inner_product},
      {"batchnorm", same_shape},
      {"activation", same_shape},
      {"unary", same_shape},
      {"softmax", same_shape},
      {"softmaxND", same_shape},
      {"l2normalize", same_shape},
      {"lrn", same_shape},
      {"mvn", same_shape},
      {"scale", same_shape},
      {"bias", same_shape},
      {"clip", same_shape},
      {"add", elementwise},
      {"multiply", elementwise},
      {"concat", concat},
      {"flatten", flatten},
      {"reshapeStatic", reshape_static},
      {"upsample", upsample},
      {"embedding", embedding},
      {"permute", permute},
      {"transpose", transpose},
  };
  return table;
}

/// LSTM layers: x is [Seq, Batch, C, H, W] with C*H*W = inputVectorSize, or that blob minus
/// leading unit dimensions (rank 4 [Batch, C, H, W], rank 3 [C, H, W], rank 1 [C]; rank 2 is read
/// as [Seq, C]) — the layout of core/exec/kernels/nn.cpp. Outputs y ([Seq or 1, Batch, H or 2H,
/// 1, 1] in x's rank) then the final states ([1, Batch, H, 1, 1] each).
Dims lstm_out_shape(const Dims& x, int64_t seq, int64_t batch, int64_t width) {
  return ir::nn_lstm_output_dims(x.size(), seq, batch, width);
}

std::optional<std::vector<Dims>> lstm(const ir::Op& op, const Dims& x) {
  const int64_t in = attr_int(op, "inputVectorSize", 0), hidden = attr_int(op, "outputVectorSize", 0);
  const size_t r = x.size();
  if (in <= 0 || hidden <= 0 || r == 0 || r > 5) return std::nullopt;
  const int64_t features = r >= 3 ? product(x, r - 3, r) : x[r - 1];
  if (features >= 0 && features != in) return std::nullopt;
  const int64_t seq = r == 5 || r == 2 ? x[0] : 1, batch = r == 5 ? x[1] : r == 4 ? x[0] : 1;
  const bool bidirectional = op.type == "biDirectionalLSTM";
  const int64_t y_seq = attr_int(op, "params.sequenceOutput", 0) != 0 ? seq : 1;
  std::vector<Dims> out = {lstm_out_shape(x, y_seq, batch, bidirectional ? 2 * hidden : hidden)};
  const size_t states = bidirectional ? 4 : 2;
  for (size_t i = 0; i < states && out.size() < op.outputs.size(); ++i) out.push_back(lstm_out_shape(x, 1, batch, hidden));
  return out;
}

std::optional<Dims> load_constant(const ir::Op& op) {
  Dims s = attr_ints(op, "shape", {});
  if (s.empty()) return std::nullopt;
  return s;
}

}  // namespace

size_t infer_nn_blob_types(ir::Function& fn) {
  if (fn.dialect != ir::Dialect::NeuralNetwork) return 0;
  size_t typed = 0;
  auto known_input = [&](const ir::Op& op, size_t i) -> std::optional<Dims> {
    const ir::NamedInput* inputs = op.input("input");
    if (!inputs || i >= inputs->bindings.size()) return std::nullopt;
    const ir::Binding& b = inputs->bindings[i];
    const ir::Type& t = b.is_literal() ? b.literal->type : fn.value(b.value).type;
    if (!t.is_tensor() || t.shape.unknown_rank) return std::nullopt;
    return t.shape.dims;
  };
  for (ir::OpId o : fn.body_block().ops) {  // nested branch/loop bodies stay unknown
    const ir::Op& op = fn.op(o);
    const bool any_unknown = std::any_of(op.outputs.begin(), op.outputs.end(),
                                         [&](ir::ValueId v) { return fn.value(v).type.kind == ir::Type::Kind::Unknown; });
    if (!any_unknown) continue;
    std::vector<std::optional<Dims>> ys;
    if (ir::is_nn_lstm(op.type)) {
      // Only x shapes the outputs; the optional initial states may be unknown.
      if (auto x = known_input(op, 0))
        if (auto all = lstm(op, *x)) ys.assign(all->begin(), all->end());
    } else if (op.outputs.size() == 1) {
      std::optional<Dims> y;
      if (op.type == "loadConstant" || op.type == "loadConstantND") {
        y = load_constant(op);
      } else if (auto rule = rules().find(op.type); rule != rules().end()) {
        std::vector<Dims> in;
        const ir::NamedInput* inputs = op.input("input");
        bool known = inputs && !inputs->bindings.empty();
        for (size_t i = 0; known && i < inputs->bindings.size(); ++i) {
          auto d = known_input(op, i);
          known = d.has_value();
          if (known) in.push_back(*d);
        }
        if (known) y = rule->second(op, in);
      }
      ys.push_back(y);
    }
    for (size_t k = 0; k < ys.size() && k < op.outputs.size(); ++k) {
      const std::optional<Dims>& y = ys[k];
      // A zero or negative size means the rule does not apply to these inputs.
      if (!y || std::any_of(y->begin(), y->end(), [](int64_t d) { return d < kUnknown || d == 0; })) continue;
      ir::Value& v = fn.values[static_cast<size_t>(op.outputs[k])];
      if (v.type.kind != ir::Type::Kind::Unknown) continue;
      v.type = ir::Type::tensor(ir::DType::Float32, ir::Shape(*y));
      ++typed;
    }
  }
  return typed;
}

}  // namespace mlscope::format
