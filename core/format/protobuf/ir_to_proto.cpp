// ir::Model → Model protobuf: description, program, functions, blocks, ops and values. Constant
// encodings mirror the reader (docs/coreml-formats.md §4.5 immediates, §4.6 blob threshold).
#include "core/format/protobuf/ir_to_proto.h"

#include <algorithm>
#include <cstring>

#include "core/util/error.h"

namespace mlscope::format::pbwrite {

namespace {

[[noreturn]] void fail(const WriteState& st, const std::string& op, const std::string& msg) {
  throw Error(Location::at_op(st.model_file, op), msg);
}

void set_value_type(const ir::Type& t, pb::mil::ValueType* out) {
  using K = ir::Type::Kind;
  switch (t.kind) {
    case K::Tensor: {
      auto* tt = out->mutable_tensortype();
      tt->set_datatype(static_cast<int>(t.dtype));
      if (t.shape.unknown_rank) {
        tt->set_rank(-1);
        break;
      }
      tt->set_rank(static_cast<int64_t>(t.shape.rank()));
      for (int64_t d : t.shape.dims) {
        auto* dim = tt->add_dimensions();
        if (d < 0) dim->mutable_unknown();
        else dim->mutable_constant()->set_size(static_cast<uint64_t>(d));
      }
      break;
    }
    case K::List: {
      auto* lt = out->mutable_listtype();
      if (!t.elements.empty()) set_value_type(t.elements[0], lt->mutable_type());
      if (t.list_length >= 0) lt->mutable_length()->mutable_constant()->set_size(static_cast<uint64_t>(t.list_length));
      else lt->mutable_length()->mutable_unknown();
      break;
    }
    case K::Tuple:
      for (const auto& e : t.elements) set_value_type(e, out->mutable_tupletype()->add_types());
      break;
    case K::Dict:
      if (t.elements.size() == 2) {
        set_value_type(t.elements[0], out->mutable_dictionarytype()->mutable_keytype());
        set_value_type(t.elements[1], out->mutable_dictionarytype()->mutable_valuetype());
      }
      break;
    case K::State:
      if (!t.elements.empty()) set_value_type(t.elements[0], out->mutable_statetype()->mutable_wrappedtype());
      break;
    case K::Unknown: break;
  }
}

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void set_immediate_tensor(const ir::Constant& c, const WriteState& st, const std::string& op, pb::mil::TensorValue* tv) {
  using D = ir::DType;
  const auto raw = c.raw();
  const size_t n = c.dtype() == D::String ? c.strings.size() : static_cast<size_t>(c.element_count());
  const uint8_t* p = raw.data();
  switch (c.dtype()) {
    case D::String:
      for (const auto& s : c.strings) tv->mutable_strings()->add_values(s);
      return;
    case D::Bool:
      for (size_t i = 0; i < n; ++i) tv->mutable_bools()->add_values(p[i] != 0);
      return;
    case D::Float32:
      for (size_t i = 0; i < n; ++i) tv->mutable_floats()->add_values(load<float>(p + 4 * i));
      return;
    case D::Float64:
      for (size_t i = 0; i < n; ++i) tv->mutable_doubles()->add_values(load<double>(p + 8 * i));
      return;
    case D::Int32:
      for (size_t i = 0; i < n; ++i) tv->mutable_ints()->add_values(load<int32_t>(p + 4 * i));
      return;
    case D::Int16:
      for (size_t i = 0; i < n; ++i) tv->mutable_ints()->add_values(load<int16_t>(p + 2 * i));
      return;
    case D::UInt16:
      for (size_t i = 0; i < n; ++i) tv->mutable_ints()->add_values(load<uint16_t>(p + 2 * i));
      return;
    case D::Int64:
    case D::UInt64:
      for (size_t i = 0; i < n; ++i) tv->mutable_longints()->add_values(load<int64_t>(p + 8 * i));
      return;
    case D::Invalid: fail(st, op, "constant without a dtype");
    default:  // fp16, bf16, fp8, int8, uint8, uint32, sub-byte: raw little-endian / packed bytes
      tv->mutable_bytes()->set_values(reinterpret_cast<const char*>(raw.data()), raw.size());
      if (n == 0) tv->mutable_bytes();
      return;
  }
}

bool goes_to_blob(const ir::Constant& c, const WriteState& st) {
  if (!c.is_tensor() || !blob_dtype_for(c.dtype())) return false;
  if (c.is_blob()) return true;
  // coremltools: int16/uint16/int32/uint32 use the weight file only from spec 9 on (§4.6).
  using D = ir::DType;
  const D dt = c.dtype();
  if (st.spec_version < 9 && (dt == D::Int16 || dt == D::UInt16 || dt == D::Int32 || dt == D::UInt32)) return false;
  auto n = c.shape().element_count();
  return !n || *n >= st.options.blob_threshold;
}

void set_value(const ir::Constant& c, WriteState& st, const std::string& op, pb::mil::Value* out) {
  set_value_type(c.type, out->mutable_type());
  if (c.is_tensor() && !c.is_blob() && c.dtype() != ir::DType::String) {
    // Refuse payloads that disagree with dtype × shape. A shape whose size cannot be computed
    // (overflow) is written as given, so readers can be tested against such files.
    const auto n = c.shape().element_count();
    const uint64_t need = n ? ir::dtype_storage_bytes(c.dtype(), *n).value_or(UINT64_MAX) : UINT64_MAX;
    const bool zero_reservation = st.options.sparse_zero_constants && c.bytes.empty();
    if (need != UINT64_MAX && need != c.bytes.size() && !zero_reservation)
      fail(st, op, "constant " + c.type.str() + " holds " + std::to_string(c.bytes.size()) + " bytes, needs " +
                       std::to_string(need));
  }
  if (c.is_tensor()) {
    if (goes_to_blob(c, st)) {
      const auto dt = *blob_dtype_for(c.dtype());
      const auto raw = c.raw();
      uint64_t padding = 0;
      if (ir::dtype_is_sub_byte(c.dtype())) {
        auto n = c.shape().element_count();
        uint64_t bits = n ? *n * static_cast<uint64_t>(ir::dtype_bits(c.dtype())) : 0;
        padding = (8 - bits % 8) % 8;
      }
      uint64_t record;
      if (raw.empty() && !c.is_blob() && st.options.sparse_zero_constants) {
        auto n = c.shape().element_count();
        auto bytes = n ? ir::dtype_storage_bytes(c.dtype(), *n) : std::nullopt;
        if (!bytes) fail(st, op, "zero-filled constant " + c.type.str() + " has no storable size");
        record = st.blobs().append_zeros(dt, *bytes, padding);
      } else {
        record = st.blobs().append(dt, raw, padding);
      }
      auto* bv = out->mutable_blobfilevalue();
      bv->set_filename("@model_path/weights/weight.bin");
      bv->set_offset(record);
      return;
    }
    set_immediate_tensor(c, st, op, out->mutable_immediatevalue()->mutable_tensor());
    return;
  }
  auto* iv = out->mutable_immediatevalue();
  switch (c.type.kind) {
    case ir::Type::Kind::List:
      iv->mutable_list();
      for (const auto& e : c.elements) set_value(e, st, op, iv->mutable_list()->add_values());
      break;
    case ir::Type::Kind::Tuple:
      iv->mutable_tuple();
      for (const auto& e : c.elements) set_value(e, st, op, iv->mutable_tuple()->add_values());
      break;
    case ir::Type::Kind::Dict:
      iv->mutable_dictionary();
      for (size_t i = 0; i + 1 < c.elements.size(); i += 2) {
        auto* kv = iv->mutable_dictionary()->add_values();
        set_value(c.elements[i], st, op, kv->mutable_key());
        set_value(c.elements[i + 1], st, op, kv->mutable_value());
      }
      break;
    default: fail(st, op, "cannot write a constant of type " + c.type.str());
  }
}

void set_string_value(const std::string& s, pb::mil::Value* out) {
  set_value_type(ir::Type::scalar(ir::DType::String), out->mutable_type());
  out->mutable_immediatevalue()->mutable_tensor()->mutable_strings()->add_values(s);
}

void write_block(const ir::Function& fn, ir::BlockId b, WriteState& st, pb::mil::Block* out);

void write_op(const ir::Function& fn, const ir::Op& op, WriteState& st, pb::mil::Operation* out) {
  if (op.dialect != ir::Dialect::MIL) fail(st, op.name, "only ML program ops can be written (found " + op.qualified_type() + ")");
  out->set_type(op.type);
  for (const auto& in : op.inputs) {
    auto& arg = (*out->mutable_inputs())[in.name];
    for (const auto& b : in.bindings) {
      auto* pb = arg.add_arguments();
      if (b.is_literal()) {
        if (!b.literal) fail(st, op.name, "input '" + in.name + "' has an empty binding");
        set_value(*b.literal, st, op.name, pb->mutable_value());
      } else {
        pb->set_name(fn.value(b.value).name);
      }
    }
  }
  for (ir::ValueId v : op.outputs) {
    auto* o = out->add_outputs();
    o->set_name(fn.value(v).name);
    set_value_type(fn.value(v).type, o->mutable_type());
  }
  for (ir::BlockId nb : op.blocks) write_block(fn, nb, st, out->add_blocks());
  set_string_value(op.name, &(*out->mutable_attributes())["name"]);
  for (const auto& a : op.attributes) {
    if (!a.value) fail(st, op.name, "attribute '" + a.name + "' has no value");
    set_value(*a.value, st, op.name, &(*out->mutable_attributes())[a.name]);
  }
}

void write_block(const ir::Function& fn, ir::BlockId b, WriteState& st, pb::mil::Block* out) {
  const ir::Block& blk = fn.block(b);
  for (ir::ValueId v : blk.inputs) {
    // A function's inputs are the function's, not its body's: written there again, a reader
    // would define a second value of the same name that the body's ops then read.
    if (std::find(fn.inputs.begin(), fn.inputs.end(), v) != fn.inputs.end()) continue;
    auto* in = out->add_inputs();
    in->set_name(fn.value(v).name);
    set_value_type(fn.value(v).type, in->mutable_type());
  }
  for (ir::ValueId v : blk.outputs) out->add_outputs(fn.value(v).name);
  for (ir::OpId o : blk.ops) write_op(fn, fn.op(o), st, out->add_operations());
}

void write_feature_type(const ir::FeatureType& f, pb::FeatureType* out) {
  using K = ir::FeatureType::Kind;
  out->set_isoptional(f.optional);
  auto array = [&](pb::ArrayFeatureType* a) {
    a->set_datatype(static_cast<pb::ArrayFeatureType::ArrayDataType>(f.array_dtype));
    for (int64_t d : f.shape) a->add_shape(d);
    for (const auto& s : f.enumerated_shapes) {
      auto* sh = a->mutable_enumeratedshapes()->add_shapes();
      for (int64_t d : s) sh->add_shape(d);
    }
    for (const auto& [lo, hi] : f.shape_ranges) {
      auto* r = a->mutable_shaperange()->add_sizeranges();
      r->set_lowerbound(static_cast<uint64_t>(lo));
      r->set_upperbound(hi);
    }
  };
  switch (f.kind) {
    case K::Int64: out->mutable_int64type(); break;
    case K::Double: out->mutable_doubletype(); break;
    case K::String: out->mutable_stringtype(); break;
    case K::Image: {
      auto* im = out->mutable_imagetype();
      im->set_width(f.image_width);
      im->set_height(f.image_height);
      im->set_colorspace(static_cast<pb::ImageFeatureType::ColorSpace>(f.color_space));
      break;
    }
    case K::MultiArray: array(out->mutable_multiarraytype()); break;
    case K::Dictionary:
      if (f.key_kind == K::String) out->mutable_dictionarytype()->mutable_stringkeytype();
      else out->mutable_dictionarytype()->mutable_int64keytype();
      break;
    case K::Sequence:
      if (f.key_kind == K::String) out->mutable_sequencetype()->mutable_stringtype();
      else out->mutable_sequencetype()->mutable_int64type();
      break;
    case K::State: array(out->mutable_statetype()->mutable_arraytype()); break;
    case K::Invalid: break;
  }
}

template <typename Repeated>
void write_features(const std::vector<ir::Feature>& fs, Repeated* out) {
  for (const auto& f : fs) {
    auto* d = out->Add();
    d->set_name(f.name);
    d->set_shortdescription(f.short_description);
    write_feature_type(f.type, d->mutable_type());
  }
}

void write_description(const ir::Model& m, pb::ModelDescription* d) {
  write_features(m.inputs, d->mutable_input());
  write_features(m.outputs, d->mutable_output());
  write_features(m.states, d->mutable_state());
  d->set_predictedfeaturename(m.predicted_feature_name);
  d->set_predictedprobabilitiesname(m.predicted_probabilities_name);
  d->set_defaultfunctionname(m.default_function);
  for (const auto& fd : m.function_descriptions) {
    auto* f = d->add_functions();
    f->set_name(fd.name);
    write_features(fd.inputs, f->mutable_input());
    write_features(fd.outputs, f->mutable_output());
    write_features(fd.states, f->mutable_state());
    f->set_predictedfeaturename(fd.predicted_feature_name);
    f->set_predictedprobabilitiesname(fd.predicted_probabilities_name);
  }
  auto* md = d->mutable_metadata();
  md->set_shortdescription(m.metadata.short_description);
  md->set_versionstring(m.metadata.version);
  md->set_author(m.metadata.author);
  md->set_license(m.metadata.license);
  for (const auto& [k, v] : m.metadata.user_defined) (*md->mutable_userdefined())[k] = v;
}

// program_attributes "buildInfo.<key>" entries go back into the buildInfo dictionary.
void write_program_attributes(const ir::Model& m, pb::mil::Program* p) {
  ir::Type str = ir::Type::scalar(ir::DType::String);
  for (const auto& [key, value] : m.program_attributes) {
    auto dot = key.find('.');
    if (dot == std::string::npos) {
      set_string_value(value, &(*p->mutable_attributes())[key]);
      continue;
    }
    pb::mil::Value& dict = (*p->mutable_attributes())[key.substr(0, dot)];
    if (!dict.has_type()) set_value_type(ir::Type::dict(str, str), dict.mutable_type());
    auto* kv = dict.mutable_immediatevalue()->mutable_dictionary()->add_values();
    set_string_value(key.substr(dot + 1), kv->mutable_key());
    set_string_value(value, kv->mutable_value());
  }
}

}  // namespace

void build_model_proto(const ir::Model& m, WriteState& st, pb::Model* out) {
  if (!m.is_ml_program())
    throw Error(Location::in_file(st.model_file), "the writer handles ML programs only (model kind is '" + m.kind + "')");
  out->set_specificationversion(static_cast<int32_t>(m.specification_version));
  st.spec_version = m.specification_version;
  out->set_isupdatable(m.is_updatable);
  write_description(m, out->mutable_description());
  auto* prog = out->mutable_mlprogram();
  prog->set_version(m.program_version ? m.program_version : 1);
  write_program_attributes(m, prog);
  for (const auto& fn : m.functions) {
    pb::mil::Function& pf = (*prog->mutable_functions())[fn.name];
    pf.set_opset(fn.opset);
    for (ir::ValueId v : fn.inputs) {
      auto* in = pf.add_inputs();
      in->set_name(fn.value(v).name);
      set_value_type(fn.value(v).type, in->mutable_type());
    }
    for (const auto& spec : fn.specializations) write_block(fn, spec.body, st, &(*pf.mutable_block_specializations())[spec.opset]);
  }
}

}  // namespace mlscope::format::pbwrite
