// Comparison of several backends' runs on one input, every output against a chosen reference.
//
// Pure: takes RunResults already computed (emulated, recorded or native) and returns numbers;
// running backends is the caller's job (see run_backends.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/compare/metrics.h"
#include "core/compare/positions.h"
#include "core/compare/values.h"
#include "core/exec/backend.h"

namespace mlscope::compare {

/// One backend's result with the labels that say where the numbers came from.
struct BackendRun {
  std::string name;  ///< "fp32", "ane-w8a8", "recorded:cpu_and_ne", ...
  exec::BackendKind kind = exec::BackendKind::Emulated;
  std::string provenance;
  exec::RunResult result;  ///< a band backend's members are in result.band_members
};

/// NaN and infinities among an output's values: a finding, never a value to plot.
struct NonFiniteCount {
  uint64_t nan = 0, pos_inf = 0, neg_inf = 0;
  uint64_t total() const { return nan + pos_inf + neg_inf; }
};
NonFiniteCount count_nonfinite(const std::vector<double>& values);

/// Per value, the lowest and highest any band member produced; per decision, whether every
/// member agrees on the argmax (per position for position-wise outputs).
struct OutputBand {
  std::vector<std::string> members;
  std::vector<double> min, max;
  bool argmax_stable = true;                  ///< every member has the same strict winner (every position)
  std::vector<bool> argmax_stable_positions;  ///< position-wise outputs
  std::vector<int64_t> member_argmax;         ///< per member (classification outputs)
  int64_t unstable_positions = 0;
};

struct OutputSummary {
  FlatValue value;
  NonFiniteCount nonfinite;
  bool classification = false;  ///< see is_classification_like()
  ClassStats cls;               ///< when classification
  double margin = 0;            ///< in the reference's MarginPair (metrics.h), when classification
  std::optional<PositionSummary> positions;  ///< position-wise outputs (positions.h)
  std::optional<OutputBand> band;            ///< band backends
};

/// One output of one backend against the same output of the reference.
struct OutputDelta {
  bool compared = false;
  std::string note;             ///< why not compared: "missing", "shape [1, 2] vs [1, 3]", ...
  DiffStats diff;
  std::vector<double> delta;    ///< other − reference element-wise (numeric outputs)
  bool classification = false;
  double margin_delta = 0;      ///< margin(other) − margin(reference)
  bool argmax_equal = true;     ///< same argmax index (every position), whatever the decisions
  /// What the decisions say: a flip needs a strict winner on both sides (metrics.h Verdict).
  Verdict verdict = Verdict::Same;
  bool flip = false;            ///< verdict Flipped (any position, for position-wise outputs)
  std::optional<PositionDelta> positions;
};

struct BackendComparison {
  std::string name, provenance;
  exec::BackendKind kind = exec::BackendKind::Emulated;
  std::map<std::string, OutputSummary> outputs;
  std::map<std::string, OutputDelta> vs_reference;
  std::vector<std::string> warnings;  ///< the run's own (non-finite inputs, outputs and their origin op, ...)
};

struct Comparison {
  std::string reference;
  std::vector<std::string> output_names;       ///< model description order, then any extras
  std::map<std::string, MarginPair> margin_pairs;              ///< classification outputs
  std::map<std::string, std::vector<MarginPair>> position_pairs;  ///< position-wise outputs, per position
  std::vector<BackendComparison> backends;     ///< in the order given (reference included)
  std::vector<std::string> notes;              ///< e.g. a --class-axis an output does not have
  const BackendComparison* find(const std::string& name) const;
};

struct CompareOptions {
  int top_k = 5;
  std::vector<std::string> output_order;  ///< the model's output names, in description order
  ClassAxis class_axis;                   ///< which outputs are compared position by position
};

/// Summarizes one output: its decision, or each position's when `rule` makes it position-wise.
OutputSummary summarize_output(const exec::RunValue& v, int top_k, const ClassAxis& rule = {});
/// One output against the reference's; fills `note` instead of throwing when incomparable.
OutputDelta compare_output(const OutputSummary& reference, const OutputSummary& other);

/// Throws mlscope::Error when `reference` names no run.
Comparison compare_runs(const std::vector<BackendRun>& runs, const std::string& reference, const CompareOptions& options);

}  // namespace mlscope::compare
