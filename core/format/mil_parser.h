// MIL text parser: turns a whole `model.mil` / `.mil` program into IR functions.
//
// Recursive descent over MilLexer tokens, grammar as in coreml-formats.md §8 plus the
// tolerant extras listed there (bare scalar types, `?`/symbol dims, nested or flat literal
// lists, optional attribute lists, parenthesized result lists). Nested blocks of cond /
// while_loop use mlscope's own spelling (no compiler sample exists), the one print_mil writes:
//   results = op(args)[attrs] (T in0, ...) { ... } -> (out0, ...) { ... } -> (...);
#pragma once

#include <string>
#include <string_view>

#include "core/ir/model.h"

namespace mlscope::format {

struct MilSource {
  std::string file;        ///< shown in error messages
  std::string model_path;  ///< directory that `@model_path` (and relative BLOBFILE paths) name
  /// Also look for a weight file as <model_path>/weights/<basename> and <model_path>/<basename>
  /// when the named path does not exist (bare .mil files moved away from their package).
  bool weights_fallback = false;
};

/// Hard limit on nesting (brackets in literals, types in types, nested blocks): hostile input
/// gets an error instead of a stack overflow.
constexpr int kMilMaxNesting = 64;

/// Parses `text` and fills model.program_version, program_attributes, functions (one
/// specialization each, opset = the text opset such as "ios16") and weight_files (each file
/// opened once). Throws mlscope::Error with file:line:col and what was expected.
void parse_mil_program(std::string_view text, const MilSource& source, ir::Model& model);

}  // namespace mlscope::format
