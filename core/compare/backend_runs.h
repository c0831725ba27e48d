// Running several backends on one input, in parallel (one backend per core, each with its own
// instance), reusing the runs a caller already has. NaN/inf outputs are named with the op they
// start at (compare/nonfinite.h). The GUI's comparison runs come through here.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/compare/backend_catalog.h"
#include "core/compare/compare_runs.h"
#include "core/util/cancel.h"
#include "core/util/progress.h"

namespace mlscope::compare {

struct BackendRunRequest {
  BackendSpec spec;
  std::shared_ptr<const BackendRun> cached;  ///< reused as is when set
};

struct BackendRunOutcome {
  std::shared_ptr<const BackendRun> run;  ///< null when the backend failed
  std::string error;                      ///< why it has no run
  bool fresh = false;                     ///< computed by this call (not from `cached`)
};

/// One outcome per request, in request order. `cancel` is checked between ops (a cancelled
/// backend ends with an error); `progress` (backends done of all, stage = the backend running)
/// is called from the workers.
std::vector<BackendRunOutcome> run_backends(const std::vector<BackendRunRequest>& requests, const ir::Model& model,
                                            const exec::RunInputs& inputs, CancelToken cancel,
                                            const ProgressFn& progress);

}  // namespace mlscope::compare
