// The emulating backend: interprets a model's IR op by op under a NumericProfile.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/exec/backend.h"
#include "core/exec/numeric_profile.h"

namespace mlscope::exec {

/// An op the interpreter has no kernel for.
struct UnsupportedOp {
  std::string function, op_type, op_name;
};

/// Every op (all functions, nested blocks) without a kernel — empty means the model can run.
std::vector<UnsupportedOp> list_unsupported(const ir::Model& model);

/// One interpreter run, op by op, that can be forked: what Interpreter::run does, opened up for
/// runners that execute several profiles sharing a prefix (band_runner.h). Copying a run forks
/// it: the copy holds the same values so far (tensors share storage; no kernel writes over a
/// value whose storage is shared, see KernelContext::take_dying_input) and continues on its own.
class InterpreterRun {
 public:
  /// Binds the inputs (errors as Interpreter::run). `model`, `inputs`' tensors, `options` and
  /// `profile` must outlive the run.
  InterpreterRun(const ir::Model& model, const RunInputs& inputs, const RunOptions& options, const NumericProfile& profile);
  InterpreterRun(const InterpreterRun& other);
  InterpreterRun(InterpreterRun&&) noexcept;
  InterpreterRun& operator=(const InterpreterRun&) = delete;
  InterpreterRun& operator=(InterpreterRun&&) noexcept;
  ~InterpreterRun();

  /// Top-level ops of the function body, run in order with run_op(0), run_op(1), ...
  size_t op_count() const;
  const ir::Op& op(size_t i) const;
  const ir::Function& function() const;
  /// The profile for the ops run from now on (must outlive the run).
  void set_profile(const NumericProfile& profile);
  /// Runs top-level op i; `outputs`, when given, receives the op's output values (an empty
  /// Tensor for an output that is not computed now, e.g. a deferred dequantize).
  void run_op(size_t i, std::vector<RunValue>* outputs = nullptr);
  /// What the run has recorded so far (warnings, accumulation statistics, timings).
  const RunResult& result_so_far() const;
  /// After the last op: the outputs and final states; the run is spent.
  RunResult finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Interpreter : public Backend {
 public:
  explicit Interpreter(NumericProfile profile);
  std::string name() const override { return "emulated:" + profile_.name; }
  BackendKind kind() const override { return BackendKind::Emulated; }
  RunResult run(const ir::Model& model, const RunInputs& inputs, const RunOptions& options) override;
  const NumericProfile& profile() const { return profile_; }

 private:
  NumericProfile profile_;
};

}  // namespace mlscope::exec
