#include "core/session/document.h"

#include <algorithm>
#include <chrono>
#include <exception>

#include "core/analysis/placement_estimator.h"
#include "core/format/mil_printer.h"
#include "core/format/open.h"
#include "core/recording/recording_json.h"
#include "core/recording/recording_match.h"
#include "core/util/error.h"

namespace mlscope::session {

/// What one job does: a fresh open, a sub-model switch or a re-layout of the current model.
struct Document::Job {
  std::string path, recording;
  bool show_constants = false;
  std::shared_ptr<const ir::Model> given;  ///< open_model: no file to read
  std::shared_ptr<const ir::Model> reuse;  ///< relayout: skip reading
  std::shared_ptr<const ir::Model> root;   ///< submodel switch: skip reading, show submodel_path
  std::vector<int> submodel_path;
  std::vector<std::vector<ir::OpId>> collapsed;  ///< per function
};

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void index_lines(ModelSnapshot& s) {
  const std::string& text = s.program.text;
  s.line_start.push_back(0);
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n' && i + 1 < text.size()) s.line_start.push_back(static_cast<uint32_t>(i + 1));
  s.line_op.assign(s.line_start.size(), {});
  for (size_t f = 0; f < s.program.op_line.size(); ++f)
    for (size_t o = 0; o < s.program.op_line[f].size(); ++o) {
      const int line = s.program.op_line[f][o];
      if (line > 0 && static_cast<size_t>(line) <= s.line_op.size())
        s.line_op[static_cast<size_t>(line - 1)] = {static_cast<int32_t>(f), static_cast<ir::OpId>(o)};
    }
}

void place(ModelSnapshot& s, const std::string& path, const std::string& recording) {
  try {
    s.placement = recording.empty() ? analysis::estimate_placement(*s.model)
                                    : recording::placement_from_recording(recording::load_recording_file(recording), *s.model, path);
  } catch (const Error& e) {
    s.placement_error = e.where().str() + ": " + e.message();
    return;
  } catch (const std::exception& e) {
    s.placement_error = e.what();
    return;
  }
  const auto& fns = s.model->functions;
  s.op_device.assign(fns.size(), {});
  s.op_placement.assign(fns.size(), {});
  for (size_t f = 0; f < fns.size(); ++f) {
    s.op_device[f].assign(fns[f].ops.size(), -1);
    s.op_placement[f].assign(fns[f].ops.size(), -1);
  }
  for (size_t i = 0; i < s.placement->ops.size(); ++i) {
    const auto& op = s.placement->ops[i];
    for (size_t f = 0; f < fns.size(); ++f) {
      if (fns[f].name != op.function || op.op < 0 || static_cast<size_t>(op.op) >= fns[f].ops.size()) continue;
      s.op_placement[f][static_cast<size_t>(op.op)] = static_cast<int32_t>(i);
      if (op.preferred) s.op_device[f][static_cast<size_t>(op.op)] = static_cast<int8_t>(*op.preferred);
    }
  }
}

}  // namespace

ProgramText print_program(const ir::Model& model) {
  ProgramText t;
  if (model.functions.empty()) {
    t.error = model.submodels.empty() ? "this model kind has no program" : "pipeline: pick a sub-model in the Graph toolbar to see its program";
    return t;
  }
  format::MilText mil = format::print_mil_text(model);
  t.text = std::move(mil.text);
  t.op_line = std::move(mil.op_line);
  return t;
}

void Document::open(const std::string& path) {
  auto job = std::make_shared<Job>();
  job->path = path;
  job->recording = recording_;
  job->show_constants = show_constants_;
  pending_path_ = path;
  start(job);
}

void Document::open_model(ir::Model model) {
  auto job = std::make_shared<Job>();
  job->path = model.path;
  job->show_constants = show_constants_;
  job->given = std::make_shared<const ir::Model>(std::move(model));
  pending_path_ = job->path;
  start(job);
}

void Document::reload() {
  if (!path_.empty()) open(path_);
}

void Document::set_show_constants(bool show) {
  show_constants_ = show;
  if (!snapshot_ || snapshot_->show_constants == show) return;
  auto job = relayout_job();
  job->show_constants = show;
  pending_path_ = path_;
  start(job);
}

