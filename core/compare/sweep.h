// Flip rate over an input sweep: M inputs through every backend; for each pair of backends the
// fraction of inputs whose argmax differs, the distribution of margin deltas and the inputs
// closest to a tie. Inputs are spread over worker threads; results land in per-input slots, so
// the numbers do not depend on scheduling.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/compare/metrics.h"
#include "core/compare/sweep_inputs.h"
#include "core/exec/backend.h"

namespace mlscope::compare {

/// Each worker thread makes its own backend instances (backends need not be thread-safe).
struct SweepBackend {
  std::string name;
  std::function<std::unique_ptr<exec::Backend>()> make;
};

struct SweepOptions {
  std::string output;   ///< output to classify; empty = the model's first output
  int threads = 2;
  CancelToken cancel;
  /// Called (serialized) after each input: inputs done of inputs total, stage "12 / 200 inputs".
  ProgressFn progress;
  int histogram_bins = 16;
  size_t closest = 5;   ///< how many closest-to-tie inputs to list per pair
  exec::RunOptions run_options;  ///< its cancel is the sweep's own
};

/// One input through every backend.
struct SweepRow {
  std::string label;
  bool done = false;
  std::vector<std::vector<double>> scores;  ///< per backend
  std::vector<int64_t> argmax;              ///< per backend
  std::vector<double> gap;                  ///< per backend: own top1 − top2 (≥ 0)
  std::vector<Decision> decision;           ///< per backend: only strict winners can flip
  /// Band backends (exec::BandBackend): per backend, each member's argmax and decision (empty
  /// for a plain backend).
  std::vector<std::vector<int64_t>> member_argmax;
  std::vector<std::vector<Decision>> member_decision;
};

struct Histogram {
  double lo = 0, hi = 0;  ///< counts[k] covers [lo + k·w, lo + (k+1)·w), last bin closed
  std::vector<int64_t> counts;
};

struct PairFlip {
  std::string a, b;  ///< a is the reference side of the pair
  size_t inputs = 0, flips = 0;
  size_t undecided = 0;  ///< inputs where either side has no strict winner (tie, all equal, NaN/inf): never counted as flips
  double flip_rate = 0;  ///< flips / inputs
  std::vector<double> margin_delta;  ///< per completed input: margin(b) − margin(a), pair of metrics.h taken from a
  std::vector<size_t> input_index;   ///< row index of each margin_delta entry
  Histogram histogram;
  std::vector<size_t> closest_to_tie;  ///< row indices, smallest min(gap a, gap b) first
  double max_abs_margin_delta = 0;
  /// When b is a band: the fewest and most flips any one member has against a, and the inputs
  /// on which at least one member flips (the band's flip range, beside b's default member).
  bool band = false;
  size_t band_min_flips = 0, band_max_flips = 0, band_any_flip = 0;
};

struct SweepResult {
  std::string output;
  std::vector<std::string> backends;
  std::vector<SweepRow> rows;
  std::vector<PairFlip> pairs;  ///< every (i < j) pair, in backend order
  size_t completed = 0;
  bool cancelled = false;
  double wall_seconds = 0;
  double cpu_seconds = 0;  ///< process CPU time used during the sweep (both cores busy ≈ 2 × wall)
};

/// Pure: the pair statistics from completed rows.
PairFlip pair_flip(const std::vector<SweepRow>& rows, size_t a, size_t b, const std::vector<std::string>& names,
                   int bins, size_t closest);

/// Runs the sweep. Throws the first mlscope::Error a worker hit (e.g. a bad input file), after
/// stopping the others. Cancellation returns what finished, with `cancelled` set.
SweepResult run_sweep(const ir::Model& model, const std::vector<SweepBackend>& backends, const SweepInputs& inputs,
                      const SweepOptions& options);

}  // namespace mlscope::compare
