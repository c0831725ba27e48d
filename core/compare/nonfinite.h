// Non-finite results are never silent: which outputs hold NaN/inf, and which op produced the
// first of them (the ORIGIN: an op whose inputs were all finite but whose output was not).
//
// Finding the origin costs nothing when the outputs are finite: the caller runs as usual, and
// only when an output is non-finite is the (deterministic) emulated backend run again with an
// on_value observer that stops the run at the origin. Used by `run`, `hazards` and `compare`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/exec/backend.h"

namespace mlscope::compare {

/// NaN / ±inf counts of one value (tensors, lists of tensors, dictionaries).
struct NonfiniteCount {
  uint64_t nan = 0, pos_inf = 0, neg_inf = 0, elements = 0;
  uint64_t total() const { return nan + pos_inf + neg_inf; }
};
NonfiniteCount count_nonfinite(const exec::RunValue& v);
NonfiniteCount count_nonfinite(const exec::DequantizedCodes& d);

/// Where the first non-finite value came from.
struct NonfiniteOrigin {
  std::string op;        ///< op debug name ("" when an input was already non-finite)
  std::string type;      ///< op type ("conv", "nn.convolution"), or "input"
  std::string output;    ///< the value holding NaN/inf (the input's name for type "input")
  std::string location;  ///< "function main, op #37" (nested: "function main, while_0/block1 op #2")
  NonfiniteCount count;  ///< in that value
  bool from_input = false;
  /// "reduce_mean 'pool' (function main, op #97)" or "input 'x'"
  std::string describe() const;
};

/// "function main, op #37": where an op sits (its index in its block, program order).
std::string op_location(const ir::Function& fn, const ir::Op& op);

/// Follows values through one run in program order and names the first non-finite op output
/// and the origin. Feed it function inputs first, then every on_value / on_codes.
class NonfiniteTracker {
 public:
  explicit NonfiniteTracker(const ir::Function& fn);
  void observe_input(const std::string& name, const exec::RunValue& v);
  /// Returns true when this output makes `op` an origin (inputs all finite, output not).
  bool observe(const ir::Op& op, const std::string& value_name, const NonfiniteCount& count);
  /// True when every value input of `op` observed so far was finite (literals count as finite;
  /// values never observed, e.g. block arguments, too).
  bool inputs_finite(const ir::Op& op) const;
  const std::optional<NonfiniteOrigin>& first() const { return first_; }
  const std::optional<NonfiniteOrigin>& origin() const { return origin_; }

 private:
  ir::ValueId value_id(const ir::Op& op, const std::string& value_name) const;
  const ir::Function& fn_;
  std::vector<uint8_t> nonfinite_;  ///< per value id: 1 when observed holding NaN/inf
  std::optional<NonfiniteOrigin> first_, origin_, input_origin_;
};

/// Outputs of a result that hold NaN/inf, in output-name order.
struct NonfiniteOutput {
  std::string name;
  NonfiniteCount count;
};
std::vector<NonfiniteOutput> nonfinite_outputs(const exec::RunResult& result);

/// Runs `backend` again on the same inputs, observing every op output, and stops at the origin.
/// nullopt when the re-run finds every value finite, or the backend reports no op outputs
/// (recorded / native backends). `options` are the first run's (function, cancel, ...).
std::optional<NonfiniteOrigin> trace_nonfinite(exec::Backend& backend, const ir::Model& model, const exec::RunInputs& inputs,
                                               exec::RunOptions options);

/// One warning per non-finite output: "output 'y' has 2 of 2 values non-finite (2 NaN);
/// first non-finite value from reduce_mean 'pool' (function main, op #97)".
std::vector<std::string> nonfinite_output_warnings(const std::vector<NonfiniteOutput>& outputs,
                                                   const std::optional<NonfiniteOrigin>& origin);

/// The whole check as `run` and `compare` use it: finds non-finite outputs of `result`; only if
/// there are any, traces the origin with `rerun` (may be null: no origin then; a band backend is
/// traced through its default member).
struct NonfiniteCheck {
  std::vector<NonfiniteOutput> outputs;
  std::optional<NonfiniteOrigin> origin;
  std::vector<std::string> warnings;
  bool any() const { return !outputs.empty(); }
};
NonfiniteCheck check_nonfinite_outputs(const exec::RunResult& result, exec::Backend* rerun, const ir::Model& model,
                                       const exec::RunInputs& inputs, const exec::RunOptions& options);

}  // namespace mlscope::compare
