// CompareSession: the state behind the comparison views — which backends (editable profiles,
// recorded compute units), the reference, the input, and the results of runs, drift, sweeps and
// per-op divergence. Every computation is a core/compare call run as a Task;
// finished runs are cached per (backend fingerprint, input) so re-running after a change only
// computes what changed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/compare/backend_catalog.h"
#include "core/compare/compare_runs.h"
#include "core/compare/divergence.h"
#include "core/compare/drift.h"
#include "core/compare/plot_data.h"
#include "core/compare/sweep.h"
#include "core/compare/two_models.h"
#include "core/compare/weight_histograms.h"
#include "core/compare/value_histograms.h"
#include "core/session/document.h"
#include "core/session/task.h"

namespace mlscope::session {

struct BackendChoice {
  compare::BackendSpec spec;
  bool selected = false;
  bool user = false;  ///< the derived user profile (editable name)
};

/// Where the model's inputs come from.
struct InputChoice {
  enum class Kind { Recording, Seed, File, SweepItem } kind = Kind::Seed;
  uint64_t seed = 0;
  std::string path;   ///< File: .npy / .npz / image
  size_t index = 0;   ///< SweepItem: input #index of the sweep seeded with `seed`
  std::string key() const;
  std::string label() const;
};

/// What one comparison run produced (published on the UI thread).
struct ComparisonResult {
  compare::Comparison comparison;
  std::vector<compare::OutputPlot> plots;  ///< per output, model order
  std::string input_label;
  std::map<std::string, std::string> backend_errors;  ///< backend -> why it has no result
  std::vector<std::string> class_labels;   ///< the model's, for re-deriving a plot
  uint64_t serial = 0;
};

struct DivergenceResult {
  compare::DivergenceReport report;
  std::map<std::string, compare::ValuePairHistogram> histograms;  ///< by value name
  std::string input_label;
  uint64_t serial = 0;
};

class CompareSession {
 public:
  CompareSession();

  /// Call once per frame: follows model changes and publishes finished jobs.
  void poll(const Document& doc);
  Task& jobs() { return jobs_; }
  const Task& jobs() const { return jobs_; }
  bool has_model() const { return model_ != nullptr; }
  const ir::Model* model() const { return model_.get(); }

  // --- backends ---
  std::vector<BackendChoice>& backends() { return backends_; }
  std::vector<std::string> selected_names() const;
  /// Loads a recording (its compute units become backends). Returns an error text or "".
  std::string load_recording(const std::string& path);
  const std::string& recording_path() const { return recording_path_; }
  /// Selects exactly these names ("fp32,gpu,recorded:cpu_only"); returns an error text or "".
  std::string select_only(const std::string& comma_list);
  /// Adds (or resets) the user profile derived from built-in `base`.
  void derive_user_profile(const std::string& base);
  /// Adds (or replaces) the backend "what-if": the reference's profile with the what-if `spec`
  /// applied (core/compare/what_if.h). Returns an error text or "".
  std::string set_what_if(const std::string& spec);
  const std::string& what_if_spec() const { return what_if_spec_; }
  std::string reference;

  // --- compare with another model (compare A --against B) ---
  /// Opens model B and matches its ops to the open model's, as a job; then B under the
  /// reference's profile (fp32 when the reference is not emulated) becomes the selected backend
  /// "B:<profile>", and per-op divergence against it compares the values with a counterpart.
  bool set_against(const std::string& path, compare::MatchMode mode = compare::MatchMode::Auto);
  void clear_against();
  const ir::Model* against_model() const { return against_model_.get(); }
  const compare::ModelMatch* against_match() const { return against_match_.get(); }
  const std::optional<compare::TwoModelReport>& against_report() const { return against_report_; }
  /// Weight `index` of against_report()->weights: A's and B's values and the error; nullptr
  /// while they are computed (the first call starts that on a task of its own, one weight
  /// decoded at a time, so a model with GBs of weights is not decoded twice up front).
  const compare::WeightPairHistograms* against_weight_histograms(size_t index);
  /// True when no weight histogram is being computed (scripts wait on this).
  bool weight_histograms_idle() const;
  /// The backend name B runs under ("" without a model B).
  const std::string& against_backend() const { return against_backend_; }

  // --- input ---
  InputChoice input;
  bool has_recording_input() const;

  // --- jobs (each returns false when another job is running) ---
  bool run();
  bool run_drift(int count);
  bool run_sweep(size_t count, uint64_t seed, int threads);
  bool run_divergence(const std::string& other, double min_cosine, double max_rel_error);
  void stop() { jobs_.cancel(); }

  // --- results ---
  const std::optional<ComparisonResult>& result() const { return result_; }
  /// Position-wise outputs: show `position`'s classes in the bars of `output` (UI thread, cheap).
  void show_position(const std::string& output, int64_t position);
  /// Which outputs are compared position by position (applies to the next run).
  compare::ClassAxis class_axis;
  const std::vector<compare::DriftStats>& drift() const { return drift_; }
  const std::optional<compare::SweepResult>& sweep() const { return sweep_; }
  uint64_t sweep_seed() const { return sweep_seed_; }
  const std::optional<DivergenceResult>& divergence() const { return divergence_; }
  /// Makes sweep input `index` the current input and runs the comparison on it.
  void select_sweep_input(size_t index);
  size_t cached_runs() const { return cache_.size(); }
  /// One-line outcome of the last finished job ("3 backends in 1.2 s", "stopped after 40 ms").
  const std::string& status() const { return status_; }

 private:
  static exec::RunInputs make_inputs(const ir::Model& model, const InputChoice& in,
                                     const std::shared_ptr<const recording::Recording>& recording);
  const BackendChoice* find(const std::string& name) const;
  void reset_for_model(const Document& doc);

  Task jobs_;
  std::shared_ptr<const ir::Model> model_;
  std::string model_path_, recording_path_;
  uint64_t generation_ = ~0ull;
  std::vector<BackendChoice> backends_;
  std::shared_ptr<const recording::Recording> recording_;
  std::map<std::string, std::shared_ptr<const compare::BackendRun>> cache_;  ///< fingerprint#input -> run
  std::optional<ComparisonResult> result_;
  std::vector<compare::DriftStats> drift_;
  std::optional<compare::SweepResult> sweep_;
  uint64_t sweep_seed_ = 0;
  std::optional<DivergenceResult> divergence_;
  uint64_t serial_ = 0;
  std::string status_;
  std::string what_if_spec_;
  std::shared_ptr<const ir::Model> against_model_;
  std::shared_ptr<const compare::ModelMatch> against_match_;
  std::optional<compare::TwoModelReport> against_report_;
  struct HistogramEntry {
    std::unique_ptr<Task> task;
    std::shared_ptr<const compare::WeightPairHistograms> result;
  };
  std::map<size_t, HistogramEntry> against_histograms_;
  std::string against_backend_;
};

}  // namespace mlscope::session
