#include "core/util/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <vector>

#include "core/util/error.h"

namespace mlscope {

namespace {
struct Ctx {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  Ctx() {
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw std::runtime_error("SHA-256 init failed");
  }
  void update(const void* p, size_t n) { EVP_DigestUpdate(ctx.get(), p, n); }
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), md, &len);
    std::string s;
    char b[3];
    for (unsigned i = 0; i < len; ++i) {
      std::snprintf(b, sizeof b, "%02x", md[i]);
      s += b;
    }
    return s;
  }
};
}  // namespace

std::string sha256_hex(std::span<const unsigned char> data) {
  Ctx c;
  c.update(data.data(), data.size());
  return c.hex();
}

std::string sha256_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Location::in_file(path), "cannot open file to hash it");
  Ctx c;
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) c.update(buf.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) throw Error(Location::in_file(path), "read error while hashing");
  return c.hex();
}

}  // namespace mlscope
