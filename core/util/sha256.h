// SHA-256 of files and buffers (OpenSSL's EVP digest), as lowercase hex.
#pragma once

#include <span>
#include <string>

namespace mlscope {

std::string sha256_hex(std::span<const unsigned char> data);
/// Streams the file in chunks. Throws mlscope::Error naming the file if it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace mlscope
