// Per-op rule checks used by the estimator (internal to core/analysis).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/analysis/placement_rules.h"
#include "core/ir/model.h"

namespace mlscope::analysis::detail {

/// What the checks need to know about one op's surroundings.
struct OpContext {
  const ir::Function& fn;
  const ir::Op& op;
  const PlacementThresholds& t;
  /// Function inputs whose model-description shape is a range (RangeDim): dynamic at runtime.
  const std::vector<ir::ValueId>& flexible_inputs;
};

/// One rule that catches the op, with the detail sentence ("input 'x' is fp32").
struct RuleHit {
  std::string_view key;
  std::string detail;
};

/// Every op-level rule (table order) that catches `op`. Empty: the op is NE-eligible.
std::vector<RuleHit> check_op(const OpContext& ctx);

/// True for ops that produce compile-time values (const, constexpr_*).
bool is_constant_op(const ir::Op& op);
/// The constant behind a binding: a literal, or the `val` of the const op producing it.
const ir::Constant* binding_constant(const ir::Function& fn, const ir::Binding& b);
/// True when the binding is a compile-time value (literal, const or constexpr output).
bool binding_is_constant(const ir::Function& fn, const ir::Binding& b);

}  // namespace mlscope::analysis::detail
