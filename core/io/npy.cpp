#include "core/io/npy.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>

#include "core/util/error.h"
#include "core/util/half.h"

namespace mlscope::io {

namespace {

[[noreturn]] void fail(const std::string& file, int64_t offset, const std::string& msg) {
  throw Error(Location::at_byte(file, offset), msg);
}

std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error(Location::in_file(path), "cannot open file");
  std::streamoff size = in.tellg();
  if (size < 0) throw Error(Location::in_file(path), "cannot read file size");
  std::vector<uint8_t> buf(static_cast<size_t>(size));
  in.seekg(0);
  if (size > 0 && !in.read(reinterpret_cast<char*>(buf.data()), size)) throw Error(Location::in_file(path), "read failed");
  return buf;
}

struct Descr {
  char kind = 0;  // f i u b U
  int bytes = 0;
  bool big_endian = false;
};

// Value of `key` in the header dict text ("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }").
std::string dict_value(const std::string& h, const std::string& key, const std::string& file, int64_t off) {
  size_t k = h.find("'" + key + "'");
  if (k == std::string::npos) k = h.find("\"" + key + "\"");
  if (k == std::string::npos) fail(file, off, "npy header has no '" + key + "' key");
  size_t colon = h.find(':', k);
  if (colon == std::string::npos) fail(file, off + static_cast<int64_t>(k), "npy header: no ':' after '" + key + "'");
  size_t v = colon + 1;
  while (v < h.size() && h[v] == ' ') ++v;
  if (v >= h.size()) fail(file, off + static_cast<int64_t>(colon), "npy header truncated after '" + key + "'");
  size_t end;
  if (h[v] == '(') {
    end = h.find(')', v);
    if (end == std::string::npos) fail(file, off + static_cast<int64_t>(v), "npy header: unterminated shape tuple");
    return h.substr(v, end - v + 1);
  }
  if (h[v] == '\'' || h[v] == '"') {
    end = h.find(h[v], v + 1);
    if (end == std::string::npos) fail(file, off + static_cast<int64_t>(v), "npy header: unterminated string");
    return h.substr(v + 1, end - v - 1);
  }
  end = h.find_first_of(",}", v);
  return h.substr(v, end == std::string::npos ? std::string::npos : end - v);
}

Descr parse_descr(const std::string& d, const std::string& file, int64_t off) {
  Descr r;
  if (d.size() < 3) fail(file, off, "unsupported npy dtype '" + d + "'");
  char order = d[0];
  if (order != '<' && order != '>' && order != '|' && order != '=') fail(file, off, "unsupported npy dtype '" + d + "'");
  r.big_endian = order == '>';
  r.kind = d[1];
  int n = 0;
  for (size_t i = 2; i < d.size(); ++i) {
    if (d[i] < '0' || d[i] > '9' || n > 100000) fail(file, off, "unsupported npy dtype '" + d + "'");
    n = n * 10 + (d[i] - '0');
  }
  r.bytes = n;
  bool ok = (r.kind == 'f' && (n == 2 || n == 4 || n == 8)) || ((r.kind == 'i' || r.kind == 'u') && (n == 1 || n == 2 || n == 4 || n == 8)) ||
            (r.kind == 'b' && n == 1) || (r.kind == 'U' && n >= 1);
  if (!ok) fail(file, off, "unsupported npy dtype '" + d + "'");
  if (r.kind == 'U') r.bytes = n * 4;
  return r;
}

ir::DType dtype_of(const Descr& d) {
  switch (d.kind) {
    case 'f': return d.bytes == 2 ? ir::DType::Float16 : d.bytes == 4 ? ir::DType::Float32 : ir::DType::Float64;
    case 'i': return d.bytes == 1 ? ir::DType::Int8 : d.bytes == 2 ? ir::DType::Int16 : d.bytes == 4 ? ir::DType::Int32 : ir::DType::Int64;
    case 'u': return d.bytes == 1 ? ir::DType::UInt8 : d.bytes == 2 ? ir::DType::UInt16 : d.bytes == 4 ? ir::DType::UInt32 : ir::DType::UInt64;
    case 'b': return ir::DType::Bool;
    default: return ir::DType::String;
  }
}

exec::Dims parse_shape(const std::string& s, const std::string& file, int64_t off) {
  exec::Dims dims;
  size_t i = 1;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == ',')) ++i;
    if (i >= s.size() || s[i] == ')') break;
    int64_t v = 0;
    if (s[i] < '0' || s[i] > '9') fail(file, off, "npy header: bad shape " + s);
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (v > std::numeric_limits<int64_t>::max() / 10 - 10) fail(file, off, "npy header: shape dimension overflows");
      v = v * 10 + (s[i] - '0');
      ++i;
    }
    if (i < s.size() && s[i] == 'L') ++i;
    dims.push_back(v);
    if (dims.size() > 32) fail(file, off, "npy header: more than 32 dimensions");
  }
  return dims;
}

