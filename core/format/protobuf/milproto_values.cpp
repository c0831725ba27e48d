// MIL.proto ValueType / Value → ir::Type / ir::Constant. Immediate payload encodings follow
// docs/coreml-formats.md §4.5; blob references §5/§6.
#include "core/format/protobuf/milproto_values.h"

#include <cstring>
#include <limits>

#include "core/format/blob_writer.h"
#include "core/util/error.h"

namespace mlscope::format::pbread {

namespace {

[[noreturn]] void fail(const ReadContext& ctx, const std::string& op, const std::string& msg) {
  throw Error(Location::at_op(ctx.file, op), msg);
}

ir::DType convert_dtype(int v, const ReadContext& ctx, const std::string& op) {
  auto d = ir::dtype_from_proto(v);
  if (!d || *d == ir::DType::Invalid) fail(ctx, op, "unknown MIL data type " + std::to_string(v));
  return *d;
}

template <typename T>
void append_le(std::vector<uint8_t>& out, T v) {
  uint8_t b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));  // little-endian host (x86-64 / arm64)
  out.insert(out.end(), b, b + sizeof(T));
}

// Narrows int32 immediates of int16/uint16/int8/uint8 tensors (ints field) to their width.
void append_int_as(std::vector<uint8_t>& out, ir::DType dt, int64_t v) {
  switch (ir::dtype_bits(dt)) {
    case 8: out.push_back(static_cast<uint8_t>(v)); break;
    case 16: append_le(out, static_cast<uint16_t>(v)); break;
    case 32: append_le(out, static_cast<uint32_t>(v)); break;
    default: append_le(out, static_cast<uint64_t>(v)); break;
  }
}

ir::Constant convert_tensor_value(const pb::mil::TensorValue& tv, const ir::Type& type, const ReadContext& ctx,
                                  const std::string& op) {
  using TV = pb::mil::TensorValue;
  ir::Constant c;
  c.type = type;
  const ir::DType dt = type.dtype;
  auto need_bits = [&](int bits) {
    if (ir::dtype_bits(dt) != bits)
      fail(ctx, op, "immediate value encoding does not fit dtype " + std::string(ir::dtype_name(dt)));
  };
  switch (tv.value_case()) {
    case TV::kFloats:
      need_bits(32);
      for (float f : tv.floats().values()) append_le(c.bytes, f);
      break;
    case TV::kDoubles:
      need_bits(64);
      for (double d : tv.doubles().values()) append_le(c.bytes, d);
      break;
    case TV::kInts:
      if (dt == ir::DType::String || ir::dtype_is_sub_byte(dt) || ir::dtype_bits(dt) > 32)
        fail(ctx, op, "int32 immediate values for dtype " + std::string(ir::dtype_name(dt)));
      for (int32_t v : tv.ints().values()) append_int_as(c.bytes, dt, v);
      break;
    case TV::kLongInts:
      need_bits(64);
      for (int64_t v : tv.longints().values()) append_le(c.bytes, v);
      break;
    case TV::kBools:
      need_bits(8);
      for (bool b : tv.bools().values()) c.bytes.push_back(b ? 1 : 0);
      break;
    case TV::kStrings:
      if (dt != ir::DType::String) fail(ctx, op, "string immediate values for dtype " + std::string(ir::dtype_name(dt)));
      c.strings.assign(tv.strings().values().begin(), tv.strings().values().end());
      break;
    case TV::kBytes: {
      const std::string& b = tv.bytes().values();
      c.bytes.assign(b.begin(), b.end());
      break;
    }
    case TV::VALUE_NOT_SET: break;  // empty tensor
  }
  return c;
}

ir::Constant convert_value_rec(const pb::mil::Value& v, ReadContext& ctx, const std::string& op, int depth);

ir::Constant convert_immediate(const pb::mil::Value::ImmediateValue& iv, const ir::Type& type, ReadContext& ctx,
                               const std::string& op, int depth) {
  using IV = pb::mil::Value::ImmediateValue;
  ir::Constant c;
  c.type = type;
  switch (iv.value_case()) {
    case IV::kTensor:
      if (!type.is_tensor()) fail(ctx, op, "tensor value with non-tensor type " + type.str());
      return convert_tensor_value(iv.tensor(), type, ctx, op);
    case IV::kTuple:
      for (const auto& e : iv.tuple().values()) c.elements.push_back(convert_value_rec(e, ctx, op, depth + 1));
      return c;
    case IV::kList:
      for (const auto& e : iv.list().values()) c.elements.push_back(convert_value_rec(e, ctx, op, depth + 1));
      return c;
    case IV::kDictionary:
      for (const auto& kv : iv.dictionary().values()) {
        c.elements.push_back(convert_value_rec(kv.key(), ctx, op, depth + 1));
        c.elements.push_back(convert_value_rec(kv.value(), ctx, op, depth + 1));
      }
      return c;
    case IV::VALUE_NOT_SET: break;
  }
  fail(ctx, op, "immediate value without payload");
}

