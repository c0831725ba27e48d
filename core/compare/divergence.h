// Per-op divergence: where in the program two backends start to disagree. Both backends run the
// same input with intermediates kept; every op output is matched by value name and compared with
// the reference's, in program order — the data behind the graph overlay.
//
// Memory: the exec API exposes intermediates only as RunResult::intermediates (no per-op value
// callback yet), so both runs' intermediates are alive while they are reduced; each op's arrays
// are reduced to a few numbers and released right away.
#pragma once

#include <string>
#include <vector>

#include "core/compare/metrics.h"
#include "core/exec/backend.h"

namespace mlscope::compare {

struct OpDivergence {
  int64_t order = 0;        ///< position in program order (const/constexpr ops left out)
  std::string name, type;   ///< op debug name (first output name if it has none), op type
  std::string value;        ///< the output compared (the worst one for multi-output ops)
  bool compared = false;
  std::string note;         ///< why not compared ("missing from fp32", "shape ...")
  double cosine = 1;
  double max_abs_diff = 0;
  double rel_error = 0;     ///< ‖other − reference‖₂ / ‖reference‖₂ (0 when both are zero)
  bool crosses = false;     ///< cosine < min_cosine or rel_error > max_rel_error
};

struct DivergenceOptions {
  double min_cosine = 0.999;
  double max_rel_error = 0.01;
  size_t first_crossings = 5;  ///< how many first crossing ops to list
  std::string function;        ///< empty = the model's default function
};

struct DivergenceReport {
  std::string reference, other, function;
  std::vector<OpDivergence> ops;         ///< program order
  std::vector<size_t> first_crossing;    ///< indices into ops, program order
  DivergenceOptions options;
};

/// Pure: reduces two runs' intermediates against the function's program order.
DivergenceReport divergence_from_results(const ir::Function& function, exec::RunResult& reference,
                                         exec::RunResult& other, const DivergenceOptions& options);

/// Runs both backends with keep_intermediates and reduces. `run_options` supplies cancel/progress.
DivergenceReport run_divergence(exec::Backend& reference, exec::Backend& other, const ir::Model& model,
                                const exec::RunInputs& inputs, const exec::RunOptions& run_options,
                                const DivergenceOptions& options);

}  // namespace mlscope::compare