template <typename T>
T load(const uint8_t* p, bool swap) {
  uint8_t b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if (swap) std::reverse(b, b + sizeof(T));
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}

void append_utf8(std::string& s, uint32_t c) {
  if (c < 0x80) { s += static_cast<char>(c); }
  else if (c < 0x800) { s += static_cast<char>(0xC0 | (c >> 6)); s += static_cast<char>(0x80 | (c & 0x3F)); }
  else if (c < 0x10000) { s += static_cast<char>(0xE0 | (c >> 12)); s += static_cast<char>(0x80 | ((c >> 6) & 0x3F)); s += static_cast<char>(0x80 | (c & 0x3F)); }
  else { s += static_cast<char>(0xF0 | (c >> 18)); s += static_cast<char>(0x80 | ((c >> 12) & 0x3F)); s += static_cast<char>(0x80 | ((c >> 6) & 0x3F)); s += static_cast<char>(0x80 | (c & 0x3F)); }
}

// Fortran-order data -> C order (index permutation over the reversed shape).
template <typename V>
void fortran_to_c(V& v, const exec::Dims& shape) {
  if (shape.size() < 2) return;
  V out(v.size());
  const size_t r = shape.size();
  std::vector<int64_t> idx(r, 0);
  for (size_t c = 0; c < v.size(); ++c) {
    // c is the C-order flat index of idx; compute the Fortran flat index.
    size_t f = 0, stride = 1;
    for (size_t d = 0; d < r; ++d) { f += static_cast<size_t>(idx[d]) * stride; stride *= static_cast<size_t>(shape[d]); }
    out[c] = v[f];
    for (size_t d = r; d-- > 0;) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
  }
  v.swap(out);
}

}  // namespace

