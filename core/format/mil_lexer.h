// Tokenizer for MIL text (model.mil inside .mlmodelc, bare .mil files).
//
// Works on a view of the whole file (usually mmap'd) and hands out tokens that point into it,
// so a multi-megabyte program is never copied. Every token carries its 1-based line:column for
// error messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/error.h"

namespace mlscope::format {

struct MilToken {
  enum class Kind : uint8_t { End, Ident, Number, String, Punct, Arrow };
  Kind kind = Kind::End;
  std::string_view text;  ///< raw spelling; strings include their quotes
  int line = 0;
  int column = 0;

  bool is(char punct) const { return kind == Kind::Punct && text.size() == 1 && text[0] == punct; }
  bool is_ident(std::string_view s) const { return kind == Kind::Ident && text == s; }
  /// Human spelling for "expected X, found Y" messages.
  std::string describe() const;
};

class MilLexer {
 public:
  MilLexer(std::string_view source, std::string file) : src_(source), file_(std::move(file)) {}

  /// The next token (End at end of input). Throws mlscope::Error on a malformed token.
  MilToken next();
  const std::string& file() const { return file_; }
  Location at(const MilToken& t) const { return Location::at_line(file_, t.line, t.column); }

 private:
  void skip_space_and_comments();
  MilToken make(MilToken::Kind k, size_t begin, int line, int col) const;

  std::string_view src_;
  std::string file_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
};

/// Decodes a string token's escapes (\" \\ \n \t \r \0 \xHH \uXXXX). Throws on a bad escape.
std::string decode_mil_string(const MilToken& t, const MilLexer& lexer);
/// Quotes and escapes `s` the way decode_mil_string reads it back.
std::string encode_mil_string(std::string_view s);

}  // namespace mlscope::format
