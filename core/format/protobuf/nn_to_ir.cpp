// NeuralNetwork / NeuralNetworkClassifier / NeuralNetworkRegressor layers → one ir::Function of
// Dialect::NeuralNetwork. The op type is the layer oneof field name ("convolution", "innerProduct").
// NN graphs are not SSA: a blob name may be redefined, later layers see the newest definition.
// Layer parameters become attributes by reflection, so every layer kind keeps what it carries.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include <cstring>

#include "core/format/nn_shape_inference.h"
#include "core/format/protobuf/model_from_proto.h"
#include "core/format/protobuf/nn_weights.h"
#include "core/ir/nn_lstm_shape.h"
#include "core/ir/scope.h"
#include "core/util/error.h"

namespace mlscope::format::pbread {

namespace {

namespace gp = google::protobuf;
using FD = gp::FieldDescriptor;

std::shared_ptr<const ir::Constant> make(ir::Constant c) { return std::make_shared<const ir::Constant>(std::move(c)); }

ir::Constant f64_constant(const std::vector<double>& v, ir::Shape s) {
  std::vector<uint8_t> raw(v.size() * 8);
  if (!v.empty()) std::memcpy(raw.data(), v.data(), raw.size());
  return ir::Constant::from_raw(ir::DType::Float64, std::move(s), std::move(raw));
}

uint64_t u64_field(const gp::Message& m, const char* name) {
  const FD* f = m.GetDescriptor()->FindFieldByName(name);
  if (!f || f->is_repeated()) return 0;
  if (f->cpp_type() == FD::CPPTYPE_UINT64) return m.GetReflection()->GetUInt64(m, f);
  if (f->cpp_type() == FD::CPPTYPE_INT64) return static_cast<uint64_t>(m.GetReflection()->GetInt64(m, f));
  return 0;
}

std::vector<int64_t> u64_list(const gp::Message& m, const char* name) {
  std::vector<int64_t> out;
  const FD* f = m.GetDescriptor()->FindFieldByName(name);
  if (!f || !f->is_repeated() || f->cpp_type() != FD::CPPTYPE_UINT64) return out;
  for (int i = 0; i < m.GetReflection()->FieldSize(m, f); ++i)
    out.push_back(static_cast<int64_t>(m.GetReflection()->GetRepeatedUInt64(m, f, i)));
  return out;
}

bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// Row-major weight layouts of §9.3, used when the payload's element count agrees. `p` holds the
// WeightParams field; `layer` is the layer's parameter message (they differ for nested weights,
// e.g. LSTMWeightParams inside an LSTM layer).
std::vector<int64_t> weight_shape_hint(const std::string& layer_kind, const gp::Message& layer, const gp::Message& p,
                                       const std::string& field) {
  auto i = [](uint64_t v) { return static_cast<int64_t>(v); };
  if (ir::is_nn_lstm(layer_kind)) {
    // W_* [outputVectorSize, inputVectorSize], R_* [outputVectorSize, outputVectorSize]; vectors stay 1-D.
    const int64_t in = i(u64_field(layer, "inputVectorSize")), out = i(u64_field(layer, "outputVectorSize"));
    if (ends_with(field, "WeightMatrix")) return {out, in};
    if (ends_with(field, "RecursionMatrix")) return {out, out};
    return {};
  }
  if (field == "bias" && layer_kind != "bias" && layer_kind != "scale") return {};
  if (layer_kind == "convolution" && field == "weights") {
    auto k = u64_list(p, "kernelSize");
    if (k.size() != 2) return {};
    uint64_t out = u64_field(p, "outputChannels"), kc = u64_field(p, "kernelChannels"), g = u64_field(p, "nGroups");
    if (p.GetReflection()->GetBool(p, p.GetDescriptor()->FindFieldByName("isDeconvolution")))
      return {i(kc), g ? i(out / g) : i(out), k[0], k[1]};
    return {i(out), i(kc), k[0], k[1]};
  }
  if (layer_kind == "innerProduct" && field == "weights") return {i(u64_field(p, "outputChannels")), i(u64_field(p, "inputChannels"))};
  if (layer_kind == "embedding" && field == "weights") return {i(u64_field(p, "outputChannels")), i(u64_field(p, "inputDim"))};
  if (layer_kind == "embeddingND" && field == "weights") return {i(u64_field(p, "embeddingSize")), i(u64_field(p, "vocabSize"))};
  if (layer_kind == "batchedMatmul" && field == "weights")
    return {i(u64_field(p, "weightMatrixSecondDimension")), i(u64_field(p, "weightMatrixFirstDimension"))};
  if ((layer_kind == "loadConstant" || layer_kind == "loadConstantND") && field == "data") return u64_list(p, "shape");
  if (layer_kind == "scale" && field == "scale") return u64_list(p, "shapeScale");
  if (layer_kind == "scale" && field == "bias") return u64_list(p, "shapeBias");
  if (layer_kind == "bias" && field == "bias") return u64_list(p, "shape");
  return {};
}

class NNBuilder {
 public:
  NNBuilder(ReadContext& ctx, ir::Function& fn) : ctx_(ctx), fn_(fn) { scopes_.push(); }

