// Drift: does one backend give the same outputs when run N times on the same input?
// (seed 001's probe_3_drift.py, for any backend). Recorded backends report the recording's own
// statistics instead (RecordedBackend::recorded_drift) — replaying a file proves nothing.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/compare/recorded_backend.h"
#include "core/exec/backend.h"

namespace mlscope::compare {

/// Pure reduction: runs[0] is the reference; every later run is compared with it output by output.
DriftStats drift_from_runs(const std::string& backend, const std::vector<std::map<std::string, exec::RunValue>>& runs);

/// Runs `backend` `runs` times (≥ 2) on `inputs` and reduces with drift_from_runs().
DriftStats measure_drift(exec::Backend& backend, const ir::Model& model, const exec::RunInputs& inputs,
                         const exec::RunOptions& options, int runs);

}  // namespace mlscope::compare
