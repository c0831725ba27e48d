// Document: the app-level owner of the opened model and everything computed from it.
//
// Opening runs on a worker thread (Tracy's loadThread): the job calls the injected core services
// (reader, MIL printer, layout), reports a stage + fraction through atomics, and publishes one
// immutable ModelSnapshot. Views read the snapshot through const getters and share one
// Selection. Errors become UI state here; no exception reaches drawing code.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/analysis/placement.h"
#include "core/ir/model.h"
#include "core/layout/graph_layout.h"

namespace mlscope::gui {

/// The program as MIL text plus, per function, the 1-based line of each op (0 = not printed).
struct ProgramText {
  std::string text;
  std::vector<std::vector<int>> op_line;
  std::string error;  ///< why there is no text (e.g. printer failed); empty otherwise
};

/// What the app plugs in from core/format (widgets never include it).
struct CoreServices {
  std::function<ir::Model(const std::string& path)> open;
  std::function<ProgramText(const ir::Model&)> print;
  /// Placement for the model: the recording at `recording` when given, else the estimate.
  std::function<analysis::Placement(const ir::Model&, const std::string& model_path, const std::string& recording)> place;
};

/// One opened model with its derived data. Immutable once published.
struct ModelSnapshot {
  std::shared_ptr<const ir::Model> model;
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
};

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
  explicit Document(CoreServices services);
  ~Document();
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  // --- jobs ---
  void open(const std::string& path);
  /// Recording (compute plan from a Mac) to use for the next open; "" = estimate placement.
  void set_recording(const std::string& path) { recording_ = path; }
  const std::string& recording() const { return recording_; }
  void reload();
  /// Re-lays out the current model with or without `const` nodes (worker thread).
  void set_show_constants(bool show);
  /// Stops waiting for the running job; the previous model stays.
  void cancel();
  /// Publishes a finished job's result. Call once per frame on the UI thread.
  void poll();

  bool busy() const { return job_ != nullptr; }
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
  static void run_job(Job& job, const CoreServices& services, const std::shared_ptr<const ModelSnapshot>& previous);

  CoreServices services_;
  std::shared_ptr<const ModelSnapshot> snapshot_;
  std::shared_ptr<Job> job_;
  std::vector<std::shared_ptr<Job>> abandoned_;  ///< cancelled jobs still running, joined later
  std::optional<LoadError> error_;
  std::string path_, pending_path_, recording_;
  bool show_constants_ = false;
  uint64_t generation_ = 0, focus_serial_ = 0;
  Selection selection_;
};

}  // namespace mlscope::gui
