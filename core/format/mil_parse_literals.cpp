// Types and literal values of MIL text: tensor/dict/list/tuple/state types, scalars in hex or
// decimal, nested or flat element lists, strings, dicts and BLOBFILE weight references.
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "core/format/mil_parser_impl.h"
#include "core/util/half.h"

namespace mlscope::format::detail {

namespace fs = std::filesystem;
using ir::Constant;
using ir::DType;
using ir::Type;

namespace {

bool is_type_keyword(std::string_view s) {
  return s == "tensor" || s == "dict" || s == "list" || s == "tuple" || s == "state";
}

/// Parses a float token: decimal, C99 hex (0x1.8p-3), optional sign, inf / nan.
std::optional<double> parse_float_text(std::string_view t) {
  bool neg = false;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    neg = t[0] == '-';
    t.remove_prefix(1);
  }
  double v = 0;
  if (t == "inf" || t == "infinity" || t == "INF") {
    v = std::numeric_limits<double>::infinity();
  } else if (t == "nan" || t == "NAN" || t == "NaN") {
    v = std::numeric_limits<double>::quiet_NaN();
  } else {
    bool hex = t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
    const char* b = t.data() + (hex ? 2 : 0);
    const char* e = t.data() + t.size();
    // from_chars is locale-independent (same result as strtod in the "C" locale).
    auto r = std::from_chars(b, e, v, hex ? std::chars_format::hex : std::chars_format::general);
    if (r.ec != std::errc() || r.ptr != e) return std::nullopt;
  }
  return neg ? -v : v;
}

/// Parses an integer token (decimal or 0x hex, optional sign) into a sign + magnitude.
bool parse_int_text(std::string_view t, bool& neg, uint64_t& mag) {
  neg = false;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    neg = t[0] == '-';
    t.remove_prefix(1);
  }
  int base = 10;
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    base = 16;
    t.remove_prefix(2);
  }
  auto r = std::from_chars(t.data(), t.data() + t.size(), mag, base);
  return r.ec == std::errc() && r.ptr == t.data() + t.size() && !t.empty();
}

uint16_t float_to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return uint16_t((x >> 16) | 0x40);  // keep NaN a NaN
  x += 0x7FFFu + ((x >> 16) & 1u);
  return uint16_t(x >> 16);
}

uint8_t nearest_fp8(DType dt, double v) {
  // 256 candidates: pick the closest finite decoding (exact for values printed from fp8).
  uint8_t best = 0;
  double best_err = std::numeric_limits<double>::infinity();
  for (int i = 0; i < 256; ++i) {
    uint8_t b = static_cast<uint8_t>(i);
    double d = ir::decode_element(dt, &b, 0);
    if (std::isnan(v) && std::isnan(d)) return b;
    double err = std::fabs(d - v);
    if (err < best_err) { best_err = err; best = b; }
  }
  return best;
}

template <typename T>
void store_at(std::vector<uint8_t>& bytes, uint64_t index, T v) {
  size_t off = static_cast<size_t>(index) * sizeof(T);
  if (bytes.size() < off + sizeof(T)) bytes.resize(off + sizeof(T));
  std::memcpy(bytes.data() + off, &v, sizeof(T));
}

void store_bits(std::vector<uint8_t>& bytes, uint64_t index, int bits, uint64_t v) {
  uint64_t bit = index * static_cast<uint64_t>(bits);
  size_t need = static_cast<size_t>((bit + static_cast<uint64_t>(bits) + 7) / 8);
  if (bytes.size() < need) bytes.resize(need, 0);
  for (int k = 0; k < bits; ++k) {
    uint64_t b = bit + static_cast<uint64_t>(k);
    if ((v >> k) & 1u) bytes[b >> 3] |= uint8_t(1u << (b & 7));
  }
}

}  // namespace

bool MilParser::at_literal_start() const {
  if (cur_.kind != MilToken::Kind::Ident) return false;
  if (next_.is('<')) return is_type_keyword(cur_.text);
  if (next_.is('(')) return ir::dtype_from_name(cur_.text).has_value();
  return false;
}

