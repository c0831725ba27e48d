#include "core/util/npy.h"

#include <cstring>
#include <fstream>
#include <limits>

#include "core/util/error.h"
#include "core/util/half.h"

namespace mlscope {

namespace {

struct DescrInfo {
  const char* descr;
  const char* name;
  int bytes;
};
constexpr DescrInfo kDescrs[] = {
    {"<f2", "float16", 2}, {"<f4", "float32", 4}, {"<f8", "float64", 8}, {"|i1", "int8", 1},
    {"|u1", "uint8", 1},   {"<i2", "int16", 2},   {"<u2", "uint16", 2},  {"<i4", "int32", 4},
    {"<u4", "uint32", 4},  {"<i8", "int64", 8},   {"<u8", "uint64", 8},  {"|b1", "bool", 1},
};

const DescrInfo* find_descr(const std::string& d) {
  for (const auto& x : kDescrs)
    if (d == x.descr) return &x;
  return nullptr;
}

/// Value of key `key` in the header dict, as the raw text up to the next top-level ',' or '}'.
std::string dict_value(const std::string& h, const std::string& key, const std::string& name, int64_t header_at) {
  auto k = h.find("'" + key + "'");
  if (k == std::string::npos) throw Error(Location::at_byte(name, header_at), "npy header has no '" + key + "' key");
  auto colon = h.find(':', k);
  if (colon == std::string::npos) throw Error(Location::at_byte(name, header_at + static_cast<int64_t>(k)), "npy header: ':' missing after '" + key + "'");
  size_t i = colon + 1;
  while (i < h.size() && h[i] == ' ') ++i;
  size_t j = i;
  int depth = 0;
  for (; j < h.size(); ++j) {
    if (h[j] == '(') ++depth;
    if (h[j] == ')') --depth;
    if (depth == 0 && (h[j] == ',' || h[j] == '}')) break;
  }
  return h.substr(i, j - i);
}

}  // namespace

std::string NpyArray::dtype_name() const {
  const auto* d = find_descr(descr);
  return d ? d->name : "";
}

uint64_t NpyArray::element_count() const {
  uint64_t n = 1;
  for (int64_t d : shape) n *= static_cast<uint64_t>(d);
  return n;
}

std::vector<double> NpyArray::to_doubles() const {
  const auto* d = find_descr(descr);
  if (!d) throw Error(Location::in_file(""), "npy dtype '" + descr + "' is not numeric");
  const uint64_t n = element_count();
  std::vector<double> out(n);
  const uint8_t* p = data.data();
  for (uint64_t i = 0; i < n; ++i, p += d->bytes) {
    const std::string_view name = d->name;
    if (name == "float16") {
      uint16_t h;
      std::memcpy(&h, p, 2);
      out[i] = half_to_float(h);
    } else if (name == "float32") {
      float f;
      std::memcpy(&f, p, 4);
      out[i] = f;
    } else if (name == "float64") {
      std::memcpy(&out[i], p, 8);
    } else if (name == "int8") {
      out[i] = static_cast<int8_t>(*p);
    } else if (name == "uint8" || name == "bool") {
      out[i] = *p;
    } else if (name == "int16") {
      int16_t v; std::memcpy(&v, p, 2); out[i] = v;
    } else if (name == "uint16") {
      uint16_t v; std::memcpy(&v, p, 2); out[i] = v;
    } else if (name == "int32") {
      int32_t v; std::memcpy(&v, p, 4); out[i] = v;
    } else if (name == "uint32") {
      uint32_t v; std::memcpy(&v, p, 4); out[i] = v;
    } else if (name == "int64") {
      int64_t v; std::memcpy(&v, p, 8); out[i] = static_cast<double>(v);
    } else {
      uint64_t v; std::memcpy(&v, p, 8); out[i] = static_cast<double>(v);
    }
  }
  return out;
}

NpyArray parse_npy(const std::vector<uint8_t>& b, const std::string& name) {
  static const uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (b.size() < 10 || std::memcmp(b.data(), kMagic, 6) != 0)
    throw Error(Location::at_byte(name, 0), "not a .npy file (bad magic)");
  const int major = b[6];
  size_t header_len = 0, header_at = 0;
  if (major == 1) {
    header_len = static_cast<size_t>(b[8]) | (static_cast<size_t>(b[9]) << 8);
    header_at = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) throw Error(Location::at_byte(name, 8), "truncated .npy header length");
    header_len = static_cast<size_t>(b[8]) | (static_cast<size_t>(b[9]) << 8) | (static_cast<size_t>(b[10]) << 16) |
                 (static_cast<size_t>(b[11]) << 24);
    header_at = 12;
  } else {
    throw Error(Location::at_byte(name, 6), "unsupported .npy version " + std::to_string(major));
  }
  if (header_len > b.size() - header_at)
    throw Error(Location::at_byte(name, static_cast<int64_t>(header_at)), "npy header runs past the end of the file");
  const std::string h(reinterpret_cast<const char*>(b.data() + header_at), header_len);
  const auto at = static_cast<int64_t>(header_at);
  NpyArray a;
  std::string descr = dict_value(h, "descr", name, at);
  if (descr.size() < 2 || descr.front() != '\'' || descr.back() != '\'')
    throw Error(Location::at_byte(name, at), "npy 'descr' is not a string");
  a.descr = descr.substr(1, descr.size() - 2);
  const auto* info = find_descr(a.descr);
  if (!info) throw Error(Location::at_byte(name, at), "unsupported npy dtype '" + a.descr + "' (little-endian numeric only)");
  a.fortran_order = dict_value(h, "fortran_order", name, at) == "True";
  std::string shape = dict_value(h, "shape", name, at);
  if (shape.empty() || shape.front() != '(') throw Error(Location::at_byte(name, at), "npy 'shape' is not a tuple");
  uint64_t count = 1;
  size_t i = 1;
  while (i < shape.size()) {
    while (i < shape.size() && (shape[i] == ' ' || shape[i] == ',')) ++i;
    if (i >= shape.size() || shape[i] == ')') break;
    if (shape[i] < '0' || shape[i] > '9') throw Error(Location::at_byte(name, at), "npy 'shape' holds a non-integer");
    uint64_t d = 0;
    while (i < shape.size() && shape[i] >= '0' && shape[i] <= '9') {
      if (d > (std::numeric_limits<uint64_t>::max() - 9) / 10) throw Error(Location::at_byte(name, at), "npy dimension overflows");
      d = d * 10 + static_cast<uint64_t>(shape[i++] - '0');
    }
    if (d != 0 && count > std::numeric_limits<uint64_t>::max() / d) throw Error(Location::at_byte(name, at), "npy shape overflows");
    count *= d;
    a.shape.push_back(static_cast<int64_t>(d));
  }
  const size_t data_at = header_at + header_len;
  const uint64_t have = b.size() - data_at;
  // Compare against the real size before allocating anything proportional to the shape.
  if (count > have / static_cast<uint64_t>(info->bytes) || count * static_cast<uint64_t>(info->bytes) != have)
    throw Error(Location::at_byte(name, static_cast<int64_t>(data_at)),
                "npy data is " + std::to_string(have) + " bytes, shape needs " +
                    (count > have ? std::string("more") : std::to_string(count * static_cast<uint64_t>(info->bytes))));
  a.data.assign(b.begin() + static_cast<std::ptrdiff_t>(data_at), b.end());
  return a;
}

