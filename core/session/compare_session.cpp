#include "core/session/compare_session.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "core/compare/backend_runs.h"
#include "core/compare/recorded_backend.h"
#include "core/compare/sweep_inputs.h"
#include "core/io/input_files.h"
#include "core/recording/recording_json.h"
#include "core/recording/recording_match.h"
#include "core/util/error.h"
#include "core/util/text.h"

namespace mlscope::session {

namespace {

char fmt_buf[256];
const char* fmt_seconds(double s) {
  if (s < 1) std::snprintf(fmt_buf, sizeof fmt_buf, "%.0f ms", s * 1000);
  else std::snprintf(fmt_buf, sizeof fmt_buf, "%.1f s", s);
  return fmt_buf;
}

}  // namespace

std::string InputChoice::key() const {
  switch (kind) {
    case Kind::Recording: return "recording";
    case Kind::Seed: return "seed:" + std::to_string(seed);
    case Kind::SweepItem: return "sweep:" + std::to_string(seed) + ":" + std::to_string(index);
    case Kind::File: {
      std::error_code ec;
      const auto t = std::filesystem::last_write_time(path, ec);
      return "file:" + path + "@" + std::to_string(ec ? 0 : t.time_since_epoch().count());
    }
  }
  return {};
}

std::string InputChoice::label() const {
  switch (kind) {
    case Kind::Recording: return "the recording's input";
    case Kind::Seed: return "random seed " + std::to_string(seed);
    case Kind::SweepItem: return "sweep input #" + std::to_string(index) + " (seed " + std::to_string(seed) + ")";
    case Kind::File: return std::filesystem::path(path).filename().string();
  }
  return {};
}

CompareSession::CompareSession() {
  for (auto& spec : compare::builtin_backend_specs()) {
    BackendChoice c;
    c.selected = spec.name == "fp32" || spec.name == "gpu" || spec.name == "ane-w8a8";
    c.spec = std::move(spec);
    backends_.push_back(std::move(c));
  }
  reference = "fp32";
}

void CompareSession::reset_for_model(const Document& doc) {
  generation_ = doc.generation();
  const auto* snap = doc.snapshot();
  if (snap && model_ == snap->model) return;  // same model re-laid out (constants toggled)
  model_ = snap ? snap->model : nullptr;
  model_path_ = doc.path();
  cache_.clear();
  result_.reset();
  drift_.clear();
  sweep_.reset();
  divergence_.reset();
  status_.clear();
  // Recorded backends belong to the model they were recorded from: drop the old ones.
  // Recorded backends and the what-if belong to the old model: drop them.
  backends_.erase(std::remove_if(backends_.begin(), backends_.end(),
                                 [](const BackendChoice& c) { return c.spec.kind == exec::BackendKind::Recorded || c.spec.name == "what-if"; }),
                  backends_.end());
  what_if_spec_.clear();
  clear_against();
  recording_.reset();
  recording_path_.clear();
  input = InputChoice{};
  if (model_ && !doc.recording().empty()) {
    const std::string err = load_recording(doc.recording());
    if (!err.empty()) status_ = err;
  }
}

void CompareSession::poll(const Document& doc) {
  if (doc.generation() != generation_ && !doc.busy()) {
    if (jobs_.busy()) jobs_.cancel();  // results of the old model are meaningless
    else reset_for_model(doc);
  }
  jobs_.poll();
}

std::vector<std::string> CompareSession::selected_names() const {
  std::vector<std::string> out;
  for (const auto& b : backends_)
    if (b.selected) out.push_back(b.spec.name);
  return out;
}

const BackendChoice* CompareSession::find(const std::string& name) const {
  for (const auto& b : backends_)
    if (b.spec.name == name) return &b;
  return nullptr;
}

bool CompareSession::has_recording_input() const { return recording_ && !recording_->predictions.empty(); }

std::string CompareSession::load_recording(const std::string& path) {
  if (!model_) return "open a model first";
  try {
    auto rec = std::make_shared<const recording::Recording>(recording::load_recording_file(path));
    const std::string note = recording::check_recording_belongs(*rec, *model_, model_path_);
    backends_.erase(std::remove_if(backends_.begin(), backends_.end(), [](const BackendChoice& c) { return c.spec.kind == exec::BackendKind::Recorded; }),
                    backends_.end());
    for (auto& spec : compare::recording_backend_specs(rec)) {
      BackendChoice c;
      c.selected = spec.compute_units == "cpu_only" || spec.compute_units == "cpu_and_ne";
      c.spec = std::move(spec);
      backends_.push_back(std::move(c));
    }
    recording_ = rec;
    recording_path_ = path;
    input.kind = InputChoice::Kind::Recording;  // a recording can only replay its own input
    if (!note.empty()) status_ = note;
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

std::string CompareSession::select_only(const std::string& comma_list) {
  const auto names = split_trimmed(comma_list, ',');
  for (const auto& n : names)
    if (!find(n)) return "no backend named '" + n + "'";
  for (auto& b : backends_) b.selected = std::find(names.begin(), names.end(), b.spec.name) != names.end();
  if (!names.empty() && std::find(names.begin(), names.end(), reference) == names.end()) reference = names.front();
  return "";
}

void CompareSession::derive_user_profile(const std::string& base) {
  BackendChoice c;
  c.spec.name = "user";
  c.spec.profile = exec::NumericProfile::builtin(base);
  c.spec.profile->description = "user profile derived from " + base;
  c.selected = true;
  c.user = true;
  for (auto& b : backends_)
    if (b.user) { b = std::move(c); return; }
  backends_.push_back(std::move(c));
}

exec::RunInputs CompareSession::make_inputs(const ir::Model& model, const InputChoice& in,
                                            const std::shared_ptr<const recording::Recording>& recording_) {
  const ir::Function* fn = model.main_function();
  if (!fn) throw Error(Location::in_file(model.path), "model has no function to run");
  exec::RunInputs out;
  switch (in.kind) {
    case InputChoice::Kind::Recording:
      if (!recording_ || recording_->predictions.empty()) throw Error(Location::in_file(model.path), "no recording loaded");
      return compare::RecordedBackend(recording_, recording_->predictions.front().compute_units).recorded_inputs();
    case InputChoice::Kind::Seed:
      for (ir::ValueId id : fn->inputs) io::add_input_spec(model, *fn, fn->value(id).name + "=random:" + std::to_string(in.seed), out);
      return out;
    case InputChoice::Kind::SweepItem:
      return compare::seeded_random_inputs(model, in.seed, in.index + 1).make(in.index);
    case InputChoice::Kind::File:
      if (fn->inputs.size() == 1) io::add_input_spec(model, *fn, in.path, out);
      else
        for (ir::ValueId id : fn->inputs) io::add_input_spec(model, *fn, fn->value(id).name + "=" + in.path, out);
      return out;
  }
  return out;
}

bool CompareSession::run() {
  if (!model_ || jobs_.busy()) return false;
  struct Item {
    compare::BackendSpec spec;
    std::string key;
  };
  std::vector<Item> items;
  for (const auto& b : backends_)
    if (b.selected) items.push_back({b.spec, b.spec.fingerprint() + "#" + input.key()});
  if (items.empty()) { status_ = "select at least one backend"; return false; }
  std::string ref = reference;
  if (std::none_of(items.begin(), items.end(), [&](const Item& i) { return i.spec.name == ref; })) ref = items.front().spec.name;
  reference = ref;
  std::map<std::string, std::shared_ptr<const compare::BackendRun>> cached;
  for (const auto& i : items)
    if (auto it = cache_.find(i.key); it != cache_.end()) cached[i.key] = it->second;
  auto model = model_;
  const InputChoice in = input;
  std::vector<std::string> labels = model->class_labels;
  const compare::ClassAxis axis_rule = class_axis;  // a copy: the worker must not read UI state
  // Inputs are made on the worker too (an image or .npz may be large).
  auto inputs_fn = [rec = recording_, model, in] { return make_inputs(*model, in, rec); };
  const uint64_t serial = ++serial_;
  return jobs_.start("Running backends", [=, this](TaskContext& ctx) -> Task::Publish {
    const exec::RunInputs inputs = inputs_fn();
    auto fresh = std::make_shared<std::map<std::string, std::shared_ptr<const compare::BackendRun>>>();
    std::vector<compare::BackendRunRequest> requests;
    for (const auto& i : items) {
      auto it = cached.find(i.key);
      requests.push_back({i.spec, it == cached.end() ? nullptr : it->second});
    }
    const std::vector<compare::BackendRunOutcome> outcomes =
        compare::run_backends(requests, *model, inputs, ctx.cancel_token(), ctx.reporter());
    ctx.throw_if_cancelled();
    const size_t n = items.size();
    std::map<std::string, std::string> errors;
    std::vector<compare::BackendRun> runs;
    for (size_t i = 0; i < n; ++i) {
      if (!outcomes[i].run) { errors[items[i].spec.name] = outcomes[i].error; continue; }
      if (outcomes[i].fresh) (*fresh)[items[i].key] = outcomes[i].run;
      runs.push_back(*outcomes[i].run);
    }
    ComparisonResult res;
    res.input_label = in.label();
    res.backend_errors = errors;
    res.serial = serial;
    if (std::any_of(runs.begin(), runs.end(), [&](const compare::BackendRun& r) { return r.name == ref; })) {
      compare::CompareOptions co;
      for (const auto& f : model->outputs) co.output_order.push_back(f.name);
      co.class_axis = axis_rule;
      res.comparison = compare::compare_runs(runs, ref, co);
      res.class_labels = labels;
      for (const auto& name : res.comparison.output_names) res.plots.push_back(compare::output_plot(res.comparison, name, labels, 5));
    }
    const size_t n_runs = runs.size();
    return [this, fresh, res = std::move(res), n_runs]() mutable {
      for (auto& [k, v] : *fresh) cache_[k] = v;
      const bool ok = !res.comparison.backends.empty();
      status_ = std::to_string(n_runs) + " backend(s) on " + res.input_label + (ok ? "" : " — the reference has no result") + " in " +
                fmt_seconds(jobs_.last_seconds());
      result_ = std::move(res);
    };
  });
}

void CompareSession::show_position(const std::string& output, int64_t position) {
  if (!result_) return;
  for (auto& p : result_->plots)
    if (p.output == output && p.position_wise) p = compare::output_plot(result_->comparison, output, result_->class_labels, 5, position);
}

bool CompareSession::run_drift(int count) {
  if (!model_ || jobs_.busy()) return false;
  std::vector<compare::BackendSpec> specs;
  for (const auto& b : backends_)
    if (b.selected) specs.push_back(b.spec);
  auto model = model_;
  const InputChoice in = input;
  count = std::max(2, count);
  auto rec = recording_;
  return jobs_.start("Measuring drift", [=, this](TaskContext& ctx) -> Task::Publish {
    const exec::RunInputs inputs = make_inputs(*model, in, rec);
    std::vector<compare::DriftStats> out;
    for (size_t i = 0; i < specs.size(); ++i) {
      ctx.progress({static_cast<double>(i), static_cast<double>(specs.size()), specs[i].name});
      auto backend = compare::make_backend(specs[i]);
      compare::DriftStats d;
      if (auto* rec = dynamic_cast<compare::RecordedBackend*>(backend.get())) d = rec->recorded_drift();
      else {
        exec::RunOptions ro;
        ro.cancel = ctx.cancel_token();
        d = compare::measure_drift(*backend, *model, inputs, ro, count);
      }
      d.backend = specs[i].name;
      out.push_back(std::move(d));
    }
    return [this, out = std::move(out)]() mutable {
      drift_ = std::move(out);
      status_ = "drift measured in " + std::string(fmt_seconds(jobs_.last_seconds()));
    };
  });
}

bool CompareSession::run_sweep(size_t count, uint64_t seed, int threads) {
  if (!model_ || jobs_.busy()) return false;
  std::vector<compare::SweepBackend> sb;
  for (const auto& b : backends_)
    if (b.selected && b.spec.kind == exec::BackendKind::Emulated) {
      compare::BackendSpec spec = b.spec;
      sb.push_back({spec.name, [spec] { return compare::make_backend(spec); }});
    }
  if (sb.size() < 2) { status_ = "a sweep needs at least two selected emulated backends (a recording replays only its own input)"; return false; }
  // The reference goes first so every pair involving it is measured from its side.
  std::stable_partition(sb.begin(), sb.end(), [&](const compare::SweepBackend& b) { return b.name == reference; });
  auto model = model_;
  sweep_seed_ = seed;
  return jobs_.start("Sweep", [=, this](TaskContext& ctx) -> Task::Publish {
    compare::SweepInputs si = compare::seeded_random_inputs(*model, seed, count);
    compare::SweepOptions so;
    so.threads = std::max(1, threads);
    so.cancel = ctx.cancel_token();
    so.histogram_bins = 24;
    so.closest = 8;
    so.progress = ctx.reporter();
    auto res = std::make_shared<compare::SweepResult>(compare::run_sweep(*model, sb, si, so));
    return [this, res] {
      status_ = std::string(res->cancelled ? "sweep stopped: " : "sweep: ") + std::to_string(res->completed) + " inputs in " + fmt_seconds(res->wall_seconds);
      sweep_ = std::move(*res);
    };
  });
}

bool CompareSession::run_divergence(const std::string& other, double min_cosine, double max_rel_error) {
  if (!model_ || jobs_.busy()) return false;
  const BackendChoice* a = find(reference);
  const BackendChoice* b = find(other);
  if (!a || !b || a == b || a->spec.kind != exec::BackendKind::Emulated || b->spec.kind != exec::BackendKind::Emulated) {
    status_ = "divergence needs an emulated reference and another emulated backend (recordings hold outputs only)";
    return false;
  }
  compare::BackendSpec ra = a->spec, rb = b->spec;
  auto model = model_;
  const InputChoice in = input;
  auto rec = recording_;
  // Against model B: only values with a counterpart are compared (A as the reference).
  std::shared_ptr<const compare::ModelMatch> two;
  if (against_match_ && (rb.name == against_backend_) != (ra.name == against_backend_)) {
    if (ra.name == against_backend_) std::swap(ra, rb);
    two = against_match_;
  }
  return jobs_.start("Per-op divergence", [=, this](TaskContext& ctx) -> Task::Publish {
    const exec::RunInputs inputs = make_inputs(*model, in, rec);
    exec::RunOptions ro;
    ro.cancel = ctx.cancel_token();
    // Both runs stream in lockstep (compare/divergence.h); each is sketched for the histograms.
    ro.progress = [&ctx](const Progress& p) {
      if (static_cast<int64_t>(p.done) % 8 == 0) ctx.progress(p);
    };
    auto a = compare::make_backend(ra), b = compare::make_backend(rb);
    compare::SketchingBackend sa(*a), sb(*b);
    compare::DivergenceOptions dopt;
    dopt.min_cosine = min_cosine;
    dopt.max_rel_error = max_rel_error;
    if (two) dopt = compare::two_model_divergence_options(dopt, *two);
    auto res = std::make_shared<DivergenceResult>();
    res->report = compare::run_divergence(sa, sb, *model, inputs, ro, dopt);
    if (two) compare::name_counterparts(res->report, *two);
    std::map<std::string, compare::ValueSketch> ka = sa.take_sketches(), kb = sb.take_sketches();
    for (const auto& [name, sk] : ka)
      if (auto it = kb.find(name); it != kb.end()) {
        compare::ValuePairHistogram h;
        if (compare::combine_sketches(name, sk, it->second, 32, h)) res->histograms.emplace(name, std::move(h));
      }
    res->report.reference = ra.name;
    res->report.other = rb.name;
    res->input_label = in.label();
    return [this, res] {
      res->serial = ++serial_;
      divergence_ = std::move(*res);
      status_ = "divergence " + divergence_->report.reference + " vs " + divergence_->report.other + " in " + fmt_seconds(jobs_.last_seconds());
    };
  });
}

void CompareSession::select_sweep_input(size_t index) {
  input.kind = InputChoice::Kind::SweepItem;
  input.seed = sweep_seed_;
  input.index = index;
  run();
}

}  // namespace mlscope::session