Type MilParser::parse_type() { return parse_type_depth(0); }

Type MilParser::parse_type_depth(int depth) {
  if (depth >= kMilMaxNesting) fail(cur_, "types nested deeper than " + std::to_string(kMilMaxNesting) + " levels");
  MilToken t = cur_;
  if (t.kind != MilToken::Kind::Ident) fail(t, "expected a type, found " + t.describe());
  advance();
  if (t.text == "tensor") {
    expect('<', "after 'tensor'");
    MilToken dt = expect_ident("an element type such as fp16");
    auto d = ir::dtype_from_name(dt.text);
    if (!d) fail(dt, "unknown element type '" + std::string(dt.text) + "'");
    expect(',', "between the element type and the shape");
    ir::Shape s = parse_shape();
    expect('>', "to close 'tensor<'");
    return Type::tensor(*d, std::move(s));
  }
  if (t.text == "dict") {
    expect('<', "after 'dict'");
    Type k = parse_type_depth(depth + 1);
    expect(',', "between the dict key and value types");
    Type v = parse_type_depth(depth + 1);
    expect('>', "to close 'dict<'");
    return Type::dict(std::move(k), std::move(v));
  }
  if (t.text == "state") {
    expect('<', "after 'state'");
    Type w = parse_type_depth(depth + 1);
    expect('>', "to close 'state<'");
    return Type::state(std::move(w));
  }
  if (t.text == "list") {
    expect('<', "after 'list'");
    Type e = parse_type_depth(depth + 1);
    int64_t len = ir::kUnknownDim;
    if (accept(',')) {
      if (cur_.kind == MilToken::Kind::Number) {
        bool neg;
        uint64_t mag;
        if (!parse_int_text(cur_.text, neg, mag) || neg || mag > static_cast<uint64_t>(INT64_MAX))
          fail(cur_, "bad list length " + cur_.describe());
        len = static_cast<int64_t>(mag);
      } else if (!cur_.is('?') && cur_.kind != MilToken::Kind::Ident) {
        fail(cur_, "expected a list length or '?', found " + cur_.describe());
      }
      advance();
    }
    expect('>', "to close 'list<'");
    return Type::list(std::move(e), len);
  }
  if (t.text == "tuple") {
    expect('<', "after 'tuple'");
    std::vector<Type> elems;
    if (!cur_.is('>')) {
      do elems.push_back(parse_type_depth(depth + 1));
      while (accept(','));
    }
    expect('>', "to close 'tuple<'");
    return Type::tuple(std::move(elems));
  }
  if (auto d = ir::dtype_from_name(t.text)) return Type::scalar(*d);  // bare scalar type (newer form)
  fail(t, "expected a type (tensor<...>, a scalar type such as fp16, dict<...>, state<...>), found " + t.describe());
}

ir::Shape MilParser::parse_shape() {
  ir::Shape s;
  expect('[', "to open the shape");
  if (cur_.is('*')) {  // unknown rank, as Type::str() prints it
    advance();
    s.unknown_rank = true;
    expect(']', "after '*' in the shape");
    return s;
  }
  if (!cur_.is(']')) {
    do {
      if (cur_.kind == MilToken::Kind::Number) {
        bool neg;
        uint64_t mag;
        if (!parse_int_text(cur_.text, neg, mag)) {
          bool digits = cur_.text.find_first_not_of("0123456789") == std::string_view::npos;
          fail(cur_, digits ? "dimension " + cur_.describe() + " out of range"
                            : "expected an integer dimension, found " + cur_.describe());
        }
        if (neg && mag == 1) s.dims.push_back(ir::kUnknownDim);  // -1 as written by some emitters
        else if (neg || mag > static_cast<uint64_t>(INT64_MAX)) fail(cur_, "dimension " + cur_.describe() + " out of range");
        else s.dims.push_back(static_cast<int64_t>(mag));
      } else if (cur_.is('?') || cur_.kind == MilToken::Kind::Ident) {
        s.dims.push_back(ir::kUnknownDim);  // '?' or a symbolic dim such as is0
      } else {
        fail(cur_, "expected a dimension (integer, '?' or a symbol), found " + cur_.describe());
      }
      advance();
      if (s.dims.size() > 1024) fail(cur_, "shape has more than 1024 dimensions");
    } while (accept(','));
  }
  expect(']', "to close the shape");
  return s;
}

