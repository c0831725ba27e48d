// RecordedBackend: replays the predictions a recording captured on a Mac, one backend per
// compute unit ("recorded:cpu_and_ne"). It runs nothing: run() checks that the given inputs are
// exactly the recorded ones (element by element, after the recording's own SHA-256 check of any
// referenced .npy) and returns the recorded outputs, labelled with where they were measured.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/exec/backend.h"
#include "core/recording/recording.h"

namespace mlscope::compare {

/// Same-backend repeatability of one backend: measured here (drift.h) or taken from a recording.
struct DriftStats {
  std::string backend;
  int64_t repeats = 0;              ///< runs compared against the first one
  bool bit_stable = true;           ///< every repeat bit-identical to the first
  int64_t first_drifting_run = -1;  ///< 1-based repeat index of the first difference, -1 if none
  double worst_abs_diff = 0;        ///< over every output element and repeat
  bool argmax_drift = false;        ///< a classification output changed its argmax
  std::string source;               ///< "measured here: 5 runs" / "recorded: ..."
};

class RecordedBackend : public exec::Backend {
 public:
  /// Throws mlscope::Error (naming the recording file) if it holds no prediction for `compute_units`.
  RecordedBackend(std::shared_ptr<const recording::Recording> rec, const std::string& compute_units);
  std::string name() const override { return "recorded:" + prediction_->compute_units; }
  exec::BackendKind kind() const override { return exec::BackendKind::Recorded; }
  /// Throws mlscope::Error when an input is missing or differs from the recorded one (naming the
  /// input and the first differing element). Options (intermediates, timing) do not apply.
  exec::RunResult run(const ir::Model& model, const exec::RunInputs& inputs, const exec::RunOptions& options) override;

  /// "recorded: macOS 14.5, Apple M1, CPU_AND_NE (file.recording.json)"
  std::string provenance() const;
  /// The recorded run-to-run statistics of this compute unit.
  DriftStats recorded_drift() const;
  /// Recorded outputs as tensors (dtype and shape as recorded).
  std::map<std::string, exec::RunValue> recorded_outputs() const;
  /// Recorded inputs as tensors (for `compare --input` defaults: the recording's own input).
  exec::RunInputs recorded_inputs() const;

 private:
  std::shared_ptr<const recording::Recording> rec_;
  const recording::Prediction* prediction_ = nullptr;
};

/// One backend per compute unit in the recording, in the recording's order.
std::vector<std::unique_ptr<RecordedBackend>> recorded_backends(std::shared_ptr<const recording::Recording> rec);

}  // namespace mlscope::compare
