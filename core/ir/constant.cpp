#include "core/ir/constant.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "core/util/error.h"
#include "core/util/half.h"

namespace mlscope::ir {

namespace {

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));  // little-endian host assumed (x86_64, arm64)
  return v;
}

uint32_t unpack_bits(const uint8_t* data, uint64_t i, int bits) {
  uint64_t bit = i * static_cast<uint64_t>(bits);
  uint32_t v = 0;
  for (int k = 0; k < bits; ++k) {
    uint64_t b = bit + static_cast<uint64_t>(k);
    v |= uint32_t((data[b >> 3] >> (b & 7)) & 1u) << k;
  }
  return v;
}

float fp8_e4m3fn(uint8_t v) {
  int s = v >> 7, e = (v >> 3) & 0xF, m = v & 7;
  if (e == 0xF && m == 7) return NAN;
  float r = e == 0 ? std::ldexp(float(m) / 8.0f, -6) : std::ldexp(1.0f + float(m) / 8.0f, e - 7);
  return s ? -r : r;
}

float fp8_e5m2(uint8_t v) { return half_to_float(uint16_t(v) << 8); }

void put_element(DType dt, std::vector<uint8_t>& out, uint64_t i, double v) {
  auto store = [&](auto x) { std::memcpy(out.data() + i * sizeof(x), &x, sizeof(x)); };
  switch (dt) {
    case DType::Float32: store(static_cast<float>(v)); break;
    case DType::Float64: store(v); break;
    case DType::Float16: store(float_to_half(static_cast<float>(v))); break;
    case DType::Bool: out[i] = v != 0.0 ? 1 : 0; break;
    case DType::Int8: store(static_cast<int8_t>(v)); break;
    case DType::UInt8: store(static_cast<uint8_t>(v)); break;
    case DType::Int16: store(static_cast<int16_t>(v)); break;
    case DType::UInt16: store(static_cast<uint16_t>(v)); break;
    case DType::Int32: store(static_cast<int32_t>(v)); break;
    case DType::UInt32: store(static_cast<uint32_t>(v)); break;
    case DType::Int64: store(static_cast<int64_t>(v)); break;
    case DType::UInt64: store(static_cast<uint64_t>(v)); break;
    default: {
      int bits = dtype_bits(dt);
      if (bits <= 0 || bits >= 8) throw Error({}, "cannot encode dtype " + std::string(dtype_name(dt)));
      uint32_t u = static_cast<uint32_t>(static_cast<int64_t>(v)) & ((1u << bits) - 1u);
      uint64_t bit = i * static_cast<uint64_t>(bits);
      for (int k = 0; k < bits; ++k) {
        uint64_t b = bit + static_cast<uint64_t>(k);
        if ((u >> k) & 1u) out[b >> 3] |= uint8_t(1u << (b & 7));
      }
    }
  }
}

Constant make_numeric(DType dt, Shape shape, const std::vector<double>& v) {
  Constant c;
  c.type = Type::tensor(dt, std::move(shape));
  auto bytes = dtype_storage_bytes(dt, v.size());
  c.bytes.assign(bytes.value_or(0), 0);
  for (uint64_t i = 0; i < v.size(); ++i) put_element(dt, c.bytes, i, v[i]);
  return c;
}

}  // namespace