exec::Tensor parse_npy(const uint8_t* data, size_t size, const std::string& file) {
  static const uint8_t magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (size < 10 || std::memcmp(data, magic, 6) != 0) fail(file, 0, "not an .npy file (bad magic)");
  const int major = data[6];
  size_t header_len, header_start;
  if (major == 1) {
    header_len = data[8] | (size_t(data[9]) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) fail(file, 8, "truncated .npy header length");
    header_len = data[8] | (size_t(data[9]) << 8) | (size_t(data[10]) << 16) | (size_t(data[11]) << 24);
    header_start = 12;
  } else {
    fail(file, 6, "unsupported .npy format version " + std::to_string(major));
  }
  if (header_len > size - header_start) fail(file, 8, "npy header length " + std::to_string(header_len) + " exceeds the file");
  const std::string h(reinterpret_cast<const char*>(data + header_start), header_len);
  const int64_t hoff = static_cast<int64_t>(header_start);
  Descr d = parse_descr(dict_value(h, "descr", file, hoff), file, hoff);
  const std::string fo = dict_value(h, "fortran_order", file, hoff);
  const bool fortran = fo.find("True") != std::string::npos;
  exec::Dims shape = parse_shape(dict_value(h, "shape", file, hoff), file, hoff);
  uint64_t count = 1;
  for (int64_t dim : shape) {
    if (dim != 0 && count > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(dim) / 8)
      fail(file, hoff, "npy shape " + exec::dims_str(shape) + " overflows");
    count *= static_cast<uint64_t>(dim);
  }
  const size_t data_off = header_start + header_len;
  const uint64_t need = count * static_cast<uint64_t>(d.bytes);
  if (need > size - data_off)
    fail(file, static_cast<int64_t>(data_off), "npy data truncated: shape " + exec::dims_str(shape) + " needs " +
                                                   std::to_string(need) + " bytes, file has " + std::to_string(size - data_off));
  const uint8_t* p = data + data_off;
  const ir::DType dt = dtype_of(d);
  const bool sw = d.big_endian;
  const size_t n = static_cast<size_t>(count);
  if (d.kind == 'U') {
    std::vector<std::string> v(n);
    const int chars = d.bytes / 4;
    for (size_t i = 0; i < n; ++i) {
      for (int c = 0; c < chars; ++c) {
        uint32_t cp = load<uint32_t>(p + i * size_t(d.bytes) + size_t(c) * 4, sw);
        if (cp == 0) break;
        if (cp > 0x10FFFF) fail(file, static_cast<int64_t>(data_off + i * size_t(d.bytes)), "npy string holds an invalid code point");
        append_utf8(v[i], cp);
      }
    }
    if (fortran) fortran_to_c(v, shape);
    return exec::Tensor::from_strings(shape, std::move(v));
  }
  if (d.kind == 'f') {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) {
      const uint8_t* q = p + i * size_t(d.bytes);
      v[i] = d.bytes == 2 ? half_to_float(load<uint16_t>(q, sw)) : d.bytes == 4 ? load<float>(q, sw) : static_cast<float>(load<double>(q, sw));
    }
    if (fortran) fortran_to_c(v, shape);
    return exec::Tensor::from_floats(dt, shape, std::move(v));
  }
  std::vector<int64_t> v(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* q = p + i * size_t(d.bytes);
    if (d.kind == 'b') {
      v[i] = q[0] != 0;
    } else if (d.kind == 'i') {
      v[i] = d.bytes == 1 ? int8_t(q[0]) : d.bytes == 2 ? load<int16_t>(q, sw) : d.bytes == 4 ? load<int32_t>(q, sw) : load<int64_t>(q, sw);
    } else {
      uint64_t u = d.bytes == 1 ? q[0] : d.bytes == 2 ? load<uint16_t>(q, sw) : d.bytes == 4 ? load<uint32_t>(q, sw) : load<uint64_t>(q, sw);
      if (u > uint64_t(std::numeric_limits<int64_t>::max())) fail(file, static_cast<int64_t>(data_off + i * 8), "uint64 value does not fit int64");
      v[i] = static_cast<int64_t>(u);
    }
  }
  if (fortran) fortran_to_c(v, shape);
  return exec::Tensor::from_ints(dt, shape, std::move(v));
}

exec::Tensor read_npy(const std::string& path) {
  std::vector<uint8_t> buf = slurp(path);
  return parse_npy(buf.data(), buf.size(), path);
}

namespace {

uint32_t rd32(const uint8_t* p) { return p[0] | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24); }
uint16_t rd16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

std::vector<uint8_t> inflate_raw(const uint8_t* src, size_t n, size_t out_size, const std::string& where, int64_t off) {
  std::vector<uint8_t> out(out_size);
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) fail(where, off, "zlib init failed");
  zs.next_in = const_cast<Bytef*>(src);
  zs.avail_in = static_cast<uInt>(n);
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out_size);
  int rc = inflate(&zs, Z_FINISH);
  size_t produced = out_size - zs.avail_out;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || produced != out_size) fail(where, off, "deflate data is corrupt or its size does not match the zip directory");
  return out;
}

}  // namespace

