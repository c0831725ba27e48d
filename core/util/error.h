// mlscope::Error — the one error type for bad input: it names the file and the place.
//
// Readers, the interpreter and the analyses throw it; the CLI turns it into exit code 2 and
// one line on stderr, the GUI into a message in the window. Never abort() on user input.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace mlscope {

/// Where in the input the problem is. At most one of the location kinds is set.
struct Location {
  std::string file;        ///< path of the offending file (may be empty for in-memory input)
  int64_t byte_offset = -1;  ///< byte offset in a binary file
  int line = 0;            ///< 1-based line in a text file (0 = unknown)
  int column = 0;          ///< 1-based column in a text file
  std::string op;          ///< op (or layer, JSON key, tensor) name the problem is attached to

  static Location at_byte(std::string file, int64_t offset) {
    Location l; l.file = std::move(file); l.byte_offset = offset; return l;
  }
  static Location at_line(std::string file, int line, int column) {
    Location l; l.file = std::move(file); l.line = line; l.column = column; return l;
  }
  static Location at_op(std::string file, std::string op) {
    Location l; l.file = std::move(file); l.op = std::move(op); return l;
  }
  static Location in_file(std::string file) {
    Location l; l.file = std::move(file); return l;
  }
  /// "file:12:5", "file: byte 4096", "file: op 'conv_0'", or "file".
  std::string str() const;
};

class Error : public std::runtime_error {
 public:
  Error(Location where, const std::string& message);
  const Location& where() const { return where_; }
  /// The message without the location prefix.
  const std::string& message() const { return message_; }

 private:
  Location where_;
  std::string message_;
};

}  // namespace mlscope
