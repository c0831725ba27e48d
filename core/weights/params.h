// Looking up an op parameter by name, uniformly across opsets: iOS18 constexpr ops carry their
// parameters as inputs (often bound to `const` ops), iOS16/17 ones as attributes.
#pragma once

#include <string_view>

#include "core/ir/function.h"

namespace mlscope::weights {

struct ParamRef {
  const ir::Constant* constant = nullptr;  ///< literal, value of a `const` op, or attribute
  ir::ValueId value = ir::kNone;           ///< the bound value when the param is an input
  ir::OpId producer = ir::kNone;           ///< op producing `value` (kNone for literals/attributes)
  int producer_output = 0;
  bool present() const { return constant != nullptr || value != ir::kNone; }
};

/// The constant held by a `const` op ("val" attribute), or nullptr.
const ir::Constant* const_op_value(const ir::Op& op);
/// Parameter `name` of op `o`: its input binding first (first binding), then its attribute.
ParamRef find_param(const ir::Function& f, ir::OpId o, std::string_view name);
/// Scalar int / string parameter, if present and constant.
std::optional<int64_t> param_int(const ir::Function& f, ir::OpId o, std::string_view name);
std::optional<std::string> param_string(const ir::Function& f, ir::OpId o, std::string_view name);
/// Integer vector parameter (strides, pad, ...), empty when absent or not constant.
std::vector<int64_t> param_ints(const ir::Function& f, ir::OpId o, std::string_view name);

}  // namespace mlscope::weights