std::map<std::string, exec::Tensor> read_npz(const std::string& path) {
  std::vector<uint8_t> buf = slurp(path);
  const size_t size = buf.size();
  const uint8_t* d = buf.data();
  // End of central directory: last 22..(22+65535) bytes.
  if (size < 22) fail(path, 0, "not a zip/.npz file (too small)");
  size_t eocd = std::string::npos;
  for (size_t i = size - 22 + 1; i-- > 0 && size - i <= 22 + 65535;)
    if (rd32(d + i) == 0x06054b50) { eocd = i; break; }
  if (eocd == std::string::npos) fail(path, 0, "not a zip/.npz file (no end-of-central-directory record)");
  const uint16_t entries = rd16(d + eocd + 10);
  const uint32_t cd_size = rd32(d + eocd + 12), cd_off = rd32(d + eocd + 16);
  if (cd_off == 0xFFFFFFFFu) fail(path, int64_t(eocd), "zip64 .npz files are not supported");
  if (uint64_t(cd_off) + cd_size > eocd) fail(path, int64_t(eocd + 16), "zip central directory lies outside the file");
  std::map<std::string, exec::Tensor> out;
  size_t p = cd_off;
  for (uint16_t e = 0; e < entries; ++e) {
    if (p + 46 > eocd || rd32(d + p) != 0x02014b50) fail(path, int64_t(p), "bad zip central directory entry");
    const uint16_t method = rd16(d + p + 10);
    const uint32_t csize = rd32(d + p + 20), usize = rd32(d + p + 24);
    const uint16_t nlen = rd16(d + p + 28), xlen = rd16(d + p + 30), clen = rd16(d + p + 32);
    const uint32_t loff = rd32(d + p + 42);
    if (p + 46 + nlen > eocd) fail(path, int64_t(p), "zip entry name runs past the directory");
    std::string name(reinterpret_cast<const char*>(d + p + 46), nlen);
    if (csize == 0xFFFFFFFFu || usize == 0xFFFFFFFFu || loff == 0xFFFFFFFFu) fail(path, int64_t(p), "zip64 member '" + name + "' not supported");
    if (uint64_t(loff) + 30 > size || rd32(d + loff) != 0x04034b50) fail(path, int64_t(loff), "bad zip local header for '" + name + "'");
    const size_t data_off = size_t(loff) + 30 + rd16(d + loff + 26) + rd16(d + loff + 28);
    if (uint64_t(data_off) + csize > size) fail(path, int64_t(loff), "zip member '" + name + "' runs past the end of the file");
    // A hostile directory may claim a huge uncompressed size; deflate expands at most ~1032x.
    if (method == 8 && uint64_t(usize) > uint64_t(csize) * 1032 + 64) fail(path, int64_t(p + 24), "zip member '" + name + "' claims an impossible uncompressed size");
    const std::string where = path + ":" + name;
    std::vector<uint8_t> member;
    if (method == 0) {
      if (csize != usize) fail(path, int64_t(p + 20), "stored zip member '" + name + "' has different sizes");
      member.assign(d + data_off, d + data_off + csize);
    } else if (method == 8) {
      member = inflate_raw(d + data_off, csize, usize, path, int64_t(data_off));
    } else {
      fail(path, int64_t(p + 10), "zip member '" + name + "' uses unsupported compression method " + std::to_string(method));
    }
    std::string key = name;
    if (key.size() > 4 && key.compare(key.size() - 4, 4, ".npy") == 0) key.resize(key.size() - 4);
    out[key] = parse_npy(member.data(), member.size(), where);
    p += 46 + size_t(nlen) + xlen + clen;
  }
  return out;
}

std::vector<uint8_t> npy_bytes(const exec::Tensor& t) {
  std::string descr;
  int bytes = 0;
  size_t max_chars = 1;
  switch (t.dtype()) {
    case ir::DType::Float16: descr = "<f2"; bytes = 2; break;
    case ir::DType::Float32: case ir::DType::BFloat16: descr = "<f4"; bytes = 4; break;
    case ir::DType::Float64: descr = "<f8"; bytes = 8; break;
    case ir::DType::Int8: descr = "|i1"; bytes = 1; break;
    case ir::DType::Int16: descr = "<i2"; bytes = 2; break;
    case ir::DType::Int32: descr = "<i4"; bytes = 4; break;
    case ir::DType::Int64: descr = "<i8"; bytes = 8; break;
    case ir::DType::UInt8: descr = "|u1"; bytes = 1; break;
    case ir::DType::UInt16: descr = "<u2"; bytes = 2; break;
    case ir::DType::UInt32: descr = "<u4"; bytes = 4; break;
    case ir::DType::UInt64: descr = "<u8"; bytes = 8; break;
    case ir::DType::Bool: descr = "|b1"; bytes = 1; break;
    case ir::DType::String:
      for (const auto& s : t.strings()) max_chars = std::max(max_chars, s.size());  // bytes >= code points
      descr = "<U" + std::to_string(max_chars);
      bytes = int(max_chars * 4);
      break;
    default:
      if (t.is_float()) { descr = "<f4"; bytes = 4; } else { descr = "<i8"; bytes = 8; }
  }
  std::string shape = "(";
  for (size_t i = 0; i < t.shape().size(); ++i) shape += std::to_string(t.shape()[i]) + (t.shape().size() == 1 ? "," : i + 1 < t.shape().size() ? ", " : "");
  shape += ")";
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  const std::string prefix = std::string("\x93NUMPY\x01\x00", 8) + char(header.size() & 0xFF) + char(header.size() >> 8);
  std::vector<uint8_t> out;
  out.reserve(prefix.size() + header.size() + t.size() * 8);
  for (char c : prefix + header) out.push_back(static_cast<uint8_t>(c));
  const size_t base = out.size();
  out.resize(base + t.size() * size_t(bytes));
  uint8_t* p = out.data() + base;
  for (uint64_t i = 0; i < t.size(); ++i, p += bytes) {
    if (t.dtype() == ir::DType::String) {
      // UTF-8 -> UTF-32 (invalid sequences copied byte-wise).
      const std::string& s = t.strings()[i];
      size_t c = 0;
      for (size_t k = 0; k < s.size() && c < max_chars; ++c) {
        uint32_t cp = uint8_t(s[k]);
        int extra = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
        if (extra && k + size_t(extra) < s.size() + 0) {
          cp &= (0x3F >> extra);
          for (int j = 1; j <= extra; ++j) cp = (cp << 6) | (uint8_t(s[k + size_t(j)]) & 0x3F);
          k += size_t(extra) + 1;
        } else {
          ++k;
        }
        std::memcpy(p + c * 4, &cp, 4);
      }
      continue;
    }
    if (t.is_float()) {
      float f = t.floats()[i];
      if (bytes == 2) { uint16_t h = float_to_half(f); std::memcpy(p, &h, 2); }
      else if (bytes == 4) std::memcpy(p, &f, 4);
      else { double v = f; std::memcpy(p, &v, 8); }
    } else {
      int64_t v = t.ints()[i];
      std::memcpy(p, &v, size_t(bytes));  // little-endian host: low bytes first
    }
  }
  return out;
}

