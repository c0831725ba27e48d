#include "widgets/document.h"

#include <algorithm>
#include <chrono>
#include <exception>

#include "core/util/error.h"

namespace mlscope::gui {

enum class Stage : int { Reading, Printing, LayingOut, Done };

struct Document::Job {
  std::string path, recording;
  bool show_constants = false;
  std::shared_ptr<const ir::Model> reuse;  ///< relayout: skip reading
  std::shared_ptr<const ir::Model> root;   ///< submodel switch: skip reading, show submodel_path
  std::vector<int> submodel_path;
  std::vector<std::vector<ir::OpId>> collapsed;  ///< per function
  std::atomic<int> stage{0};
  std::atomic<int> done{0}, total{1};
  std::atomic<bool> cancel{false};
  std::atomic<bool> finished{false};
  std::shared_ptr<ModelSnapshot> result;
  std::optional<LoadError> error;
  std::thread thread;
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

void place(ModelSnapshot& s, const CoreServices& services, const std::string& path, const std::string& recording) {
  try {
    s.placement = services.place(*s.model, path, recording);
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

Document::Document(CoreServices services) : services_(std::move(services)) {}

Document::~Document() {
  if (job_) abandoned_.push_back(job_);
  for (auto& j : abandoned_) {
    j->cancel = true;
    if (j->thread.joinable()) j->thread.join();
  }
}

void Document::open(const std::string& path) {
  auto job = std::make_shared<Job>();
  job->path = path;
  job->recording = recording_;
  job->show_constants = show_constants_;
  pending_path_ = path;
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
  cancel();
  job_ = job;
  Job* j = job.get();
  const CoreServices services = services_;
  const std::shared_ptr<const ModelSnapshot> previous = snapshot_;
  job->thread = std::thread([j, services, previous] {
    run_job(*j, services, previous);
    j->stage = static_cast<int>(Stage::Done);
    j->finished = true;
  });
}

void Document::run_job(Job& job, const CoreServices& services, const std::shared_ptr<const ModelSnapshot>& previous) {
  Job* j = &job;
  {
    auto snap = std::make_shared<ModelSnapshot>();
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
        j->stage = static_cast<int>(Stage::Reading);
        if (j->root) {
          // A pipeline sub-model of the already-read file: alias into the root model.
          const ir::Model* m = j->root.get();
          for (int i : j->submodel_path) m = &m->submodels[static_cast<size_t>(i)];
          snap->root = j->root;
          snap->submodel_path = j->submodel_path;
          snap->model = std::shared_ptr<const ir::Model>(j->root, m);
          snap->open_ms = previous ? previous->open_ms : 0;
        } else {
          snap->model = std::make_shared<const ir::Model>(services.open(j->path));
          snap->root = snap->model;
          snap->open_ms = ms_since(t0);
        }
        if (j->cancel) return;
        j->stage = static_cast<int>(Stage::Printing);
        try {
          snap->program = services.print(*snap->model);
        } catch (const std::exception& e) {
          snap->program = {};
          snap->program.error = e.what();
        }
        index_lines(*snap);
        if (services.place) place(*snap, services, j->path, j->recording);
        if (j->cancel) return;
        const auto ta = std::chrono::steady_clock::now();
        analyze_snapshot(*snap);
        snap->analysis_ms = ms_since(ta);
      }
      j->stage = static_cast<int>(Stage::LayingOut);
      const auto t1 = std::chrono::steady_clock::now();
      const auto& fns = snap->model->functions;
      j->total = static_cast<int>(fns.size());
      layout::LayoutOptions opt;
      opt.show_constants = j->show_constants;
      opt.cancel = &j->cancel;
      snap->collapsed = j->collapsed;
      snap->collapsed.resize(fns.size());
      for (size_t f = 0; f < fns.size(); ++f) {
        if (j->cancel) return;
        opt.collapsed = snap->collapsed[f];
        snap->layouts.push_back(layout::layout_function(fns[f], opt));
        j->done = static_cast<int>(f + 1);
      }
      snap->layout_ms = ms_since(t1);
      snap->show_constants = j->show_constants;
      j->result = std::move(snap);
    } catch (const Error& e) {
      j->error = LoadError{j->path, e.where().str(), e.message()};
    } catch (const std::exception& e) {
      j->error = LoadError{j->path, j->path, e.what()};
    }
  }
}

void Document::cancel() {
  if (!job_) return;
  job_->cancel = true;
  abandoned_.push_back(std::move(job_));
  job_.reset();
  pending_path_.clear();
}

void Document::poll() {
  std::erase_if(abandoned_, [](const std::shared_ptr<Job>& j) {
    if (!j->finished) return false;
    if (j->thread.joinable()) j->thread.join();
    return true;
  });
  if (!job_ || !job_->finished) return;
  if (job_->thread.joinable()) job_->thread.join();
  std::shared_ptr<Job> job = std::move(job_);
  job_.reset();
  pending_path_.clear();
  if (job->error) {
    error_ = job->error;  // the previous model stays open
    return;
  }
  if (!job->result) return;
  const bool same_model = snapshot_ && job->reuse == snapshot_->model;
  snapshot_ = std::move(job->result);
  path_ = job->path;
  error_.reset();
  ++generation_;
  if (!same_model) {
    selection_ = {};
    if (const ir::Model* m = snapshot_->model.get(); m && !m->functions.empty()) {
      const ir::Function* main_fn = m->main_function();
      selection_.function = main_fn ? static_cast<int32_t>(main_fn - m->functions.data()) : 0;
    }
  }
  ++focus_serial_;
}

std::string Document::progress_text() const {
  if (!job_) return {};
  switch (static_cast<Stage>(job_->stage.load())) {
    case Stage::Reading: return "Reading model";
    case Stage::Printing: return "Printing MIL text";
    case Stage::LayingOut: return "Laying out graph (" + std::to_string(job_->done.load()) + "/" + std::to_string(job_->total.load()) + " functions)";
    case Stage::Done: return "Finishing";
  }
  return {};
}

float Document::progress_fraction() const {
  if (!job_) return 0;
  switch (static_cast<Stage>(job_->stage.load())) {
    case Stage::Reading: return 0.1f;
    case Stage::Printing: return 0.4f;
    case Stage::LayingOut: return 0.5f + 0.5f * static_cast<float>(job_->done.load()) / static_cast<float>(std::max(1, job_->total.load()));
    case Stage::Done: return 1.0f;
  }
  return 0;
}

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

}  // namespace mlscope::gui
