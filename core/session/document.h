// Document: the owner of the opened model and everything computed from it (headless: the GUI's
// views draw it, tests drive it without a window).
//
// Opening runs as a Task (Tracy's loadThread): the work reads the file (core/format), prints the
// MIL text, places the ops (the recording's plan or the estimate), runs the analyses and the
// layout, reports stage + fraction, and publishes one immutable ModelSnapshot. Readers see the
// snapshot through const getters and share one Selection. Errors become state here; no exception
// reaches drawing code.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/cost.h"
#include "core/analysis/lineage.h"
#include "core/analysis/op_lineage_kind.h"
#include "core/analysis/placement.h"
#include "core/ir/model.h"
#include "core/layout/graph_layout.h"
#include "core/session/task.h"

namespace mlscope::session {

/// The program as MIL text plus, per function, the 1-based line of each op (0 = not printed).
struct ProgramText {
  std::string text;
  std::vector<std::vector<int>> op_line;
  std::string error;  ///< why there is no text (e.g. printer failed); empty otherwise
};

/// Per-op analysis of one function (indexed by OpId), computed on the worker thread.
struct FunctionAnalysis {
  std::vector<analysis::LineageKind> lineage;
  std::vector<std::vector<uint32_t>> lineage_records;  ///< indices into ModelSnapshot::quant->tensors
  std::vector<int32_t> cost;  ///< index into ModelSnapshot::cost->ops, -1 = not costed (const, ...)
  uint64_t total_macs = 0, max_macs = 0;  ///< over the function's known ops
  int64_t unknown_cost_ops = 0;
};

/// One opened model with its derived data. Immutable once published.
struct ModelSnapshot {
  /// The model shown: the file's model, or one of its pipeline sub-models (aliasing `root`).
  std::shared_ptr<const ir::Model> model;
  std::shared_ptr<const ir::Model> root;  ///< the model read from the file
  std::vector<int> submodel_path;        ///< indices into submodels from root to model; empty = root
  std::vector<layout::GraphLayout> layouts;  ///< per model.functions index
  bool show_constants = false;
  ProgramText program;
  std::vector<uint32_t> line_start;   ///< byte offset of each line of program.text
  struct LineOp { int32_t function = -1; ir::OpId op = ir::kNone; };
  std::vector<LineOp> line_op;        ///< per line (0-based): the op printed there
  double open_ms = 0, layout_ms = 0;
  std::optional<analysis::Placement> placement;
  std::string placement_error;  ///< why there is no placement (e.g. recording does not match)
  /// op_device[f][op]: preferred device index (analysis::Device) or -1 for none/unknown.
  std::vector<std::vector<int8_t>> op_device;
  /// op_placement[f][op]: index into placement->ops, -1 if absent.
  std::vector<std::vector<int32_t>> op_placement;
  // --- quantization lineage and cost (core/analysis), per function ---
  std::optional<analysis::QuantReport> quant;
  std::optional<analysis::CostReport> cost;
  std::string analysis_error;  ///< why quant/cost is missing
  double analysis_ms = 0;      ///< lineage + cost time on the worker thread
  std::vector<FunctionAnalysis> analysis;
  /// Ops drawn collapsed (sorted), per function (LayoutOptions::collapsed).
  std::vector<std::vector<ir::OpId>> collapsed;

  const FunctionAnalysis* function_analysis(int32_t f) const {
    return f >= 0 && static_cast<size_t>(f) < analysis.size() ? &analysis[static_cast<size_t>(f)] : nullptr;
  }
};

/// Fills quant, cost and analysis of `s` from s.model (core/analysis; never throws).
void analyze_snapshot(ModelSnapshot& s);
/// The MIL text of `model` with each op's line (a model without a program says why in `error`).
ProgramText print_program(const ir::Model& model);

struct LoadError {
  std::string path;
  std::string where;    ///< "file:12:5", "file: byte 4096", ...
  std::string message;  ///< without the location
};

struct Selection {
  int32_t function = 0;
  ir::OpId op = ir::kNone;
};

class Document {
 public:
  Document() = default;
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  // --- jobs ---
  void open(const std::string& path);
  /// Shows a model built in memory (tests, a converter in the same process) as if opened from
  /// model.path: printed, placed (estimated), analysed and laid out like a file.
  void open_model(ir::Model model);
  /// Recording (compute plan from a Mac) to use for the next open; "" = estimate placement.
  void set_recording(const std::string& path) { recording_ = path; }
  const std::string& recording() const { return recording_; }
  void reload();
  /// Re-lays out the current model with or without `const` nodes (worker thread).
  void set_show_constants(bool show);
  /// Collapses / expands a control-flow op (cond, while_loop) of the current function (re-layout).
  void set_collapsed(int32_t function, ir::OpId op, bool collapsed);
  bool is_collapsed(int32_t function, ir::OpId op) const;
  /// Shows a pipeline sub-model (path of submodel indices from the file's model; {} = the file's
  /// model): re-runs print, placement, analysis and layout for it on the worker thread.
  void select_submodel(std::vector<int> path);
  /// Stops waiting for the running job; the previous model stays.
  void cancel();
  /// Publishes a finished job's result. Call once per frame on the UI thread.
  void poll();
  /// Blocks until the running job is published (tests, headless use).
  void wait();

  bool busy() const { return task_.busy(); }
  /// "Reading model", "Laying out main (2/3)"...; fraction in [0,1].
  std::string progress_text() const;
  float progress_fraction() const;
  const std::string& pending_path() const { return pending_path_; }

  // --- data ---
  const ModelSnapshot* snapshot() const { return snapshot_.get(); }
  bool has_model() const { return snapshot_ != nullptr; }
  const std::string& path() const { return path_; }
  const std::optional<LoadError>& error() const { return error_; }
  void dismiss_error() { error_.reset(); }
  bool show_constants() const { return snapshot_ ? snapshot_->show_constants : show_constants_; }
  /// Increments whenever a new snapshot is published (views rebuild caches on change).
  uint64_t generation() const { return generation_; }

  // --- selection (shared by every view) ---
  const Selection& selection() const { return selection_; }
  void select(int32_t function, ir::OpId op, bool focus = true);
  void select_function(int32_t function);
  /// Increments on every select() with focus=true: views scroll/centre the selected op.
  uint64_t focus_serial() const { return focus_serial_; }
  const ir::Function* current_function() const;
  const layout::GraphLayout* current_layout() const;

 private:
  struct Job;
  void start(std::shared_ptr<Job> job);
  std::shared_ptr<Job> relayout_job() const;
  /// The work of one job on the task's thread: a publish closure for the UI thread.
  Task::Publish run_job(const Job& job, TaskContext& ctx, const std::shared_ptr<const ModelSnapshot>& previous);
  void publish(const std::shared_ptr<ModelSnapshot>& snap, const std::optional<LoadError>& error, const std::string& path);

  Task task_;
  std::shared_ptr<const ModelSnapshot> snapshot_;
  std::optional<LoadError> error_;
  std::string path_, pending_path_, recording_;
  bool show_constants_ = false;
  uint64_t generation_ = 0, focus_serial_ = 0;
  Selection selection_;
};

}  // namespace mlscope::session
