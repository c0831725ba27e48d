// What the GUI's logit plot and seed-probe table show, derived from a Comparison: which classes
// to draw for one output (all of them for narrow outputs, the reference's top-k plus every
// backend's argmax for wide ones), each backend's score for them, margins, flips and deltas.
// Also the table as CSV. Computed here so widgets only lay out numbers.
#pragma once

#include <string>
#include <vector>

#include "core/compare/compare_runs.h"

namespace mlscope::compare {

struct PlotBackend {
  std::string name, provenance;
  exec::BackendKind kind = exec::BackendKind::Emulated;
  bool reference = false;
  bool compared = true;           ///< false: output missing/incomparable (see note)
  std::string note;
  std::vector<double> values;     ///< per shown class
  std::vector<double> delta;      ///< per shown class: value − reference's value
  int64_t argmax = -1;            ///< class index (in the full output)
  double margin = 0, margin_delta = 0;
  bool flip = false;              ///< argmax differs from the reference's
  double max_abs_diff = 0, cosine = 1;
};

struct OutputPlot {
  std::string output;
  bool classification = false;
  size_t total_classes = 0;
  std::vector<int64_t> classes;        ///< class indices shown, ascending
  std::vector<std::string> labels;     ///< per shown class: the model's label or "class N"
  std::vector<PlotBackend> backends;   ///< comparison order
  int64_t margin_a = 0, margin_b = 1;  ///< classes the margin is measured between
  bool any_flip = false;
};

/// `class_labels`: the model's class labels (may be empty). `top_k` bounds wide outputs.
OutputPlot output_plot(const Comparison& c, const std::string& output, const std::vector<std::string>& class_labels, int top_k);

/// The seed-probe table (backend, kind, output, values, argmax, margin, margin delta, flip,
/// max abs diff vs reference) as CSV with a header row.
std::string comparison_csv(const Comparison& c);

}  // namespace mlscope::compare
