// A small ML program built in code for writer/reader tests: blob and inline constants of several
// dtypes, variadic and literal bindings, attributes, a cond with two nested blocks, a state input,
// and a second function.
#pragma once

#include "core/ir/model.h"

namespace mlscope::test {

ir::Model sample_program();
/// Structural equality of two models' programs and descriptions; returns "" or the first difference.
std::string diff_models(const ir::Model& a, const ir::Model& b);

}  // namespace mlscope::test
