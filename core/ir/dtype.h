// Element types of MIL tensors. The numbering is MIL.proto's DataType enum (a file-format fact),
// so a value read from a protobuf converts with a range check and nothing else.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mlscope::ir {

enum class DType : uint8_t {
  Invalid = 0,
  Bool = 1,
  String = 2,
  Float16 = 10,
  Float32 = 11,
  Float64 = 12,
  BFloat16 = 13,
  Int8 = 21,
  Int16 = 22,
  Int32 = 23,
  Int64 = 24,
  Int4 = 25,
  UInt8 = 31,
  UInt16 = 32,
  UInt32 = 33,
  UInt64 = 34,
  UInt4 = 35,
  UInt2 = 36,
  UInt1 = 37,
  UInt6 = 38,
  UInt3 = 39,
  Float8E4M3FN = 40,
  Float8E5M2 = 41,
};

/// MIL text spelling: fp16, fp32, int8, uint4, bool, string ... ("invalid" for Invalid).
std::string_view dtype_name(DType t);
/// Parses a MIL text spelling (also accepts "float16"/"float32" aliases). nullopt if unknown.
std::optional<DType> dtype_from_name(std::string_view name);
/// Converts MIL.proto's enum number; nullopt if it names no known type.
std::optional<DType> dtype_from_proto(int value);

/// Bits per stored element (bool: 8; string: 0).
int dtype_bits(DType t);
bool dtype_is_float(DType t);
bool dtype_is_integer(DType t);  ///< signed or unsigned integer, any width
bool dtype_is_signed(DType t);   ///< signed integer or float
bool dtype_is_sub_byte(DType t);  ///< int4, uint1..uint6: bit-packed LSB-first
/// Bytes needed to store n elements (sub-byte types packed; overflow-checked, nullopt on overflow).
std::optional<uint64_t> dtype_storage_bytes(DType t, uint64_t n);

/// Core ML model-description ArrayDataType (FeatureTypes.proto): FLOAT16=0x10010 etc.
enum class ArrayDType : uint32_t {
  Invalid = 0,
  Float16 = 0x10010,
  Float32 = 0x10020,
  Double = 0x10040,
  Int8 = 0x20008,
  Int32 = 0x20020,
};
std::string_view array_dtype_name(ArrayDType t);  ///< "FLOAT16", "FLOAT32", "DOUBLE", "INT32", ...

}  // namespace mlscope::ir