void write_npy(const std::string& path, const exec::Tensor& t) {
  std::vector<uint8_t> b = npy_bytes(t);
  std::ofstream out(path, std::ios::binary);
  if (!out || !out.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size())))
    throw Error(Location::in_file(path), "cannot write file");
}

void write_npz(const std::string& path, const std::map<std::string, exec::Tensor>& members) {
  std::vector<uint8_t> zip, cd;
  auto put16 = [](std::vector<uint8_t>& v, uint32_t x) { v.push_back(uint8_t(x)); v.push_back(uint8_t(x >> 8)); };
  auto put32 = [&](std::vector<uint8_t>& v, uint32_t x) { put16(v, x & 0xFFFF); put16(v, x >> 16); };
  uint16_t n = 0;
  for (const auto& [name, t] : members) {
    std::vector<uint8_t> b = npy_bytes(t);
    if (b.size() >= 0xFFFFFFFFu || zip.size() >= 0xFFFFFFFFu) throw Error(Location::in_file(path), "member too large for a non-zip64 .npz");
    const std::string fname = name + ".npy";
    const uint32_t crc = uint32_t(crc32(0L, b.data(), uInt(b.size())));
    const uint32_t off = uint32_t(zip.size());
    put32(zip, 0x04034b50); put16(zip, 20); put16(zip, 0); put16(zip, 0); put16(zip, 0); put16(zip, 0x21);
    put32(zip, crc); put32(zip, uint32_t(b.size())); put32(zip, uint32_t(b.size())); put16(zip, uint32_t(fname.size())); put16(zip, 0);
    zip.insert(zip.end(), fname.begin(), fname.end());
    zip.insert(zip.end(), b.begin(), b.end());
    put32(cd, 0x02014b50); put16(cd, 20); put16(cd, 20); put16(cd, 0); put16(cd, 0); put16(cd, 0); put16(cd, 0x21);
    put32(cd, crc); put32(cd, uint32_t(b.size())); put32(cd, uint32_t(b.size())); put16(cd, uint32_t(fname.size()));
    put16(cd, 0); put16(cd, 0); put16(cd, 0); put16(cd, 0); put32(cd, 0); put32(cd, off);
    cd.insert(cd.end(), fname.begin(), fname.end());
    ++n;
  }
  const uint32_t cd_off = uint32_t(zip.size());
  zip.insert(zip.end(), cd.begin(), cd.end());
  put32(zip, 0x06054b50); put16(zip, 0); put16(zip, 0); put16(zip, n); put16(zip, n); put32(zip, uint32_t(cd.size())); put32(zip, cd_off); put16(zip, 0);
  std::ofstream out(path, std::ios::binary);
  if (!out || !out.write(reinterpret_cast<const char*>(zip.data()), std::streamsize(zip.size())))
    throw Error(Location::in_file(path), "cannot write file");
}

}  // namespace mlscope::io
