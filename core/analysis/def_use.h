// Def-use graph over one ir::Function: producer and users of every value, across nested blocks.
//
// Function::rebuild_uses() fills Value::uses, but analyses take a const Function, so this class
// keeps its own users table and adds what the arenas do not: stepping through nested-block
// inputs (while_loop loop_vars) and block outputs (cond / while results) to the op that really
// produced the data.
#pragma once

#include <functional>
#include <vector>

#include "core/ir/function.h"

namespace mlscope::analysis {

class DefUse {
 public:
  explicit DefUse(const ir::Function& f);

  const ir::Function& function() const { return f_; }

  /// Op producing `v` (kNone for function inputs and unresolvable block inputs).
  ir::OpId producer(ir::ValueId v) const;
  /// The value `v` really comes from: a nested block input is mapped to the parent op's
  /// `loop_vars` binding (the first-iteration value), repeatedly. Returns `v` otherwise.
  ir::ValueId origin(ir::ValueId v) const;
  /// Producer of origin(v).
  ir::OpId origin_producer(ir::ValueId v) const { return producer(origin(v)); }
  /// Values that output `output` of op `o` comes from when `o` has nested blocks (cond branch
  /// results, loop body results): outputs[output] of each block. Empty for ops without blocks.
  std::vector<ir::ValueId> block_results(ir::OpId o, int output) const;

  /// Every use of `v` (op, input index, binding index).
  const std::vector<ir::Use>& uses(ir::ValueId v) const { return uses_.at(static_cast<size_t>(v)); }
  /// Distinct ops consuming any output of `o`, in op-id order.
  std::vector<ir::OpId> users_of(ir::OpId o) const;
  /// Values bound (not literals) to the inputs of `o`, in input order.
  std::vector<ir::ValueId> operands(ir::OpId o) const;
  /// True when the value is a function input.
  bool is_function_input(ir::ValueId v) const;

  /// Depth-first walk from `v` towards its producers (through origin()); `fn` sees each op once
  /// and returns false to stop descending below it.
  void walk_producers(ir::ValueId v, const std::function<bool(ir::OpId)>& fn) const;
  /// Depth-first walk from op `o` to every op that (transitively) consumes its outputs.
  void walk_users(ir::OpId o, const std::function<bool(ir::OpId)>& fn) const;

 private:
  const ir::Function& f_;
  std::vector<std::vector<ir::Use>> uses_;
};

}  // namespace mlscope::analysis
