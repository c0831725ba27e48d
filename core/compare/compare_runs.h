// Comparison of several backends' runs on one input, every output against a chosen reference.
//
// Pure: takes RunResults already computed (emulated, recorded or native) and returns numbers;
// running backends is the caller's job (see run_backends.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/compare/metrics.h"
#include "core/compare/values.h"
#include "core/exec/backend.h"

namespace mlscope::compare {

/// One backend's result with the labels that say where the numbers came from.
struct BackendRun {
  std::string name;  ///< "fp32", "ane-w8a8", "recorded:cpu_and_ne", ...
  exec::BackendKind kind = exec::BackendKind::Emulated;
  std::string provenance;
  exec::RunResult result;
};

struct OutputSummary {
  FlatValue value;
  bool classification = false;  ///< see is_classification_like()
  ClassStats cls;               ///< when classification
  double margin = 0;            ///< in the reference's MarginPair (metrics.h), when classification
};

/// One output of one backend against the same output of the reference.
struct OutputDelta {
  bool compared = false;
  std::string note;             ///< why not compared: "missing", "shape [1, 2] vs [1, 3]", ...
  DiffStats diff;
  std::vector<double> delta;    ///< other − reference element-wise (numeric outputs)
  bool classification = false;
  double margin_delta = 0;      ///< margin(other) − margin(reference)
  bool argmax_equal = true;
};

struct BackendComparison {
  std::string name, provenance;
  exec::BackendKind kind = exec::BackendKind::Emulated;
  std::map<std::string, OutputSummary> outputs;
  std::map<std::string, OutputDelta> vs_reference;
};

struct Comparison {
  std::string reference;
  std::vector<std::string> output_names;       ///< model description order, then any extras
  std::map<std::string, MarginPair> margin_pairs;
  std::vector<BackendComparison> backends;     ///< in the order given (reference included)
  const BackendComparison* find(const std::string& name) const;
};

struct CompareOptions {
  int top_k = 5;
  std::vector<std::string> output_order;  ///< the model's output names, in description order
};

/// Summarizes one output (class decision measured in `pair`).
OutputSummary summarize_output(const exec::RunValue& v, int top_k);
/// One output against the reference's; fills `note` instead of throwing when incomparable.
OutputDelta compare_output(const OutputSummary& reference, const OutputSummary& other);

/// Throws mlscope::Error when `reference` names no run.
Comparison compare_runs(const std::vector<BackendRun>& runs, const std::string& reference, const CompareOptions& options);

}  // namespace mlscope::compare
