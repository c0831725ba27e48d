// Writing MIL blob storage files (weights/weight.bin, format version 2; docs/coreml-formats.md §6):
// 64-byte header, then per blob a 64-byte record (sentinel 0xDEADBEEF) followed by its data,
// every record 64-byte aligned.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/ir/blob_file.h"
#include "core/ir/dtype.h"

namespace mlscope::format {

/// Storage type code of a MIL dtype (§6.3); nullopt for dtypes that never live in a blob
/// (bool, string, int64, uint64, fp64).
std::optional<ir::BlobDType> blob_dtype_for(ir::DType t);

class BlobWriter {
 public:
  /// Creates (truncates) `path`. Throws mlscope::Error on I/O failure.
  explicit BlobWriter(std::string path);
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  /// Appends one blob; returns the offset of its metadata record (what BlobFileValue.offset holds).
  uint64_t append(ir::BlobDType dt, std::span<const uint8_t> data, uint64_t padding_bits = 0);
  /// Appends a zero-filled blob of `size_bytes` without writing the data: the file is extended
  /// with ftruncate, so a multi-GB blob costs no disk blocks on filesystems with sparse files.
  uint64_t append_zeros(ir::BlobDType dt, uint64_t size_bytes, uint64_t padding_bits = 0);
  /// Writes the header (blob count) and closes the file. Called by the destructor if needed.
  void finish();

  uint32_t count() const { return count_; }
  const std::string& path() const { return path_; }

 private:
  uint64_t write_record(ir::BlobDType dt, uint64_t size_bytes, uint64_t padding_bits);
  void write_at(uint64_t offset, const void* data, size_t n);

  std::string path_;
  int fd_ = -1;
  uint64_t end_ = 0;
  uint32_t count_ = 0;
};

}  // namespace mlscope::format
