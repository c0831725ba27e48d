// Constant: a compile-time value — inline bytes, a lazy view into a weight blob, strings, or a
// list/tuple/dict of constants. Values are decoded only when asked for.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/ir/blob_file.h"
#include "core/ir/type.h"

namespace mlscope::ir {

/// Where a blob-backed constant lives.
struct BlobRef {
  std::shared_ptr<const BlobFile> file;
  BlobRecord record;
};

class Constant {
 public:
  Type type;  ///< tensor type for tensors; list/tuple/dict types for containers

  /// Inline payload of a numeric/bool tensor, stored exactly as in the file: little-endian,
  /// sub-byte dtypes bit-packed LSB-first, bool one byte per element.
  std::vector<uint8_t> bytes;
  std::vector<std::string> strings;  ///< payload of a string tensor
  std::optional<BlobRef> blob;       ///< payload in a weight file (bytes empty)
  /// List/tuple elements; for a dict: key0, value0, key1, value1, ...
  std::vector<Constant> elements;

  // --- construction helpers (used by readers, the writer and tests) ---
  static Constant from_floats(const std::vector<float>& v, Shape shape, DType dt = DType::Float32);
  static Constant from_ints(const std::vector<int64_t>& v, Shape shape, DType dt = DType::Int32);
  static Constant from_string(std::string s);
  static Constant from_bool(bool b);
  /// Raw stored bytes of dtype `dt` (already packed). Validates the byte count.
  static Constant from_raw(DType dt, Shape shape, std::vector<uint8_t> raw);

  // --- queries ---
  bool is_tensor() const { return type.is_tensor(); }
  bool is_blob() const { return blob.has_value(); }
  DType dtype() const { return type.dtype; }
  const Shape& shape() const { return type.shape; }
  /// Element count from the shape; throws mlscope::Error if the shape is dynamic or overflows.
  uint64_t element_count() const;
  /// Bytes as stored (inline bytes or the blob view). Empty for strings/containers.
  std::span<const uint8_t> raw() const;
  /// Stored size in bytes (what it costs on disk/in memory as stored).
  uint64_t stored_bytes() const;
  /// "inline" or "blob @<record offset> (<file name>)".
  std::string location() const;

  /// Checks that the stored byte count matches dtype × shape. Throws mlscope::Error naming
  /// `where` (the owning op) and, for blobs, the file and record offset.
  void validate(const std::string& where = {}) const;

  // --- decoding (every numeric dtype incl. fp16, bf16, fp8 and sub-byte ints) ---
  std::vector<float> to_floats() const;
  std::vector<double> to_doubles() const;
  std::vector<int64_t> to_ints() const;
  /// Element i as double, without decoding the whole tensor.
  double element(uint64_t i) const;

  std::optional<int64_t> scalar_int() const;
  std::optional<double> scalar_float() const;
  std::optional<bool> scalar_bool() const;
  std::optional<std::string> scalar_string() const;

  /// Short human text: scalars as their value, small vectors in full, else dtype+shape.
  std::string summary(size_t max_elements = 8) const;
};

/// Reads element i of a packed little-endian buffer of dtype dt as double (no bounds check).
double decode_element(DType dt, const uint8_t* data, uint64_t i);

}  // namespace mlscope::ir