std::shared_ptr<const Constant> MilParser::parse_literal() {
  MilToken start = cur_;
  Type t = parse_type();
  if (!cur_.is('(')) fail(cur_, "expected '(' to open the value of a " + t.str() + " literal, found " + cur_.describe());
  advance();
  Constant c = parse_payload(t, start, 0);
  expect(')', "to close the literal");
  return std::make_shared<const Constant>(std::move(c));
}

Constant MilParser::parse_payload(const Type& type, const MilToken& start, int depth) {
  if (depth >= kMilMaxNesting) fail(cur_, "literal nested deeper than " + std::to_string(kMilMaxNesting) + " levels");
  switch (type.kind) {
    case Type::Kind::Tensor:
      return parse_tensor_payload(type, start, depth);
    case Type::Kind::Dict: {
      Constant c;
      c.type = type;
      expect('{', "to open the dict items");
      if (!cur_.is('}')) {
        do {
          expect('{', "to open a {key, value} pair");
          c.elements.push_back(parse_payload(type.elements[0], cur_, depth + 1));
          expect(',', "between a dict key and its value");
          c.elements.push_back(parse_payload(type.elements[1], cur_, depth + 1));
          expect('}', "to close a {key, value} pair");
        } while (accept(','));
      }
      expect('}', "to close the dict items");
      return c;
    }
    case Type::Kind::List:
    case Type::Kind::Tuple: {
      Constant c;
      c.type = type;
      expect('[', "to open the list/tuple elements");
      if (!cur_.is(']')) {
        do {
          size_t i = c.elements.size();
          if (type.kind == Type::Kind::Tuple && i >= type.elements.size())
            fail(cur_, "more elements than the tuple type " + type.str() + " has");
          const Type& et = type.kind == Type::Kind::Tuple ? type.elements[i] : type.elements[0];
          c.elements.push_back(parse_payload(et, cur_, depth + 1));
        } while (accept(','));
      }
      if ((type.kind == Type::Kind::Tuple && c.elements.size() != type.elements.size()) ||
          (type.kind == Type::Kind::List && type.list_length >= 0 &&
           c.elements.size() != static_cast<size_t>(type.list_length)))
        fail(cur_, "element count " + std::to_string(c.elements.size()) + " does not match " + type.str());
      expect(']', "to close the list/tuple elements");
      return c;
    }
    default:
      fail(start, "literals of type " + type.str() + " are not supported");
  }
}

Constant MilParser::parse_tensor_payload(const Type& type, const MilToken& start, int depth) {
  if (cur_.is_ident("BLOBFILE")) return parse_blobfile(type, start);
  auto n = type.shape.element_count();
  if (!n) {
    fail(start, type.shape.is_static() ? "literal shape " + type.shape.str() + " has an element count that overflows"
                                       : "literal of type " + type.str() + " has a dynamic shape");
  }
  Constant c;
  c.type = type;
  uint64_t count = 0;
  parse_elements(type, c, count, *n, depth);
  if (count != *n)
    fail(start, "literal of type " + type.str() + " has " + std::to_string(count) + " values, its shape holds " +
                    std::to_string(*n));
  if (type.dtype != DType::String) {
    auto need = ir::dtype_storage_bytes(type.dtype, *n);
    c.bytes.resize(need.value_or(0), 0);  // an empty tensor still has a (zero) size
  }
  return c;
}