double decode_element(DType dt, const uint8_t* d, uint64_t i) {
  switch (dt) {
    case DType::Float32: return load<float>(d + i * 4);
    case DType::Float64: return load<double>(d + i * 8);
    case DType::Float16: return half_to_float(load<uint16_t>(d + i * 2));
    case DType::BFloat16: {
      uint32_t bits = uint32_t(load<uint16_t>(d + i * 2)) << 16;
      float f;
      std::memcpy(&f, &bits, 4);
      return f;
    }
    case DType::Float8E4M3FN: return fp8_e4m3fn(d[i]);
    case DType::Float8E5M2: return fp8_e5m2(d[i]);
    case DType::Bool: return d[i] ? 1.0 : 0.0;
    case DType::Int8: return static_cast<int8_t>(d[i]);
    case DType::UInt8: return d[i];
    case DType::Int16: return load<int16_t>(d + i * 2);
    case DType::UInt16: return load<uint16_t>(d + i * 2);
    case DType::Int32: return load<int32_t>(d + i * 4);
    case DType::UInt32: return load<uint32_t>(d + i * 4);
    case DType::Int64: return static_cast<double>(load<int64_t>(d + i * 8));
    case DType::UInt64: return static_cast<double>(load<uint64_t>(d + i * 8));
    case DType::Int4: {
      uint32_t u = unpack_bits(d, i, 4);
      return static_cast<double>(static_cast<int32_t>(u << 28) >> 28);  // sign-extend bit 3
    }
    case DType::UInt1: case DType::UInt2: case DType::UInt3: case DType::UInt4: case DType::UInt6:
      return unpack_bits(d, i, dtype_bits(dt));
    default:
      return 0.0;
  }
}

Constant Constant::from_floats(const std::vector<float>& v, Shape shape, DType dt) {
  return make_numeric(dt, std::move(shape), std::vector<double>(v.begin(), v.end()));
}

Constant Constant::from_ints(const std::vector<int64_t>& v, Shape shape, DType dt) {
  std::vector<double> d(v.size());
  for (size_t i = 0; i < v.size(); ++i) d[i] = static_cast<double>(v[i]);
  Constant c = make_numeric(dt, std::move(shape), d);
  if (dt == DType::Int64 || dt == DType::UInt64)  // exact for values beyond 2^53
    for (size_t i = 0; i < v.size(); ++i) std::memcpy(c.bytes.data() + i * 8, &v[i], 8);
  return c;
}

Constant Constant::from_string(std::string s) {
  Constant c;
  c.type = Type::scalar(DType::String);
  c.strings.push_back(std::move(s));
  return c;
}

Constant Constant::from_bool(bool b) { return make_numeric(DType::Bool, Shape{}, {b ? 1.0 : 0.0}); }

Constant Constant::from_raw(DType dt, Shape shape, std::vector<uint8_t> raw) {
  Constant c;
  c.type = Type::tensor(dt, std::move(shape));
  c.bytes = std::move(raw);
  c.validate();
  return c;
}

uint64_t Constant::element_count() const {
  if (!type.is_tensor()) return elements.size();
  auto n = type.shape.element_count();
  if (!n) {
    Location where = blob ? Location::at_byte(blob->file->path(), static_cast<int64_t>(blob->record.record_offset))
                          : Location{};
    throw Error(where, "constant of type " + type.str() + " has no static element count");
  }
  return *n;
}

std::span<const uint8_t> Constant::raw() const {
  if (blob) return blob->file->data(blob->record);
  return {bytes.data(), bytes.size()};
}

uint64_t Constant::stored_bytes() const {
  if (blob) return blob->record.size_bytes;
  if (type.dtype == DType::String) {
    uint64_t n = 0;
    for (const auto& s : strings) n += s.size();
    return n;
  }
  uint64_t n = bytes.size();
  for (const auto& e : elements) n += e.stored_bytes();
  return n;
}

std::string Constant::location() const {
  if (!blob) return "inline";
  return "blob @" + std::to_string(blob->record.record_offset) + " (" +
         std::filesystem::path(blob->file->path()).filename().string() + ")";
}

void Constant::validate(const std::string& where) const {
  if (!type.is_tensor()) {
    for (const auto& e : elements) e.validate(where);
    return;
  }
  Location loc = blob ? Location::at_byte(blob->file->path(), static_cast<int64_t>(blob->record.record_offset))
                      : Location{};
  loc.op = where;
  auto n = type.shape.element_count();
  if (!n) throw Error(loc, "constant shape " + type.shape.str() + " is dynamic or its element count overflows");
  if (type.dtype == DType::String) {
    if (strings.size() != *n)
      throw Error(loc, "string constant has " + std::to_string(strings.size()) + " values, shape says " + std::to_string(*n));
    return;
  }
  auto need = dtype_storage_bytes(type.dtype, *n);
  if (!need) throw Error(loc, "constant of " + std::string(dtype_name(type.dtype)) + " × " + std::to_string(*n) +
                                  " elements has no storable size");
  uint64_t have = blob ? blob->record.size_bytes : bytes.size();
  if (have != *need)
    throw Error(loc, "constant " + type.str() + " needs " + std::to_string(*need) + " bytes but " +
                         std::to_string(have) + " are stored");
}

