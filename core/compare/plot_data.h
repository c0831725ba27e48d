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
  int64_t argmax = -1;            ///< class index (in the full output, or within the shown position)
  double margin = 0, margin_delta = 0;
  bool flip = false;              ///< a strict winner on both sides, and they differ (metrics.h Verdict)
  Verdict verdict = Verdict::Same;
  Decision decision = Decision::Strict;  ///< this backend's own decision (at the shown position)
  uint64_t nonfinite = 0;         ///< NaN/inf values in the whole output: none of them is drawn as a bar
  double max_abs_diff = 0, cosine = 1;
  // Band backends: per shown class the lowest and highest member value, and the members.
  std::vector<double> band_min, band_max;
  std::vector<std::string> band_members;
  bool band_argmax_stable = true;
  // Position-wise outputs: per position 0 = same top-1 as the reference, 1 = flipped, 2 = no
  // strict winner on either side; and the fraction of decided positions that agree.
  std::vector<uint8_t> position_state;
  double agreement = 1;           ///< NaN when no position is decided
  int64_t flipped_positions = 0, undecided_positions = 0;
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
  // Position-wise outputs: the bars show one position's classes.
  bool position_wise = false;
  int64_t positions = 0, position = -1;  ///< how many, and which one the bars show
  int64_t class_axis = -1;
};

/// `class_labels`: the model's class labels (may be empty). `top_k` bounds wide outputs.
/// `position`: for position-wise outputs, the position whose classes are shown (-1: the
/// position that moved most for the first other backend).
OutputPlot output_plot(const Comparison& c, const std::string& output, const std::vector<std::string>& class_labels, int top_k,
                       int64_t position = -1);

/// The seed-probe table (backend, kind, output, values, argmax, margin, margin delta, flip,
/// max abs diff vs reference) as CSV with a header row.
std::string comparison_csv(const Comparison& c);

}  // namespace mlscope::compare
