#include "core/ir/blob_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/util/error.h"

namespace mlscope::ir {

namespace {
constexpr uint32_t kSentinel = 0xDEADBEEFu;
constexpr uint64_t kHeaderSize = 64;
constexpr uint64_t kRecordSize = 64;

uint32_t load_u32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint64_t load_u64(const uint8_t* p) { return uint64_t(load_u32(p)) | uint64_t(load_u32(p + 4)) << 32; }
}  // namespace

std::shared_ptr<const BlobFile> BlobFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(Location::in_file(path), std::string("cannot open weight file: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(Location::in_file(path), "weight file is not a regular file");
  }
  std::shared_ptr<BlobFile> f(new BlobFile());
  f->path_ = path;
  f->size_ = static_cast<uint64_t>(st.st_size);
  if (f->size_ < kHeaderSize) {
    ::close(fd);
    throw Error(Location::at_byte(path, 0), "weight file is " + std::to_string(f->size_) +
                                                " bytes, shorter than the 64-byte blob storage header");
  }
  void* m = ::mmap(nullptr, f->size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (m == MAP_FAILED) throw Error(Location::in_file(path), std::string("cannot map weight file: ") + std::strerror(errno));
  f->base_ = static_cast<const uint8_t*>(m);
  f->count_ = load_u32(f->base_);
  uint32_t version = load_u32(f->base_ + 4);
  if (version != 2)
    throw Error(Location::at_byte(path, 4), "blob storage version " + std::to_string(version) + " (only version 2 is known)");
  return f;
}

BlobFile::~BlobFile() {
  if (base_) ::munmap(const_cast<uint8_t*>(base_), size_);
}

BlobRecord BlobFile::record(uint64_t off) const {
  if (off < kHeaderSize || off > size_ || size_ - off < kRecordSize)
    throw Error(Location::at_byte(path_, static_cast<int64_t>(off)),
                "blob record offset " + std::to_string(off) + " is outside the weight file (" +
                    std::to_string(size_) + " bytes)");
  const uint8_t* p = base_ + off;
  uint32_t sentinel = load_u32(p);
  if (sentinel != kSentinel) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08X", sentinel);
    throw Error(Location::at_byte(path_, static_cast<int64_t>(off)),
                std::string("bad blob sentinel ") + buf + " (expected 0xDEADBEEF)");
  }
  BlobRecord r;
  r.record_offset = off;
  r.blob_dtype = load_u32(p + 4);
  r.size_bytes = load_u64(p + 8);
  r.data_offset = load_u64(p + 16);
  r.padding_bits = load_u64(p + 24);
  if (r.data_offset > size_ || r.size_bytes > size_ - r.data_offset)
    throw Error(Location::at_byte(path_, static_cast<int64_t>(off)),
                "blob data [" + std::to_string(r.data_offset) + ", +" + std::to_string(r.size_bytes) +
                    ") runs past the end of the weight file (" + std::to_string(size_) + " bytes)");
  // Before iOS 18 this word was reserved and may hold garbage (DTLN corpus package); it only
  // means "padding" for the sub-byte types introduced with it.
  const bool sub_byte = r.blob_dtype == uint32_t(BlobDType::Int4) || (r.blob_dtype >= uint32_t(BlobDType::UInt1) &&
                                                                      r.blob_dtype <= uint32_t(BlobDType::UInt6));
  if (!sub_byte) r.padding_bits = 0;
  if (r.padding_bits >= 8)
    throw Error(Location::at_byte(path_, static_cast<int64_t>(off + 24)),
                "blob padding of " + std::to_string(r.padding_bits) + " bits (must be < 8)");
  return r;
}

std::span<const uint8_t> BlobFile::data(const BlobRecord& r) const {
  return {base_ + r.data_offset, static_cast<size_t>(r.size_bytes)};
}

}  // namespace mlscope::ir
