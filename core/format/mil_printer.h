// Prints IR as MIL text in the style of Apple's compiler (model.mil, coreml-formats.md §8.1):
// program header with buildInfo, `func name<opset>(params)`, ops indented by 12 spaces,
// arguments and attributes sorted by name, the op name as the `name` attribute, floats as
// C99 hex literals, blob constants as BLOBFILE(...) references, nested blocks (cond/while_loop)
// in mlscope's own spelling (see mil_parser.h). parse_mil_program reads it back to the same IR.
//
// Used by the GUI's MIL text view for every model (protobuf ones included), so it also returns
// the line of each op.
#pragma once

#include <string>
#include <vector>

#include "core/ir/model.h"

namespace mlscope::format {

struct MilText {
  std::string text;
  /// op_line[f][op] = 1-based line of op `op` (an OpId) of model.functions[f] in `text`,
  /// 0 for ops not printed (other specializations). One entry per function.
  std::vector<std::vector<int>> op_line;
};

/// Spelling of literal types: `tensor<string, []>("x")` (program 1.0, opsets up to iOS17) or
/// `string("x")` (iOS18 targets).
enum class MilLiteralStyle { TensorScalars, BareScalars };

/// The text opset of a function: "CoreML7" -> "ios17", "ios16" stays; "" -> "unknown".
std::string mil_text_opset(const std::string& opset);
/// BareScalars for iOS18+ opsets, TensorScalars otherwise.
MilLiteralStyle mil_style_for_opset(const std::string& opset);

/// The whole program (every function, active specialization).
MilText print_mil_text(const ir::Model& model);
std::string print_mil(const ir::Model& model);
/// One function, starting at line 1 (`func ...`); op_line has one entry.
MilText print_mil_function(const ir::Function& f);

/// One literal, e.g. `tensor<int32, [2]>([1, 2])` (used by inspectors too).
std::string print_mil_literal(const ir::Constant& c, MilLiteralStyle style);

}  // namespace mlscope::format
