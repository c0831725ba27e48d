#include "core/util/error.h"

namespace mlscope {

std::string Location::str() const {
  std::string s = file.empty() ? std::string("<input>") : file;
  if (line > 0) {
    s += ":" + std::to_string(line);
    if (column > 0) s += ":" + std::to_string(column);
  } else if (byte_offset >= 0) {
    s += ": byte " + std::to_string(byte_offset);
  }
  if (!op.empty()) s += ": op '" + op + "'";
  return s;
}

Error::Error(Location where, const std::string& message)
    : std::runtime_error(where.str() + ": " + message), where_(std::move(where)), message_(message) {}

}  // namespace mlscope
