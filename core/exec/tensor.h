// Tensor: the runtime value of the interpreter and of every backend — dtype + shape + owned storage.
//
// Storage is chosen by dtype family so kernels touch one plain array:
//   float family (fp16, fp32, fp64, bf16) -> float  (fp16 tensors hold values exactly representable
//                                                    in fp16; profiles round before storing)
//   integers and bool                      -> int64_t
//   int8 / uint8 made by quantize          -> one byte each (8x less memory and bandwidth for
//                                             quantized activations); ints() widens on demand
//   string                                 -> std::string
// Storage is shared (copy-on-write through mutable_*()), so reshape/identity/squeeze are free.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/ir/dtype.h"

namespace mlscope::exec {

using Dims = std::vector<int64_t>;

/// Element count of `dims`; throws mlscope::Error on a negative dim or overflow.
uint64_t dims_count(const Dims& dims);
/// "[1, 3, 224, 224]"
std::string dims_str(const Dims& dims);

enum class Storage : uint8_t { Float, Int, String };
Storage storage_of(ir::DType dt);

class Tensor {
 public:
  Tensor() = default;
  /// Zero-filled tensor of dtype/shape.
  Tensor(ir::DType dt, Dims shape);
  /// Tensor whose numeric values are unspecified (storage recycled from freed tensors when
  /// possible): for kernels that write every element.
  static Tensor uninitialized(ir::DType dt, Dims shape);

  static Tensor from_floats(ir::DType dt, Dims shape, std::vector<float> v);
  static Tensor from_ints(ir::DType dt, Dims shape, std::vector<int64_t> v);
  /// Int8 or UInt8 tensor kept one byte per element (`bytes` hold int8_t or uint8_t bit patterns).
  static Tensor from_bytes(ir::DType dt, Dims shape, std::vector<uint8_t> bytes);
  static Tensor from_strings(Dims shape, std::vector<std::string> v);
  static Tensor scalar_float(float v, ir::DType dt = ir::DType::Float32);
  static Tensor scalar_int(int64_t v, ir::DType dt = ir::DType::Int32);

  ir::DType dtype() const { return dtype_; }
  const Dims& shape() const { return shape_; }
  size_t rank() const { return shape_.size(); }
  uint64_t size() const { return count_; }
  bool empty() const { return dtype_ == ir::DType::Invalid; }
  Storage storage() const { return storage_of(dtype_); }
  bool is_float() const { return storage() == Storage::Float; }

  std::span<const float> floats() const;
  /// Integer values; for byte storage this widens once into a cache kept with the tensor.
  std::span<const int64_t> ints() const;
  /// True when the values are held one byte each (from_bytes); then `bytes()` reads them.
  bool has_byte_storage() const { return b_ != nullptr; }
  /// Raw bytes of byte storage: int8_t bit patterns when byte_storage_signed(), else uint8_t.
  std::span<const uint8_t> bytes() const;
  bool byte_storage_signed() const { return b_signed_; }
  const std::vector<std::string>& strings() const;
  /// Writable views; copy the storage first if it is shared with another tensor.
  std::span<float> mutable_floats();
  std::span<int64_t> mutable_ints();
  std::vector<std::string>& mutable_strings();

  /// Element i converted to double (any numeric storage).
  double at(uint64_t i) const;
  /// Same data viewed with another shape (element count must match; shares storage).
  Tensor reshaped(Dims shape) const;
  /// Same values relabeled with another dtype of the same storage family (shares storage).
  Tensor relabeled(ir::DType dt) const;
  /// Converted copy (float<->int with truncation toward zero like MIL cast, int ranges wrapped to
  /// the target width, fp16 rounded to nearest even, bool = value != 0).
  Tensor cast_to(ir::DType dt) const;
  /// Bytes held by the storage (for memory accounting).
  uint64_t storage_bytes() const;
  /// True when both tensors share one storage buffer.
  bool shares_storage_with(const Tensor& o) const;
  /// True for float storage that no other Tensor shares (writing it changes no one else's values).
  bool float_storage_unshared() const { return f_ && f_.use_count() == 1; }

 private:
  ir::DType dtype_ = ir::DType::Invalid;
  Dims shape_;
  uint64_t count_ = 0;
  std::shared_ptr<std::vector<float>> f_;
  mutable std::shared_ptr<std::vector<int64_t>> i_;  // for byte storage: the widened cache
  std::shared_ptr<std::vector<uint8_t>> b_;
  bool b_signed_ = false;
  std::shared_ptr<std::vector<std::string>> s_;
};

/// Calls f with the codes of a byte-storage tensor as `const int8_t*` or `const uint8_t*` (by the
/// storage's signedness) and returns true; returns false for any other storage.
template <typename F>
bool with_byte_codes(const Tensor& t, F&& f) {
  if (!t.has_byte_storage()) return false;
  if (t.byte_storage_signed())
    f(reinterpret_cast<const int8_t*>(t.bytes().data()));
  else
    f(t.bytes().data());
  return true;
}

/// A classifier's probability dictionary (Core ML dictionary feature: string or int64 keys).
struct Dictionary {
  bool string_keys = true;
  std::vector<std::string> string_key;
  std::vector<int64_t> int_key;
  std::vector<double> value;
  size_t size() const { return value.size(); }
};

/// A MIL list value (make_list / list_write ...): elements of one dtype, possibly growing.
struct TensorList {
  ir::DType elem_dtype = ir::DType::Float32;
  Dims elem_shape;  ///< may contain -1 for dynamic
  bool dynamic_length = true;
  std::vector<Tensor> items;  ///< empty Tensor = never written
};

/// Any value a model feature, state or intermediate can hold.
using RunValue = std::variant<Tensor, Dictionary, TensorList>;

/// Short human description: "fp32 [1, 2]", "dict<string,double> (4 entries)", "list(3)".
std::string describe(const RunValue& v);

}  // namespace mlscope::exec