ir::Constant convert_blob(const pb::mil::Value::BlobFileValue& bv, const ir::Type& type, ReadContext& ctx,
                          const std::string& op) {
  if (!type.is_tensor()) fail(ctx, op, "weight-file value with non-tensor type " + type.str());
  auto file = ctx.blob_file(bv.filename(), op);
  ir::Constant c;
  c.type = type;
  try {
    c.blob = ir::BlobRef{file, file->record(bv.offset())};
  } catch (const Error& e) {
    Location l = e.where();
    l.op = op;
    throw Error(l, e.message());
  }
  auto want_dt = blob_dtype_for(type.dtype);
  uint32_t want = want_dt ? static_cast<uint32_t>(*want_dt) : 0;
  if (want != c.blob->record.blob_dtype) {
    Location l = Location::at_byte(file->path(), static_cast<int64_t>(bv.offset() + 4));
    l.op = op;
    throw Error(l, "blob data type " + std::to_string(c.blob->record.blob_dtype) + " does not match the value's " +
                       std::string(ir::dtype_name(type.dtype)) + " (expected blob type " + std::to_string(want) + ")");
  }
  return c;
}

ir::Constant convert_value_rec(const pb::mil::Value& v, ReadContext& ctx, const std::string& op, int depth) {
  if (depth > 64) fail(ctx, op, "values nested more than 64 deep");
  ir::Type type = convert_value_type(v.type(), ctx, op);
  ir::Constant c;
  switch (v.value_case()) {
    case pb::mil::Value::kImmediateValue: c = convert_immediate(v.immediatevalue(), type, ctx, op, depth); break;
    case pb::mil::Value::kBlobFileValue: c = convert_blob(v.blobfilevalue(), type, ctx, op); break;
    case pb::mil::Value::VALUE_NOT_SET: fail(ctx, op, "value without payload");
  }
  if (c.is_tensor()) {
    try {
      c.validate(op);
    } catch (const Error& e) {
      Location l = e.where();
      if (l.file.empty()) l.file = ctx.file;
      l.op = op;
      throw Error(l, e.message());
    }
  }
  return c;
}

}  // namespace

ir::Type convert_value_type(const pb::mil::ValueType& t, const ReadContext& ctx, const std::string& op) {
  using VT = pb::mil::ValueType;
  switch (t.type_case()) {
    case VT::kTensorType: {
      const auto& tt = t.tensortype();
      ir::Shape shape;
      if (tt.rank() < 0) shape.unknown_rank = true;
      for (const auto& d : tt.dimensions()) {
        if (d.has_constant()) {
          if (d.constant().size() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            fail(ctx, op, "dimension " + std::to_string(d.constant().size()) + " is too large");
          shape.dims.push_back(static_cast<int64_t>(d.constant().size()));
        } else if (d.has_unknown() && d.unknown().variadic()) {
          shape.unknown_rank = true;
        } else {
          shape.dims.push_back(ir::kUnknownDim);
        }
      }
      return ir::Type::tensor(convert_dtype(tt.datatype(), ctx, op), std::move(shape));
    }
    case VT::kListType: {
      int64_t len = ir::kUnknownDim;
      if (t.listtype().length().has_constant()) len = static_cast<int64_t>(t.listtype().length().constant().size());
      return ir::Type::list(convert_value_type(t.listtype().type(), ctx, op), len < 0 ? ir::kUnknownDim : len);
    }
    case VT::kTupleType: {
      std::vector<ir::Type> el;
      for (const auto& e : t.tupletype().types()) el.push_back(convert_value_type(e, ctx, op));
      return ir::Type::tuple(std::move(el));
    }
    case VT::kDictionaryType:
      return ir::Type::dict(convert_value_type(t.dictionarytype().keytype(), ctx, op),
                            convert_value_type(t.dictionarytype().valuetype(), ctx, op));
    case VT::kStateType: return ir::Type::state(convert_value_type(t.statetype().wrappedtype(), ctx, op));
    case VT::TYPE_NOT_SET: break;
  }
  return ir::Type{};
}

std::shared_ptr<const ir::Constant> convert_value(const pb::mil::Value& v, ReadContext& ctx, const std::string& op) {
  return std::make_shared<const ir::Constant>(convert_value_rec(v, ctx, op, 0));
}

}  // namespace mlscope::format::pbread
