// Golden gate: a run's outputs against golden arrays from .npy / .npz files, pass/fail by
// cosine similarity — for the whole output, or per position along an axis (seed 003 checked
// every prompt position's logits: cosine ≥ 0.97 at each).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/compare/metrics.h"
#include "core/exec/backend.h"

namespace mlscope::compare {

/// Golden arrays by output name. A .npy file is the golden of the model's only output (or of
/// `output_names[0]` when given several); a .npz maps member names to output names. Throws
/// mlscope::Error naming the file for a malformed file, and for an .npz with no member named like
/// any output.
std::map<std::string, exec::Tensor> load_golden(const std::string& path, const std::vector<std::string>& output_names);

struct GoldenOptions {
  double min_cosine = 0.97;
  std::optional<int64_t> axis;  ///< per-position check along this axis (negative counts from the end)
};

struct GoldenCheck {
  std::string output;
  std::vector<double> cosines;  ///< one per position along the axis, or one for the whole output
  double worst_cosine = 1;
  int64_t worst_position = -1;  ///< -1 for a whole-output check
  DiffStats diff;               ///< whole output
  bool pass = false;
};

struct GoldenReport {
  std::string file;
  double min_cosine = 0;
  std::vector<GoldenCheck> checks;
  bool pass = false;
};

/// Checks every golden array against the run's output of the same name. Throws mlscope::Error
/// naming `file` when an output is missing from the run, is not numeric, or its element count /
/// shape does not match the golden's (leading 1-dims are ignored), or the axis is out of range.
GoldenReport golden_gate(const exec::RunResult& run, const std::map<std::string, exec::Tensor>& golden,
                         const std::string& file, const GoldenOptions& options);

}  // namespace mlscope::compare
