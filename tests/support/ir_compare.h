// Structural comparison of IR for round-trip tests (print -> parse -> same IR): op types and
// names, argument bindings (by value name or literal), result names and types, attributes,
// constant values (bytes / strings / blob record), nested blocks.
#pragma once

#include <string>

#include "core/ir/model.h"

namespace mlscope::test {

/// "" when equal, else the first difference (with the op that differs).
std::string diff_constants(const ir::Constant& a, const ir::Constant& b);
std::string diff_functions(const ir::Function& a, const ir::Function& b);
/// Functions (by position), program attributes.
std::string diff_programs(const ir::Model& a, const ir::Model& b);

}  // namespace mlscope::test
