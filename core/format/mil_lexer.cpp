#include "core/format/mil_lexer.h"

#include <cstring>

namespace mlscope::format {

namespace {

bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

// Identifier bytes [A-Za-z0-9_@.] as a table: the lexer's hottest loop.
struct IdentTable {
  bool t[256] = {};
  constexpr IdentTable() {
    for (int c = 0; c < 256; ++c)
      t[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '@' || c == '.';
  }
};
constexpr IdentTable kIdent;
bool ident_char(char c) { return kIdent.t[static_cast<unsigned char>(c)]; }

bool is_punct(char c) {
  switch (c) {
    case '(': case ')': case '[': case ']': case '{': case '}': case '<': case '>':
    case ',': case '=': case ';': case '?': case '*': case ':':
      return true;
    default:
      return false;
  }
}
bool digit(char c) { return c >= '0' && c <= '9'; }
bool alnum(char c) { return ident_start(c) || digit(c); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string MilToken::describe() const {
  switch (kind) {
    case Kind::End: return "end of file";
    case Kind::String: return "string " + std::string(text.substr(0, 40)) + (text.size() > 40 ? "..." : "");
    default: return "'" + std::string(text.substr(0, 40)) + (text.size() > 40 ? "..." : "") + "'";
  }
}

void MilLexer::skip_space_and_comments() {
  while (pos_ < src_.size()) {
    char c = src_[pos_];
    if (c == '\n') {
      ++pos_;
      ++line_;
      line_start_ = pos_;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++pos_;
    } else if (c == '/' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '/') {
      // Line comments are not emitted by the compiler; accepted so hand-annotated files read.
      const void* nl = std::memchr(src_.data() + pos_, '\n', src_.size() - pos_);
      pos_ = nl ? static_cast<size_t>(static_cast<const char*>(nl) - src_.data()) : src_.size();
    } else {
      return;
    }
  }
}

MilToken MilLexer::make(MilToken::Kind k, size_t begin, int line, int col) const {
  MilToken t;
  t.kind = k;
  t.text = src_.substr(begin, pos_ - begin);
  t.line = line;
  t.column = col;
  return t;
}

MilToken MilLexer::next() {
  skip_space_and_comments();
  int line = line_;
  int col = static_cast<int>(pos_ - line_start_) + 1;
  size_t begin = pos_;
  if (pos_ >= src_.size()) return make(MilToken::Kind::End, begin, line, col);
  char c = src_[pos_];
  auto peek = [&](size_t k) { return pos_ + k < src_.size() ? src_[pos_ + k] : '\0'; };

  if (ident_start(c)) {
    while (pos_ < src_.size() && ident_char(src_[pos_])) ++pos_;
    return make(MilToken::Kind::Ident, begin, line, col);
  }
  if (c == '-' && peek(1) == '>') {
    pos_ += 2;
    return make(MilToken::Kind::Arrow, begin, line, col);
  }
  if (digit(c) || ((c == '-' || c == '+') && (alnum(peek(1)) || peek(1) == '.')) || (c == '.' && digit(peek(1)))) {
    // Numbers: decimal and C99 hex floats (0x1.8p-3), signed; also -inf / nan spellings.
    ++pos_;
    bool hex = false;
    while (pos_ < src_.size()) {
      char d = src_[pos_];
      if (d == 'x' || d == 'X') hex = true;
      char prev = src_[pos_ - 1];
      bool exp_sign = (d == '+' || d == '-') &&
                      (prev == 'p' || prev == 'P' || (!hex && (prev == 'e' || prev == 'E')));
      if (alnum(d) || d == '.' || exp_sign) ++pos_;
      else break;
    }
    return make(MilToken::Kind::Number, begin, line, col);
  }
  if (c == '"') {
    ++pos_;
    for (;;) {
      // Find the next quote, backslash or newline without touching every byte in C++ code.
      size_t rest = src_.size() - pos_;
      const char* p = src_.data() + pos_;
      size_t k = 0;
      while (k < rest && p[k] != '"' && p[k] != '\\' && p[k] != '\n') ++k;
      pos_ += k;
      if (pos_ >= src_.size() || src_[pos_] == '\n')
        throw Error(Location::at_line(file_, line, col),
                    pos_ >= src_.size() ? "unterminated string literal (end of file before the closing quote)"
                                        : "unterminated string literal (line ends before the closing quote)");
      if (src_[pos_] == '"') {
        ++pos_;
        return make(MilToken::Kind::String, begin, line, col);
      }
      pos_ += 2;  // backslash + escaped char (validated when decoded)
      if (pos_ > src_.size()) pos_ = src_.size();
    }
  }
  if (is_punct(c)) {
    ++pos_;
    return make(MilToken::Kind::Punct, begin, line, col);
  }
  std::string shown = (c >= 32 && c < 127) ? std::string("'") + c + "'" : "byte 0x" + std::to_string(static_cast<unsigned char>(c));
  throw Error(Location::at_line(file_, line, col), "unexpected character " + shown);
}

std::string decode_mil_string(const MilToken& t, const MilLexer& lexer) {
  std::string_view s = t.text.substr(1, t.text.size() - 2);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    Location where = Location::at_line(lexer.file(), t.line, t.column + 1 + static_cast<int>(i));
    if (++i >= s.size()) throw Error(where, "dangling backslash in string literal");
    switch (s[i]) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '0': out += '\0'; break;
      case 'x': case 'u': {
        size_t digits = s[i] == 'x' ? 2 : 4;
        uint32_t v = 0;
        for (size_t k = 1; k <= digits; ++k) {
          int h = i + k < s.size() ? hex_value(s[i + k]) : -1;
          if (h < 0) throw Error(where, "bad hex digit in \\" + std::string(1, s[i]) + " escape");
          v = v * 16 + static_cast<uint32_t>(h);
        }
        if (s[i] == 'x') out += static_cast<char>(v);
        else append_utf8(out, v);
        i += digits;
        break;
      }
      default:
        throw Error(where, std::string("unknown escape \\") + s[i] + " in string literal");
    }
  }
  return out;
}

std::string encode_mil_string(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (u < 32 || u == 127) {
          out += "\\x";
          out += hex[u >> 4];
          out += hex[u & 15];
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace mlscope::format
