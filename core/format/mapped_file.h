// A read-only memory mapping of a whole file: model.mil text and protobuf model files can be
// many MB, so readers parse them in place instead of copying them into memory first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mlscope::format {

class MappedFile {
 public:
  /// Maps `path`. Throws mlscope::Error naming the file if it cannot be opened or mapped.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view view() const { return {data_, size_}; }
  const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(data_); }
  size_t size() const { return size_; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace mlscope::format