void MilParser::parse_elements(const Type& type, Constant& out, uint64_t& count, uint64_t limit, int depth) {
  if (depth >= kMilMaxNesting) fail(cur_, "literal nested deeper than " + std::to_string(kMilMaxNesting) + " levels");
  if (accept('[')) {  // nested or flat list, row-major
    if (!cur_.is(']')) {
      do parse_elements(type, out, count, limit, depth + 1);
      while (accept(','));
    }
    expect(']', "to close the value list");
    return;
  }
  if (count >= limit)
    fail(cur_, "more values than the shape " + type.shape.str() + " holds (" + std::to_string(limit) + ")");
  parse_element(type, out, count);
  ++count;
}

void MilParser::parse_element(const Type& type, Constant& out, uint64_t index) {
  const MilToken t = cur_;
  DType dt = type.dtype;
  if (dt == DType::String) {
    if (t.kind != MilToken::Kind::String) fail(t, "expected a string, found " + t.describe());
    out.strings.push_back(decode_mil_string(t, lexer_));
    advance();
    return;
  }
  if (t.kind == MilToken::Kind::Ident && (t.text == "true" || t.text == "false")) {
    if (dt != DType::Bool) fail(t, "boolean value in a " + std::string(ir::dtype_name(dt)) + " literal");
    store_at<uint8_t>(out.bytes, index, t.text == "true" ? 1 : 0);
    advance();
    return;
  }
  bool number_like = t.kind == MilToken::Kind::Number ||
                     (t.kind == MilToken::Kind::Ident && (t.text == "inf" || t.text == "nan"));
  if (!number_like) fail(t, "expected a " + std::string(ir::dtype_name(dt)) + " value, found " + t.describe());

  if (ir::dtype_is_float(dt)) {
    auto v = parse_float_text(t.text);
    if (!v) fail(t, "malformed number " + t.describe());
    switch (dt) {
      case DType::Float32: store_at<float>(out.bytes, index, static_cast<float>(*v)); break;
      case DType::Float64: store_at<double>(out.bytes, index, *v); break;
      case DType::Float16: store_at<uint16_t>(out.bytes, index, float_to_half(static_cast<float>(*v))); break;
      case DType::BFloat16: store_at<uint16_t>(out.bytes, index, float_to_bf16(static_cast<float>(*v))); break;
      default: store_at<uint8_t>(out.bytes, index, nearest_fp8(dt, *v)); break;
    }
    advance();
    return;
  }
  bool neg;
  uint64_t mag;
  if (!parse_int_text(t.text, neg, mag)) {
    // An integral value written as a float (1.0, 0x1p+3) is still accepted for integer types.
    auto f = parse_float_text(t.text);
    if (!f || std::floor(*f) != *f || std::fabs(*f) > 1.8e19)
      fail(t, "expected an integer for a " + std::string(ir::dtype_name(dt)) + " literal, found " + t.describe());
    neg = *f < 0;
    mag = static_cast<uint64_t>(std::fabs(*f));
  }
  int bits = ir::dtype_bits(dt);
  bool is_signed = ir::dtype_is_signed(dt);
  // Range of the element type; bool accepts 0/1.
  uint64_t max_pos = dt == DType::Bool ? 1
                     : is_signed        ? (bits >= 64 ? uint64_t(INT64_MAX) : (uint64_t(1) << (bits - 1)) - 1)
                     : (bits >= 64 ? UINT64_MAX : (uint64_t(1) << bits) - 1);
  uint64_t max_neg = is_signed ? (bits >= 64 ? uint64_t(INT64_MAX) + 1 : uint64_t(1) << (bits - 1)) : 0;
  if ((neg && mag > max_neg) || (!neg && mag > max_pos))
    fail(t, "value " + std::string(t.text) + " is out of range for " + std::string(ir::dtype_name(dt)));
  uint64_t u = neg ? uint64_t(0) - mag : mag;  // two's complement bit pattern
  switch (dt) {
    case DType::Bool: case DType::Int8: case DType::UInt8: store_at<uint8_t>(out.bytes, index, uint8_t(u)); break;
    case DType::Int16: case DType::UInt16: store_at<uint16_t>(out.bytes, index, uint16_t(u)); break;
    case DType::Int32: case DType::UInt32: store_at<uint32_t>(out.bytes, index, uint32_t(u)); break;
    case DType::Int64: case DType::UInt64: store_at<uint64_t>(out.bytes, index, u); break;
    default:
      if (!ir::dtype_is_sub_byte(dt)) fail(t, "cannot store a literal of type " + std::string(ir::dtype_name(dt)));
      store_bits(out.bytes, index, bits, u & ((uint64_t(1) << bits) - 1));
  }
  advance();
}

