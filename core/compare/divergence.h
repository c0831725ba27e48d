// Per-op divergence: where in the program two backends start to disagree. Both backends run the
// same input with intermediates kept; every op output is matched by value name and compared with
// the reference's, in program order — the data behind the graph overlay.
//
// Memory (run_divergence): the two backends run on two threads in lockstep, taking turns one
// value at a time, each reporting every op output through exec::RunOptions::on_value. The first
// of the two to produce a value parks it (sharing the interpreter's buffer) until the other
// produces the same value; then the pair is reduced to a few numbers and released. Taking turns
// keeps the runs one value apart, and a side that still gets more than memory_budget_bytes of
// parked values ahead (e.g. a different control-flow path) waits for the other, so the extra
// memory is bounded by the budget (plus one value) on top of the two runs' own live buffers —
// whatever the model's size — and neither run keeps its intermediates. Only the side holding the
// turn computes, so each op gets every core exactly as in a plain run (same bits, no two runs
// fighting over the cores): divergence costs about two plain runs plus the reductions. A value
// only one backend produces is parked past the budget rather than deadlock; the report's
// peak_pending_bytes says how much was parked at most.
// streaming=false keeps the old path: both runs sequentially with keep_intermediates, then
// divergence_from_results — the same numbers (a test asserts it), more memory.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/compare/metrics.h"
#include "core/exec/backend.h"

namespace mlscope::compare {

struct OpDivergence {
  int64_t order = 0;        ///< position in program order (const/constexpr ops left out)
  std::string name, type;   ///< op debug name (first output name if it has none), op type
  std::string other_name;   ///< two models: the matched op of the other model
  std::string value;        ///< the output compared (the worst one for multi-output ops)
  bool compared = false;
  std::string note;         ///< why not compared ("missing from fp32", "shape ...")
  double cosine = 1;
  double max_abs_diff = 0;
  double rel_error = 0;     ///< ‖other − reference‖₂ / ‖reference‖₂ (0 when both are zero)
  /// rel_error minus the largest rel_error among the values the op reads (function inputs and
  /// weights count 0): what this op adds, so the culprit stands out from every op after it.
  double added_rel_error = 0;
  bool crosses = false;     ///< cosine < min_cosine or rel_error > max_rel_error
};

struct DivergenceOptions {
  double min_cosine = 0.999;
  double max_rel_error = 0.01;
  size_t first_crossings = 5;  ///< how many first crossing ops to list
  size_t most_added = 5;       ///< how many ops adding the most divergence to list
  std::string function;        ///< empty = the model's default function
  bool streaming = true;        ///< lockstep with bounded parked values (see above)
  uint64_t memory_budget_bytes = 64ull << 20;  ///< streaming: parked values allowed before a run waits
  /// When set, only values it accepts are compared (the others are never parked): two models
  /// compare the values that have a counterpart. Their ops get `rejected_note`.
  std::function<bool(const std::string& value)> compare_value;
  std::string rejected_note = "no counterpart in the other model";
  bool compares(const std::string& value) const { return !compare_value || compare_value(value); }
};

struct DivergenceReport {
  std::string reference, other, function;
  std::vector<OpDivergence> ops;         ///< program order
  std::vector<size_t> first_crossing;    ///< indices into ops, program order
  std::vector<size_t> most_added;        ///< indices into ops, largest added_rel_error first (> 0 only)
  DivergenceOptions options;
  uint64_t peak_pending_bytes = 0;       ///< streaming: largest total of parked values
  uint64_t peak_live_bytes = 0;          ///< max of the two runs' own peak live buffers
};

/// The name an op is reported under (OpDivergence::name): its own, or its first output's.
std::string divergence_op_name(const ir::Function& fn, const ir::Op& op);

/// Pure: reduces two runs' intermediates against the function's program order.
DivergenceReport divergence_from_results(const ir::Function& function, exec::RunResult& reference,
                                         exec::RunResult& other, const DivergenceOptions& options);

/// Runs both backends and reduces. `run_options` supplies cancel and progress; progress covers
/// the whole pass (ops of both runs when they run one after the other, the reference's when they
/// run in lockstep), so its fraction goes from 0 to 1 once.
DivergenceReport run_divergence(exec::Backend& reference, exec::Backend& other, const ir::Model& model,
                                const exec::RunInputs& inputs, const exec::RunOptions& run_options,
                                const DivergenceOptions& options);

}  // namespace mlscope::compare
