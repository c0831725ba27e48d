// Everything one `compare` invocation measured, and its two renderings: a readable table (the
// shape of seed 000's cross-backend table) and JSON for scripts. Shared by the CLI and the GUI.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/compare/compare_runs.h"
#include "core/compare/divergence.h"
#include "core/compare/golden.h"
#include "core/compare/recorded_backend.h"
#include "core/compare/sweep.h"
#include "core/compare/two_models.h"

namespace mlscope::compare {

struct CompareReport {
  std::string model_path;
  std::string input_label;                 ///< "x = input.npy", "random seed 0"
  Comparison comparison;
  std::vector<DriftStats> drift;           ///< with --runs
  std::optional<SweepResult> sweep;        ///< with --sweep
  std::optional<DivergenceReport> divergence;
  std::optional<GoldenReport> golden;
  std::optional<TwoModelReport> two_models;  ///< compare A --against B
  std::vector<std::string> notes;          ///< e.g. "recorded backends left out of the sweep"
};

/// Outputs with at most this many elements are printed / serialized with their values.
constexpr size_t kSmallOutput = 16;

/// A float32 as numpy prints arrays: 8 significant digits (3.5722656, 0.11132812).
std::string fmt_f32(double v);
/// Shortest text that reads back as the same double (Python's repr: -0.470703125).
std::string fmt_f64(double v);

std::string report_text(const CompareReport& r);
nlohmann::json report_json(const CompareReport& r);

/// An emulated Neural Engine backend (`ane`, `ane-w8a8`, their members and bands): its numbers
/// are a hypothesis about unknown hardware and are labeled so wherever they appear.
bool is_emulated_neural_engine(const BackendComparison& b);

/// True when some backend's classification output's argmax differs from the reference's, or a
/// sweep pair flipped on any input (for --fail-on-flip).
bool any_flip(const CompareReport& r);

}  // namespace mlscope::compare