std::shared_ptr<Document::Job> Document::relayout_job() const {
  auto job = std::make_shared<Job>();
  job->path = path_;
  job->show_constants = snapshot_->show_constants;
  job->reuse = snapshot_->model;
  job->root = snapshot_->root;
  job->submodel_path = snapshot_->submodel_path;
  job->collapsed = snapshot_->collapsed;
  return job;
}

bool Document::is_collapsed(int32_t function, ir::OpId op) const {
  if (!snapshot_ || function < 0 || static_cast<size_t>(function) >= snapshot_->collapsed.size()) return false;
  const auto& c = snapshot_->collapsed[static_cast<size_t>(function)];
  return std::binary_search(c.begin(), c.end(), op);
}

void Document::set_collapsed(int32_t function, ir::OpId op, bool collapsed) {
  if (!snapshot_ || function < 0 || static_cast<size_t>(function) >= snapshot_->model->functions.size()) return;
  if (is_collapsed(function, op) == collapsed) return;
  auto job = relayout_job();
  job->collapsed.resize(snapshot_->model->functions.size());
  auto& c = job->collapsed[static_cast<size_t>(function)];
  if (collapsed) c.insert(std::upper_bound(c.begin(), c.end(), op), op);
  else std::erase(c, op);
  pending_path_ = path_;
  start(job);
}

void Document::select_submodel(std::vector<int> path) {
  if (!snapshot_ || path == snapshot_->submodel_path) return;
  const ir::Model* m = snapshot_->root.get();
  for (int i : path) {
    if (!m || i < 0 || static_cast<size_t>(i) >= m->submodels.size()) return;
    m = &m->submodels[static_cast<size_t>(i)];
  }
  auto job = std::make_shared<Job>();
  job->path = path_;
  job->recording = recording_;
  job->show_constants = show_constants_;
  job->root = snapshot_->root;
  job->submodel_path = std::move(path);
  pending_path_ = path_;
  start(job);
}

void Document::start(std::shared_ptr<Job> job) {
  const std::shared_ptr<const ModelSnapshot> previous = snapshot_;
  // A new job replaces the running one: that one is cancelled and never published.
  task_.restart("Opening " + job->path, [this, job, previous](TaskContext& ctx) { return run_job(*job, ctx, previous); },
                {.low_priority = false});
}

