// Backend: one way of running a model — emulated (our interpreter under a numeric profile),
// recorded (replaying predictions captured on a Mac), or native (Core ML itself, Apple only).
//
// Every result carries `provenance`, a human label saying where the numbers came from, so an
// emulation is never shown as a measurement.
//
// The kinds:
//  * Emulated: exec::Interpreter under a NumericProfile (core/exec/interpreter.h), and the
//    Neural Engine band (core/exec/band_runner.h).
//  * Recorded: compare::RecordedBackend (core/compare/recorded_backend.h) holds predictions
//    captured on a Mac (per compute unit, with the inputs they were made from); run() checks the
//    given inputs equal the recorded ones and returns the recorded outputs.
//  * Native (Core ML itself) has no implementation yet: it needs a Mac (issue #23); the kind
//    exists so results can already say which kind they are.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/exec/dequantized_codes.h"
#include "core/exec/tensor.h"
#include "core/ir/model.h"
#include "core/util/cancel.h"
#include "core/util/progress.h"

namespace mlscope::exec {

enum class BackendKind : uint8_t { Emulated, Recorded, Native };
std::string_view backend_kind_name(BackendKind k);  ///< "emulated", "recorded", "native"

/// Model inputs by feature name (for stateful models, initial states may be given by state name).
using RunInputs = std::map<std::string, RunValue>;

/// What to do when an input holds NaN or infinity.
enum class NonFinitePolicy : uint8_t { Warn, Reject };

struct RunOptions {
  std::string function;             ///< empty = the model's default function
  bool keep_intermediates = false;  ///< keep every op output (else buffers are freed after last use)
  bool time_ops = false;            ///< fill RunResult::op_timings
  NonFinitePolicy non_finite_inputs = NonFinitePolicy::Warn;
  /// Stops the run from another thread (Error "run cancelled" is thrown).
  CancelToken cancel;
  /// Called after each executed op: ops done of the top-level block's ops, stage = the op's name.
  ProgressFn progress;
  /// Emulated backends: called for each op output right after it is computed (storage rounding
  /// applied), before anything reads it — lets a derived backend replace the value (the
  /// quantization what-if fake-quantizes weights and activations here). Arguments: the op, the
  /// output index, the value to rewrite in place. Must be thread-safe if the options are shared.
  std::function<void(const ir::Op&, size_t, RunValue&)> rewrite_output;
  /// Emulated backends: called for each op output (nested blocks included, consts included) once
  /// it is stored, before its buffer may be freed — per-op observation without keep_intermediates.
  std::function<void(const ir::Op&, const std::string& value_name, const RunValue&)> on_value;
  /// With on_value: a `dequantize` whose readers all take codes (conv's x) is then left to them
  /// as in an unobserved run, and reported here as codes + table instead of through on_value —
  /// observation at the plain run's speed and memory. Without it such values are computed.
  std::function<void(const ir::Op&, const std::string& value_name, const DequantizedCodes&)> on_codes;
};

struct OpTiming {
  std::string op_name, op_type;
  double seconds = 0;
};

/// What the fp16 partial sums of one op's reductions did (emulated runs; only ops whose
/// reductions round partial sums to fp16 appear).
struct AccumulationStat {
  std::string op_name, op_type;
  double max_abs_partial = 0;        ///< largest |partial sum| before rounding to fp16
  uint64_t overflowed_partials = 0;  ///< partial sums with |x| > 65504 before rounding (became ±inf)
  uint64_t sums = 0;                 ///< reductions (output values) that accumulated in fp16
};

/// One member of an emulated band (exec::BandBackend): its profile name and outputs.
struct BandMember {
  std::string name;  ///< "ane:chunk256-f32"
  std::map<std::string, RunValue> outputs;
};

/// A top-level op where the band's members took different numerics and got different values.
struct BandParting {
  std::string op_name, op_type;
  std::vector<std::vector<std::string>> groups;  ///< member names per distinct numerics
  double max_abs_diff = 0;  ///< largest |difference| between two groups' values of one element
  double max_abs = 0;       ///< largest |value| of the op's outputs over all groups
  double spread = 0;        ///< max_abs_diff / max_abs (0 when max_abs is 0)
  uint64_t non_finite = 0;  ///< elements that are NaN or inf in some group (left out of the spread)
};

struct RunResult {
  std::map<std::string, RunValue> outputs;
  std::map<std::string, Tensor> states;              ///< final state values (stateful models)
  std::map<std::string, RunValue> intermediates;     ///< value name -> value (keep_intermediates)
  std::vector<OpTiming> op_timings;                  ///< program order (time_ops)
  std::vector<std::string> warnings;                 ///< e.g. "input 'x' has 3 NaN values"
  std::string provenance;  ///< "emulated: profile ane (fp16 storage, ...)", "recorded: ...", "native: ..."
  uint64_t peak_live_bytes = 0;  ///< largest sum of live activation buffers seen (emulated)
  std::vector<AccumulationStat> accumulation;  ///< per op, in execution order (emulated, fp16 reductions)
  std::vector<BandMember> band_members;        ///< band backends: every member's outputs
  std::vector<BandParting> band_partings;      ///< band backends: where members' values parted
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual BackendKind kind() const = 0;
  /// Runs `model` on `inputs`. Throws mlscope::Error for bad inputs (wrong name/dtype/shape,
  /// missing input), unsupported ops (naming op type and op) and cancellation.
  virtual RunResult run(const ir::Model& model, const RunInputs& inputs, const RunOptions& options) = 0;
};

}  // namespace mlscope::exec