  void define_input(const std::string& name, ir::Type type, ir::BlockId body) {
    ir::ValueId v = fn_.add_value(name, std::move(type), body);
    fn_.inputs.push_back(v);
    scopes_.define(name, v);
  }

  void build_layers(const gp::RepeatedPtrField<pb::NeuralNetworkLayer>& layers, ir::BlockId b, int depth) {
    if (depth > 32) throw Error(Location::in_file(ctx_.file), "NeuralNetwork branches/loops nested more than 32 deep");
    for (const auto& layer : layers) build_layer(layer, b, depth);
  }

 private:
  void build_layer(const pb::NeuralNetworkLayer& layer, ir::BlockId b, int depth) {
    ir::Op op;
    op.name = layer.name();
    op.dialect = ir::Dialect::NeuralNetwork;
    const auto* oneof = pb::NeuralNetworkLayer::descriptor()->FindOneofByName("layer");
    const FD* kind = layer.GetReflection()->GetOneofFieldDescriptor(layer, oneof);
    if (kind) {
      op.type = kind->name();
    } else {
      op.type = "unknown";
      const auto& unknown = layer.GetReflection()->GetUnknownFields(layer);
      for (int i = 0; i < unknown.field_count(); ++i)
        if (unknown.field(i).number() >= 100) op.type = "unknown_layer_" + std::to_string(unknown.field(i).number());
    }
    ir::NamedInput in;
    in.name = "input";
    for (const auto& name : layer.input()) {
      ir::Binding bind;
      bind.value = scopes_.resolve(name);
      if (bind.value == ir::kNone)
        throw Error(Location::at_op(ctx_.file, layer.name()),
                    "cyclic or dangling value reference: layer input '" + name + "' is not produced before this layer");
      in.bindings.push_back(bind);
    }
    if (!in.bindings.empty()) op.inputs.push_back(std::move(in));

    std::vector<const gp::Message*> nested;  // NeuralNetwork bodies (branch / loop)
    if (kind) {
      const gp::Message& params = layer.GetReflection()->GetMessage(layer, kind);
      layer_params_ = &params;
      add_params(params, op.type, "", op, nested);
      layer_params_ = nullptr;
    }
    std::vector<std::pair<std::string, ir::ValueId>> outs;
    for (const auto& name : layer.output()) {
      ir::ValueId v = fn_.add_value(name, ir::Type{}, b);
      op.outputs.push_back(v);
      outs.emplace_back(name, v);
    }
    ir::OpId id = fn_.add_op(b, std::move(op));
    for (const gp::Message* n : nested) {
      ir::BlockId child = fn_.add_block(id);
      build_layers(static_cast<const pb::NeuralNetwork*>(n)->layers(), child, depth + 1);
    }
    for (auto& [name, v] : outs) scopes_.define(name, v);  // shadows an older definition
  }

  void add_params(const gp::Message& m, const std::string& kind, const std::string& prefix, ir::Op& op,
                  std::vector<const gp::Message*>& nested) {
    const gp::Reflection* r = m.GetReflection();
    std::vector<const FD*> fields;
    r->ListFields(m, &fields);
    if (fields.empty() && !prefix.empty()) {
      const gp::Descriptor* d = m.GetDescriptor();
      if (d->field_count() == 0) {
        // A field-less message is a choice (e.g. activation "ReLU"); record that it was made.
        op.attributes.push_back({prefix, make(ir::Constant::from_bool(true))});
        return;
      }
      // proto3 drops zeros: an all-default message (e.g. zero padding edges) still means its defaults.
      for (int i = 0; i < d->field_count(); ++i)
        if (!d->field(i)->is_repeated() && d->field(i)->cpp_type() != FD::CPPTYPE_MESSAGE && !d->field(i)->containing_oneof())
          add_scalar(m, d->field(i), prefix + "." + d->field(i)->name(), op);
      return;
    }
    for (const FD* f : fields) {
      const std::string name = prefix.empty() ? f->name() : prefix + "." + f->name();
      if (f->cpp_type() == FD::CPPTYPE_MESSAGE) {
        add_message_field(m, f, kind, name, op, nested);
      } else if (f->is_repeated()) {
        add_repeated_scalar(m, f, name, op);
      } else {
        add_scalar(m, f, name, op);
      }
    }
  }