double Constant::element(uint64_t i) const {
  auto r = raw();
  return decode_element(type.dtype, r.data(), i);
}

std::vector<double> Constant::to_doubles() const {
  validate();
  uint64_t n = element_count();
  auto r = raw();
  std::vector<double> out(n);
  for (uint64_t i = 0; i < n; ++i) out[i] = decode_element(type.dtype, r.data(), i);
  return out;
}

std::vector<float> Constant::to_floats() const {
  validate();
  uint64_t n = element_count();
  auto r = raw();
  std::vector<float> out(n);
  if (type.dtype == DType::Float32) {
    std::memcpy(out.data(), r.data(), n * 4);
    return out;
  }
  for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<float>(decode_element(type.dtype, r.data(), i));
  return out;
}

std::vector<int64_t> Constant::to_ints() const {
  validate();
  uint64_t n = element_count();
  auto r = raw();
  std::vector<int64_t> out(n);
  for (uint64_t i = 0; i < n; ++i) {
    if (type.dtype == DType::Int64) out[i] = load<int64_t>(r.data() + i * 8);
    else if (type.dtype == DType::UInt64) out[i] = static_cast<int64_t>(load<uint64_t>(r.data() + i * 8));
    else out[i] = static_cast<int64_t>(decode_element(type.dtype, r.data(), i));
  }
  return out;
}

std::optional<int64_t> Constant::scalar_int() const {
  if (!type.is_tensor() || type.dtype == DType::String) return std::nullopt;
  auto n = type.shape.element_count();
  if (!n || *n != 1) return std::nullopt;
  return to_ints()[0];
}

std::optional<double> Constant::scalar_float() const {
  if (!type.is_tensor() || type.dtype == DType::String) return std::nullopt;
  auto n = type.shape.element_count();
  if (!n || *n != 1) return std::nullopt;
  return to_doubles()[0];
}

std::optional<bool> Constant::scalar_bool() const {
  auto v = scalar_float();
  if (!v) return std::nullopt;
  return *v != 0.0;
}

std::optional<std::string> Constant::scalar_string() const {
  if (type.dtype != DType::String || strings.size() != 1) return std::nullopt;
  return strings[0];
}

std::string Constant::summary(size_t max_elements) const {
  std::ostringstream os;
  if (type.kind == Type::Kind::Dict || type.kind == Type::Kind::List || type.kind == Type::Kind::Tuple) {
    os << type.str() << " (" << (type.kind == Type::Kind::Dict ? elements.size() / 2 : elements.size()) << " items)";
    return os.str();
  }
  if (type.dtype == DType::String) {
    if (strings.size() == 1 && type.shape.rank() == 0) return "\"" + strings[0] + "\"";
    os << "[";
    for (size_t i = 0; i < strings.size() && i < max_elements; ++i) os << (i ? ", " : "") << '"' << strings[i] << '"';
    if (strings.size() > max_elements) os << ", ...";
    os << "]";
    return os.str();
  }
  auto n = type.shape.element_count();
  if (!n) return type.str();
  if (*n > max_elements) return type.str() + " " + location();
  try {
    validate();
  } catch (const Error&) {
    return type.str() + " (malformed)";
  }
  auto v = to_doubles();
  if (type.shape.rank() == 0 && v.size() == 1) {
    os << v[0];
    return os.str();
  }
  os << "[";
  for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << "]";
  return os.str();
}

}  // namespace mlscope::ir
