#include "core/format/blob_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/util/error.h"

namespace mlscope::format {

namespace {
constexpr uint32_t kSentinel = 0xDEADBEEFu;
constexpr uint64_t kAlign = 64;
uint64_t align64(uint64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }
void put_u32(uint8_t* p, uint32_t v) { for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i)); }
void put_u64(uint8_t* p, uint64_t v) { for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i)); }
}  // namespace

std::optional<ir::BlobDType> blob_dtype_for(ir::DType t) {
  using D = ir::DType;
  using B = ir::BlobDType;
  switch (t) {
    case D::Float16: return B::Float16;
    case D::Float32: return B::Float32;
    case D::UInt8: return B::UInt8;
    case D::Int8: return B::Int8;
    case D::BFloat16: return B::BFloat16;
    case D::Int16: return B::Int16;
    case D::UInt16: return B::UInt16;
    case D::Int4: return B::Int4;
    case D::UInt1: return B::UInt1;
    case D::UInt2: return B::UInt2;
    case D::UInt4: return B::UInt4;
    case D::UInt3: return B::UInt3;
    case D::UInt6: return B::UInt6;
    case D::Int32: return B::Int32;
    case D::UInt32: return B::UInt32;
    case D::Float8E4M3FN: return B::Float8E4M3FN;
    case D::Float8E5M2: return B::Float8E5M2;
    default: return std::nullopt;
  }
}

BlobWriter::BlobWriter(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(Location::in_file(path_), std::string("cannot create weight file: ") + std::strerror(errno));
  uint8_t header[64] = {};
  put_u32(header + 4, 2);  // storage format version
  write_at(0, header, sizeof header);
  end_ = 64;
}

BlobWriter::~BlobWriter() {
  try {
    finish();
  } catch (...) {  // destructors must not throw; finish() reports errors when called explicitly
  }
}

void BlobWriter::write_at(uint64_t offset, const void* data, size_t n) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    ssize_t w = ::pwrite(fd_, p, n, static_cast<off_t>(offset));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) throw Error(Location::at_byte(path_, static_cast<int64_t>(offset)), std::string("write failed: ") + std::strerror(errno));
    p += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
}

uint64_t BlobWriter::write_record(ir::BlobDType dt, uint64_t size_bytes, uint64_t padding_bits) {
  if (fd_ < 0) throw Error(Location::in_file(path_), "weight file already finished");
  const uint64_t record = align64(end_);
  uint8_t meta[64] = {};
  put_u32(meta, kSentinel);
  put_u32(meta + 4, static_cast<uint32_t>(dt));
  put_u64(meta + 8, size_bytes);
  put_u64(meta + 16, record + 64);
  put_u64(meta + 24, padding_bits);
  write_at(record, meta, sizeof meta);
  end_ = record + 64 + size_bytes;
  ++count_;
  return record;
}

uint64_t BlobWriter::append(ir::BlobDType dt, std::span<const uint8_t> data, uint64_t padding_bits) {
  uint64_t record = write_record(dt, data.size(), padding_bits);
  if (!data.empty()) write_at(record + 64, data.data(), data.size());
  return record;
}

uint64_t BlobWriter::append_zeros(ir::BlobDType dt, uint64_t size_bytes, uint64_t padding_bits) {
  uint64_t record = write_record(dt, size_bytes, padding_bits);
  if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0)
    throw Error(Location::in_file(path_), std::string("cannot extend weight file: ") + std::strerror(errno));
  return record;
}

void BlobWriter::finish() {
  if (fd_ < 0) return;
  uint8_t count[4];
  put_u32(count, count_);
  write_at(0, count, sizeof count);
  // Trailing gap after the last blob: pad to 64 so the file size is aligned like coremltools'.
  if (::ftruncate(fd_, static_cast<off_t>(align64(end_))) != 0 || ::close(fd_) != 0) {
    fd_ = -1;
    throw Error(Location::in_file(path_), std::string("cannot finish weight file: ") + std::strerror(errno));
  }
  fd_ = -1;
}

}  // namespace mlscope::format