  void add_message_field(const gp::Message& m, const FD* f, const std::string& kind, const std::string& name, ir::Op& op,
                         std::vector<const gp::Message*>& nested) {
    const gp::Reflection* r = m.GetReflection();
    const gp::Descriptor* t = f->message_type();
    auto one = [&](const gp::Message& sub, const std::string& n) {
      if (t == pb::WeightParams::descriptor()) {
        append_weight_attributes(static_cast<const pb::WeightParams&>(sub), n,
                                 weight_shape_hint(kind, layer_params_ ? *layer_params_ : m, m, f->name()),
                                 ctx_.file, op.name, op.attributes);
      } else if (t == pb::NeuralNetwork::descriptor()) {
        nested.push_back(&sub);
        op.attributes.push_back({n + ".block", make(ir::Constant::from_ints({static_cast<int64_t>(nested.size() - 1)}, ir::Shape{}))});
      } else {
        add_params(sub, kind, n, op, nested);
      }
    };
    if (f->is_map()) {
      // Custom-layer parameters: map<string, value> → "<field>.<key>.<member>".
      const FD* key = t->FindFieldByName("key");
      const FD* val = t->FindFieldByName("value");
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        const gp::Message& e = r->GetRepeatedMessage(m, f, i);
        std::string k = key->cpp_type() == FD::CPPTYPE_STRING ? e.GetReflection()->GetString(e, key)
                                                              : std::to_string(e.GetReflection()->GetInt64(e, key));
        if (val->cpp_type() == FD::CPPTYPE_MESSAGE)
          add_params(e.GetReflection()->GetMessage(e, val), kind, name + "." + k, op, nested);
        else
          add_scalar(e, val, name + "." + k, op);
      }
    } else if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, f); ++i) one(r->GetRepeatedMessage(m, f, i), name + "." + std::to_string(i));
    } else {
      one(r->GetMessage(m, f), name);
    }
  }

  static void add_scalar(const gp::Message& m, const FD* f, const std::string& name, ir::Op& op) {
    const gp::Reflection* r = m.GetReflection();
    ir::Constant c;
    switch (f->cpp_type()) {
      case FD::CPPTYPE_BOOL: c = ir::Constant::from_bool(r->GetBool(m, f)); break;
      case FD::CPPTYPE_INT32: c = ir::Constant::from_ints({r->GetInt32(m, f)}, ir::Shape{}); break;
      case FD::CPPTYPE_ENUM: c = ir::Constant::from_ints({r->GetEnumValue(m, f)}, ir::Shape{}); break;
      case FD::CPPTYPE_UINT32: c = ir::Constant::from_ints({r->GetUInt32(m, f)}, ir::Shape{}, ir::DType::Int64); break;
      case FD::CPPTYPE_INT64: c = ir::Constant::from_ints({r->GetInt64(m, f)}, ir::Shape{}, ir::DType::Int64); break;
      case FD::CPPTYPE_UINT64:
        c = ir::Constant::from_ints({static_cast<int64_t>(r->GetUInt64(m, f))}, ir::Shape{}, ir::DType::Int64);
        break;
      case FD::CPPTYPE_FLOAT: c = ir::Constant::from_floats({r->GetFloat(m, f)}, ir::Shape{}); break;
      case FD::CPPTYPE_DOUBLE: c = f64_constant({r->GetDouble(m, f)}, ir::Shape{}); break;
      case FD::CPPTYPE_STRING: c = ir::Constant::from_string(r->GetString(m, f)); break;
      case FD::CPPTYPE_MESSAGE: return;
    }
    op.attributes.push_back({name, make(std::move(c))});
  }

  static void add_repeated_scalar(const gp::Message& m, const FD* f, const std::string& name, ir::Op& op) {
    const gp::Reflection* r = m.GetReflection();
    const int n = r->FieldSize(m, f);
    ir::Shape shape{n};
    std::vector<int64_t> ints;
    std::vector<double> reals;
    ir::Constant c;
    switch (f->cpp_type()) {
      case FD::CPPTYPE_FLOAT: {
        std::vector<float> v;
        for (int i = 0; i < n; ++i) v.push_back(r->GetRepeatedFloat(m, f, i));
        c = ir::Constant::from_floats(v, shape);
        break;
      }
      case FD::CPPTYPE_DOUBLE:
        for (int i = 0; i < n; ++i) reals.push_back(r->GetRepeatedDouble(m, f, i));
        c = f64_constant(reals, shape);
        break;
      case FD::CPPTYPE_STRING:
        c.type = ir::Type::tensor(ir::DType::String, shape);
        for (int i = 0; i < n; ++i) c.strings.push_back(r->GetRepeatedString(m, f, i));
        break;
      default:
        for (int i = 0; i < n; ++i) {
          switch (f->cpp_type()) {
            case FD::CPPTYPE_INT32: ints.push_back(r->GetRepeatedInt32(m, f, i)); break;
            case FD::CPPTYPE_UINT32: ints.push_back(r->GetRepeatedUInt32(m, f, i)); break;
            case FD::CPPTYPE_INT64: ints.push_back(r->GetRepeatedInt64(m, f, i)); break;
            case FD::CPPTYPE_UINT64: ints.push_back(static_cast<int64_t>(r->GetRepeatedUInt64(m, f, i))); break;
            case FD::CPPTYPE_ENUM: ints.push_back(r->GetRepeatedEnumValue(m, f, i)); break;
            case FD::CPPTYPE_BOOL: ints.push_back(r->GetRepeatedBool(m, f, i) ? 1 : 0); break;
            default: break;
          }
        }
        c = ir::Constant::from_ints(ints, shape, ir::DType::Int64);
        break;
    }
    op.attributes.push_back({name, make(std::move(c))});
  }

  ReadContext& ctx_;
  ir::Function& fn_;
  ir::ScopeStack scopes_;
  const gp::Message* layer_params_ = nullptr;  ///< parameters of the layer being converted
};

