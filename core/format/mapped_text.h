// A read-only memory mapping of a text file (model.mil can be many MB: parse it in place
// instead of copying it into a string).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mlscope::format {

class MappedText {
 public:
  /// Maps `path`. Throws mlscope::Error naming the file if it cannot be opened or mapped.
  explicit MappedText(const std::string& path);
  ~MappedText();
  MappedText(const MappedText&) = delete;
  MappedText& operator=(const MappedText&) = delete;

  std::string_view view() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace mlscope::format