std::shared_ptr<const ir::BlobFile> MilParser::open_weight_file(const std::string& path, const MilToken& at) {
  // Every BLOBFILE names the same file or two: resolve each spelling once.
  if (auto hit = weight_files_by_spelling_.find(path); hit != weight_files_by_spelling_.end()) return hit->second;
  std::string p = path;
  static const std::string kPrefix = "@model_path";
  fs::path base(source_.model_path);
  fs::path resolved;
  if (p.rfind(kPrefix, 0) == 0) {
    std::string rest = p.substr(kPrefix.size());
    while (!rest.empty() && rest[0] == '/') rest.erase(0, 1);
    resolved = base / rest;
  } else if (fs::path(p).is_absolute()) {
    resolved = p;
  } else {
    resolved = base / p;
  }
  std::error_code ec;
  if (!fs::exists(resolved, ec) && source_.weights_fallback) {
    fs::path name = fs::path(p).filename();
    for (const fs::path& alt : {base / "weights" / name, base / name})
      if (fs::exists(alt, ec)) {
        resolved = alt;
        break;
      }
  }
  std::string key = resolved.lexically_normal().string();
  auto it = weight_files_.find(key);
  if (it != weight_files_.end()) return weight_files_by_spelling_[path] = it->second;
  if (!fs::exists(resolved, ec))
    fail(at, "weight file '" + path + "' not found (looked for " + key + ")");
  auto file = ir::BlobFile::open(key);  // throws with the file and byte offset
  weight_files_[key] = file;
  weight_files_by_spelling_[path] = file;
  return file;
}

Constant MilParser::parse_blobfile(const Type& type, const MilToken& start) {
  MilToken at = cur_;
  advance();  // BLOBFILE
  expect('(', "after BLOBFILE");
  std::optional<std::string> path;
  std::optional<uint64_t> offset;
  do {
    MilToken key = expect_ident("'path' or 'offset' in BLOBFILE(...)");
    expect('=', "after the BLOBFILE field name");
    MilToken lit_tok = cur_;
    if (!at_literal_start()) fail(cur_, "expected a literal for BLOBFILE " + std::string(key.text) + ", found " + cur_.describe());
    auto lit = parse_literal();
    if (key.text == "path") {
      path = lit->scalar_string();
      if (!path) fail(lit_tok, "BLOBFILE path must be a string literal");
    } else if (key.text == "offset") {
      if (!lit->is_tensor() || !ir::dtype_is_integer(lit->dtype()) || lit->element_count() != 1)
        fail(lit_tok, "BLOBFILE offset must be an integer scalar");
      offset = static_cast<uint64_t>(lit->to_ints()[0]);
    } else {
      fail(key, "unknown BLOBFILE field '" + std::string(key.text) + "' (expected path or offset)");
    }
  } while (accept(','));
  expect(')', "to close BLOBFILE(...)");
  if (!path || !offset) fail(at, "BLOBFILE needs both path and offset");
  if (!type.shape.is_static()) fail(start, "BLOBFILE constant of type " + type.str() + " has a dynamic shape");

  Constant c;
  c.type = type;
  auto file = open_weight_file(*path, at);
  try {
    c.blob = ir::BlobRef{file, file->record(*offset)};
    c.validate();
  } catch (const Error& e) {
    fail(at, "BLOBFILE(" + *path + ", offset " + std::to_string(*offset) + "): " + e.what());
  }
  return c;
}

}  // namespace mlscope::format::detail