ir::Type feature_value_type(const ir::FeatureType& f) {
  using K = ir::FeatureType::Kind;
  switch (f.kind) {
    case K::MultiArray: {
      ir::DType dt = ir::DType::Float32;
      if (f.array_dtype == ir::ArrayDType::Double) dt = ir::DType::Float64;
      if (f.array_dtype == ir::ArrayDType::Int32) dt = ir::DType::Int32;
      if (f.array_dtype == ir::ArrayDType::Float16) dt = ir::DType::Float16;
      if (f.array_dtype == ir::ArrayDType::Int8) dt = ir::DType::Int8;
      return ir::Type::tensor(dt, ir::Shape(f.shape));
    }
    case K::Image: {
      int64_t c = (f.color_space == 10 || f.color_space == 40) ? 1 : 3;
      return ir::Type::tensor(ir::DType::Float32, ir::Shape{1, c, f.image_height, f.image_width});
    }
    case K::Double: return ir::Type::scalar(ir::DType::Float64);
    case K::Int64: return ir::Type::scalar(ir::DType::Int64);
    case K::String: return ir::Type::scalar(ir::DType::String);
    default: return ir::Type{};
  }
}

}  // namespace

void convert_neural_network(const gp::RepeatedPtrField<pb::NeuralNetworkLayer>& layers,
                            const gp::RepeatedPtrField<pb::NeuralNetworkPreprocessing>& pre, ReadContext& ctx,
                            ir::Model& out) {
  ir::Function fn;
  fn.name = "main";
  fn.dialect = ir::Dialect::NeuralNetwork;
  ir::BlockId body = fn.add_block(ir::kNone);
  fn.specializations.push_back({"", body});
  NNBuilder builder(ctx, fn);
  for (const auto& f : out.inputs) builder.define_input(f.name, feature_value_type(f.type), body);
  builder.build_layers(layers, body, 0);
  // Block outputs: the model outputs, when produced by a layer (classifier outputs are made by the runtime).
  for (const auto& f : out.outputs) {
    ir::ValueId v = ir::kNone;
    for (size_t i = fn.values.size(); i-- > 0;)
      if (fn.values[i].name == f.name) { v = static_cast<ir::ValueId>(i); break; }
    if (v != ir::kNone) fn.blocks[static_cast<size_t>(body)].outputs.push_back(v);
  }
  fn.rebuild_uses();
  infer_nn_blob_types(fn);
  out.functions.push_back(std::move(fn));

  for (const auto& p : pre) {
    ir::ImagePreprocessing ip;
    ip.feature_name = p.featurename();
    if (p.has_scaler()) {
      ip.channel_scale = p.scaler().channelscale();
      ip.red_bias = p.scaler().redbias();
      ip.green_bias = p.scaler().greenbias();
      ip.blue_bias = p.scaler().bluebias();
      ip.gray_bias = p.scaler().graybias();
    }
    if (p.has_meanimage()) ip.mean_image.assign(p.meanimage().meanimage().begin(), p.meanimage().meanimage().end());
    out.preprocessing.push_back(std::move(ip));
  }
}

}  // namespace mlscope::format::pbread