NpyArray read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Location::in_file(path), "cannot open .npy file");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_npy(bytes, path);
}

void write_npy(const std::string& path, const NpyArray& a) {
  const auto* info = find_descr(a.descr);
  if (!info) throw Error(Location::in_file(path), "cannot write npy dtype '" + a.descr + "'");
  if (a.element_count() * static_cast<uint64_t>(info->bytes) != a.data.size())
    throw Error(Location::in_file(path), "npy data size does not match the shape");
  std::string shape = "(";
  for (int64_t d : a.shape) shape += std::to_string(d) + ", ";
  if (a.shape.size() > 1) shape.resize(shape.size() - 2);
  else if (a.shape.size() == 1) shape.resize(shape.size() - 1);  // "(5,)"
  shape += ")";
  std::string h = "{'descr': '" + a.descr + "', 'fortran_order': " + (a.fortran_order ? "True" : "False") +
                  ", 'shape': " + shape + ", }";
  // Pad so the data starts on a 64-byte boundary, header ends with '\n' (numpy's layout).
  while ((10 + h.size() + 1) % 64 != 0) h += ' ';
  h += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(Location::in_file(path), "cannot create .npy file");
  const uint8_t pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<uint8_t>(h.size() & 0xff),
                           static_cast<uint8_t>(h.size() >> 8)};
  out.write(reinterpret_cast<const char*>(pre), 10);
  out.write(h.data(), static_cast<std::streamsize>(h.size()));
  out.write(reinterpret_cast<const char*>(a.data.data()), static_cast<std::streamsize>(a.data.size()));
  if (!out) throw Error(Location::in_file(path), "write error");
}

}  // namespace mlscope
