// A memory-mapped MIL blob storage file (weights/weight.bin, format version 2).
//
// Opening maps the file read-only and checks the 64-byte header; nothing else is read until a
// constant's bytes are asked for, so a 2 GB package costs a few pages. Every record and data
// range is bounds-checked against the file size before it is touched.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace mlscope::ir {

/// One 64-byte blob metadata record, validated.
struct BlobRecord {
  uint64_t record_offset = 0;  ///< where the record is (what BlobFileValue.offset names)
  uint32_t blob_dtype = 0;     ///< BlobDataType (storage enum, not MIL DataType)
  uint64_t size_bytes = 0;     ///< data length
  uint64_t data_offset = 0;    ///< absolute offset of the data
  uint64_t padding_bits = 0;   ///< unused bits at the end (sub-byte types)
};

/// BlobDataType numbers of the storage format (differ from MIL DataType).
enum class BlobDType : uint32_t {
  Float16 = 1, Float32 = 2, UInt8 = 3, Int8 = 4, BFloat16 = 5, Int16 = 6, UInt16 = 7, Int4 = 8,
  UInt1 = 9, UInt2 = 10, UInt4 = 11, UInt3 = 12, UInt6 = 13, Int32 = 14, UInt32 = 15,
  Float8E4M3FN = 16, Float8E5M2 = 17,
};

class BlobFile {
 public:
  /// Maps `path` and validates the header. Throws mlscope::Error (file + byte offset).
  static std::shared_ptr<const BlobFile> open(const std::string& path);
  ~BlobFile();
  BlobFile(const BlobFile&) = delete;
  BlobFile& operator=(const BlobFile&) = delete;

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }
  uint32_t blob_count() const { return count_; }

  /// Reads and validates the record at `record_offset` (sentinel, data range inside the file).
  BlobRecord record(uint64_t record_offset) const;
  /// The data bytes of a validated record (a view into the mapping; no copy).
  std::span<const uint8_t> data(const BlobRecord& r) const;

 private:
  BlobFile() = default;
  std::string path_;
  const uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  uint32_t count_ = 0;
};

}  // namespace mlscope::ir
