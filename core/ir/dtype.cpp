#include "core/ir/dtype.h"

#include <limits>

namespace mlscope::ir {

namespace {
struct DTypeInfo {
  DType type;
  std::string_view name;
  int bits;
};
constexpr DTypeInfo kInfo[] = {
    {DType::Bool, "bool", 8},        {DType::String, "string", 0},   {DType::Float16, "fp16", 16},
    {DType::Float32, "fp32", 32},    {DType::Float64, "fp64", 64},   {DType::BFloat16, "bf16", 16},
    {DType::Int8, "int8", 8},        {DType::Int16, "int16", 16},    {DType::Int32, "int32", 32},
    {DType::Int64, "int64", 64},     {DType::Int4, "int4", 4},       {DType::UInt8, "uint8", 8},
    {DType::UInt16, "uint16", 16},   {DType::UInt32, "uint32", 32},  {DType::UInt64, "uint64", 64},
    {DType::UInt4, "uint4", 4},      {DType::UInt2, "uint2", 2},     {DType::UInt1, "uint1", 1},
    {DType::UInt6, "uint6", 6},      {DType::UInt3, "uint3", 3},     {DType::Float8E4M3FN, "fp8e4m3fn", 8},
    {DType::Float8E5M2, "fp8e5m2", 8},
};
const DTypeInfo* info(DType t) {
  for (const auto& i : kInfo)
    if (i.type == t) return &i;
  return nullptr;
}
}  // namespace

std::string_view dtype_name(DType t) {
  const DTypeInfo* i = info(t);
  return i ? i->name : std::string_view("invalid");
}

std::optional<DType> dtype_from_name(std::string_view name) {
  for (const auto& i : kInfo)
    if (i.name == name) return i.type;
  if (name == "float16") return DType::Float16;
  if (name == "float32" || name == "float") return DType::Float32;
  if (name == "float64" || name == "double") return DType::Float64;
  if (name == "bfloat16") return DType::BFloat16;
  return std::nullopt;
}

std::optional<DType> dtype_from_proto(int value) {
  if (value < 0 || value > 255) return std::nullopt;
  DType t = static_cast<DType>(value);
  return info(t) ? std::optional<DType>(t) : std::nullopt;
}

int dtype_bits(DType t) {
  const DTypeInfo* i = info(t);
  return i ? i->bits : 0;
}

bool dtype_is_float(DType t) {
  switch (t) {
    case DType::Float16: case DType::Float32: case DType::Float64: case DType::BFloat16:
    case DType::Float8E4M3FN: case DType::Float8E5M2:
      return true;
    default:
      return false;
  }
}

bool dtype_is_integer(DType t) {
  switch (t) {
    case DType::Int8: case DType::Int16: case DType::Int32: case DType::Int64: case DType::Int4:
    case DType::UInt8: case DType::UInt16: case DType::UInt32: case DType::UInt64:
    case DType::UInt4: case DType::UInt2: case DType::UInt1: case DType::UInt6: case DType::UInt3:
      return true;
    default:
      return false;
  }
}

bool dtype_is_signed(DType t) {
  switch (t) {
    case DType::Int8: case DType::Int16: case DType::Int32: case DType::Int64: case DType::Int4:
      return true;
    default:
      return dtype_is_float(t);
  }
}

bool dtype_is_sub_byte(DType t) {
  int b = dtype_bits(t);
  return b > 0 && b < 8;
}

std::optional<uint64_t> dtype_storage_bytes(DType t, uint64_t n) {
  uint64_t bits = static_cast<uint64_t>(dtype_bits(t));
  if (bits == 0) return std::nullopt;
  if (n > std::numeric_limits<uint64_t>::max() / bits) return std::nullopt;
  return (n * bits + 7) / 8;
}

std::string_view array_dtype_name(ArrayDType t) {
  switch (t) {
    case ArrayDType::Float16: return "FLOAT16";
    case ArrayDType::Float32: return "FLOAT32";
    case ArrayDType::Double: return "DOUBLE";
    case ArrayDType::Int8: return "INT8";
    case ArrayDType::Int32: return "INT32";
    default: return "INVALID_ARRAY_DATA_TYPE";
  }
}

}  // namespace mlscope::ir