Task::Publish Document::run_job(const Job& job, TaskContext& ctx, const std::shared_ptr<const ModelSnapshot>& previous) {
  const Job* j = &job;
  auto snap = std::make_shared<ModelSnapshot>();
  std::optional<LoadError> error;
  try {
    const auto t0 = std::chrono::steady_clock::now();
    if (j->reuse) {
      snap->model = j->reuse;
      snap->program = previous->program;
      snap->line_start = previous->line_start;
      snap->line_op = previous->line_op;
      snap->open_ms = previous->open_ms;
      snap->placement = previous->placement;
      snap->placement_error = previous->placement_error;
      snap->op_device = previous->op_device;
      snap->op_placement = previous->op_placement;
      snap->root = previous->root;
      snap->submodel_path = previous->submodel_path;
      snap->quant = previous->quant;
      snap->cost = previous->cost;
      snap->analysis_error = previous->analysis_error;
      snap->analysis = previous->analysis;
      snap->analysis_ms = previous->analysis_ms;
    } else {
      ctx.progress({0.1, 1, "Reading model"});
      if (j->root) {
        // A pipeline sub-model of the already-read file: alias into the root model.
        const ir::Model* m = j->root.get();
        for (int i : j->submodel_path) m = &m->submodels[static_cast<size_t>(i)];
        snap->root = j->root;
        snap->submodel_path = j->submodel_path;
        snap->model = std::shared_ptr<const ir::Model>(j->root, m);
        snap->open_ms = previous ? previous->open_ms : 0;
      } else {
        snap->model = j->given ? j->given : std::make_shared<const ir::Model>(format::open(j->path));
        snap->root = snap->model;
        snap->open_ms = ms_since(t0);
      }
      ctx.throw_if_cancelled();
      ctx.progress({0.4, 1, "Printing MIL text"});
      try {
        snap->program = print_program(*snap->model);
      } catch (const std::exception& e) {
        snap->program = {};
        snap->program.error = e.what();
      }
      index_lines(*snap);
      place(*snap, j->path, j->recording);
      ctx.throw_if_cancelled();
      const auto ta = std::chrono::steady_clock::now();
      analyze_snapshot(*snap);
      snap->analysis_ms = ms_since(ta);
    }
    const auto t1 = std::chrono::steady_clock::now();
    const auto& fns = snap->model->functions;
    auto laying_out = [&](size_t done) {
      const std::string stage = "Laying out graph (" + std::to_string(done) + "/" + std::to_string(fns.size()) + " functions)";
      ctx.progress({0.5 + 0.5 * static_cast<double>(done) / static_cast<double>(std::max<size_t>(1, fns.size())), 1, stage});
    };
    laying_out(0);
    layout::LayoutOptions opt;
    opt.show_constants = j->show_constants;
    opt.cancel = ctx.cancel_token();
    snap->collapsed = j->collapsed;
    snap->collapsed.resize(fns.size());
    for (size_t f = 0; f < fns.size(); ++f) {
      ctx.throw_if_cancelled();
      opt.collapsed = snap->collapsed[f];
      snap->layouts.push_back(layout::layout_function(fns[f], opt));
      laying_out(f + 1);
    }
    snap->layout_ms = ms_since(t1);
    snap->show_constants = j->show_constants;
    ctx.progress({1, 1, "Finishing"});
  } catch (const Error& e) {
    error = LoadError{j->path, e.where().str(), e.message()};
    snap.reset();
  } catch (const std::exception& e) {
    error = LoadError{j->path, j->path, e.what()};
    snap.reset();
  }
  return [this, snap, error, path = j->path] { publish(snap, error, path); };
}

void Document::publish(const std::shared_ptr<ModelSnapshot>& snap, const std::optional<LoadError>& error, const std::string& path) {
  if (error) {
    error_ = error;  // the previous model stays open
    return;
  }
  if (!snap) return;
  // A re-layout shows the same model: keep the selection.
  const bool same = snapshot_ && snap->model == snapshot_->model;
  snapshot_ = snap;
  path_ = path;
  error_.reset();
  ++generation_;
  if (!same) {
    selection_ = {};
    if (const ir::Model* m = snapshot_->model.get(); m && !m->functions.empty()) {
      const ir::Function* main_fn = m->main_function();
      selection_.function = main_fn ? static_cast<int32_t>(main_fn - m->functions.data()) : 0;
    }
  }
  ++focus_serial_;
}

void Document::cancel() {
  task_.abandon();
  pending_path_.clear();
}

void Document::poll() {
  if (task_.poll()) pending_path_.clear();
}

void Document::wait() {
  task_.wait();
  pending_path_.clear();
}

std::string Document::progress_text() const { return task_.busy() ? task_.stage() : std::string(); }

float Document::progress_fraction() const { return task_.busy() ? task_.fraction() : 0.0f; }

void Document::select(int32_t function, ir::OpId op, bool focus) {
  selection_ = {function, op};
  if (focus) ++focus_serial_;
}

void Document::select_function(int32_t function) {
  if (!snapshot_ || function < 0 || static_cast<size_t>(function) >= snapshot_->model->functions.size()) return;
  selection_ = {function, ir::kNone};
  ++focus_serial_;
}

const ir::Function* Document::current_function() const {
  if (!snapshot_) return nullptr;
  const auto& fns = snapshot_->model->functions;
  if (selection_.function < 0 || static_cast<size_t>(selection_.function) >= fns.size()) return nullptr;
  return &fns[static_cast<size_t>(selection_.function)];
}

const layout::GraphLayout* Document::current_layout() const {
  if (!snapshot_ || selection_.function < 0 || static_cast<size_t>(selection_.function) >= snapshot_->layouts.size()) return nullptr;
  return &snapshot_->layouts[static_cast<size_t>(selection_.function)];
}

}  // namespace mlscope::session
