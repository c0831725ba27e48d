// `mlscope-cli compare MODEL --backends fp32,gpu,ane,ane-w8a8[,recording:FILE] ...`: do the
// backends agree on this model, how far apart are they, and where does it start?
// `compare A --against B [--backends P[,Q]]`: the same questions for two models (B as a backend
// of A, core/compare/other_model_backend.h), op by op.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <functional>
#include <cstdio>

#include "app/cli/compare_setup.h"
#include "app/cli/flags.h"
#include "app/cli/verb.h"
#include "core/compare/compare_report.h"
#include "core/compare/drift.h"
#include "core/compare/nonfinite.h"
#include "core/compare/what_if.h"
#include "core/exec/interpreter.h"
#include "core/format/open.h"
#include "core/session/task.h"
#include "core/util/error.h"

namespace mlscope::cli {
namespace {

std::atomic<bool> g_cancel{false};
void on_sigint(int) { g_cancel = true; }

// Waits for a long pass (Ctrl-C cancels it); a failure is rethrown as the error it was.
void wait_for(session::Task& task, bool show_progress) {
  ProgressFn show;
  if (show_progress) show = [](const Progress& p) { std::fprintf(stderr, "\r%.*s", static_cast<int>(p.stage.size()), p.stage.data()); };
  const session::TaskOutcome outcome = task.wait(g_cancel, show);
  if (outcome == session::TaskOutcome::Failed) std::rethrow_exception(task.last_exception());
}

int to_int(const Args& args, const std::string& flag, int fallback, int min) {
  auto v = args.get(flag);
  if (!v) return fallback;
  try {
    size_t used = 0;
    int n = std::stoi(*v, &used);
    if (used == v->size() && n >= min) return n;
  } catch (const std::exception&) {
  }
  throw UsageError{"--" + flag + " needs an integer ≥ " + std::to_string(min) + ", got '" + *v + "'"};
}

double to_double(const Args& args, const std::string& flag, double fallback) {
  auto v = args.get(flag);
  if (!v) return fallback;
  try {
    size_t used = 0;
    double x = std::stod(*v, &used);
    if (used == v->size()) return x;
  } catch (const std::exception&) {
  }
  throw UsageError{"--" + flag + " needs a number, got '" + *v + "'"};
}

// --class-axis A (an axis, negative from the end), none (never position-wise) or auto (default).
compare::ClassAxis class_axis_flag(const Args& args) {
  compare::ClassAxis rule;
  const auto v = args.get("class-axis");
  if (!v || *v == "auto") return rule;
  if (*v == "none") {
    rule.mode = compare::ClassAxis::Mode::Off;
    return rule;
  }
  rule.mode = compare::ClassAxis::Mode::Axis;
  rule.axis = to_int(args, "class-axis", -1, -64);
  return rule;
}

CompareBackend* find_backend(std::vector<CompareBackend>& bs, const std::string& name) {
  for (auto& b : bs)
    if (b.name == name) return &b;
  return nullptr;
}

int run_compare(const std::vector<std::string>& argv) {
  reject_unknown_flags(argv, {"backends", "reference", "input", "runs", "sweep", "sweep-seed", "sweep-dir", "threads",
                              "divergence", "divergence-with", "threshold-cosine", "threshold-rel", "golden", "min-cosine",
                              "golden-axis", "golden-backend", "json", "fail-on-flip", "function", "top-k", "what-if", "what-if-base", "divergence-budget-mb", "class-axis", "against", "match", "map"});
  Args args(argv, {"backends", "reference", "input", "runs", "sweep", "sweep-seed", "sweep-dir", "threads", "divergence-with",
                   "threshold-cosine", "threshold-rel", "golden", "min-cosine", "golden-axis", "golden-backend", "function", "top-k", "what-if", "what-if-base", "divergence-budget-mb", "class-axis",
                   "against", "match", "map"});
  if (args.positional().size() != 1) throw UsageError{"compare needs exactly one MODEL"};
  const std::string path = args.positional()[0];
  const bool json = args.has("json");
  const int runs = to_int(args, "runs", 1, 1);
  const int sweep_n = to_int(args, "sweep", 0, 0);
  const int threads = to_int(args, "threads", 2, 1);
  const int top_k = to_int(args, "top-k", 5, 1);
  if (args.has("min-cosine") && !args.has("golden")) throw UsageError{"--min-cosine belongs to --golden FILE"};

  const ir::Model model = format::open(path);
  const auto what_if = args.get("what-if");
  if (args.has("what-if-base") && !what_if) throw UsageError{"--what-if-base belongs to --what-if SPEC"};
  // Parse the spec before any work so a bad token fails fast.
  if (what_if) compare::WhatIfSpec::parse(*what_if);
  std::vector<std::string> backend_notes;
  const auto against = args.get("against");
  std::optional<AgainstSetup> two;
  if (against) {
    if (what_if) throw UsageError{"--what-if and --against do not go together (a what-if rewrites one model's values)"};
    if (args.has("divergence-with")) throw UsageError{"--against compares A with B: --divergence-with does not apply"};
    two = make_against(model, *against, args.get_or("backends", "fp32"), args.get_or("match", "auto"), args.get_all("map"));
  } else if (args.has("match") || args.has("map")) {
    throw UsageError{"--match and --map belong to --against B"};
  }
  std::vector<CompareBackend> backends =
      two ? std::move(two->backends)
          : make_backends(args.get_or("backends", what_if ? "fp32" : "fp32,fp16,gpu,ane,ane-w8a8"), model, path, &backend_notes);
  if (what_if) {
    const std::string base = args.get_or("what-if-base", "fp32");
    exec::NumericProfile bp = base.rfind("profile:", 0) == 0 ? exec::NumericProfile::from_json_file(base.substr(8))
                                                             : exec::NumericProfile::builtin(base);
    if (find_backend(backends, "what-if")) throw UsageError{"backend 'what-if' given twice"};
    backends.push_back(make_what_if(*what_if, bp, bp.name, model, args.get_or("function", "")));
  }
  const std::string reference = args.get_or("reference", backends.front().name);
  if (!find_backend(backends, reference)) throw UsageError{"--reference '" + reference + "' is not one of --backends"};

  compare::CompareReport report;
  report.model_path = path;
  if (two) report.two_models = compare::summarize_match(model, *two->b, *two->match);
  report.notes = backend_notes;
  const exec::RunInputs inputs = make_inputs(model, args.get_all("input"), backends, &report.input_label);
  exec::RunOptions ro;
  ro.function = args.get_or("function", "");
  ro.cancel = g_cancel;
  std::signal(SIGINT, on_sigint);

  std::vector<compare::BackendRun> results;
  for (auto& b : backends) {
    compare::BackendRun r;
    r.name = b.name;
    r.kind = b.backend->kind();
    r.result = b.backend->run(model, inputs, ro);
    r.provenance = r.result.provenance;
    // NaN/inf outputs are named with the op they start at (a second run only when there are any).
    const compare::NonfiniteCheck nf = compare::check_nonfinite_outputs(r.result, b.backend.get(), model, inputs, ro);
    r.result.warnings.insert(r.result.warnings.end(), nf.warnings.begin(), nf.warnings.end());
    results.push_back(std::move(r));
    if (runs >= 2)
      report.drift.push_back(b.recorded ? b.recorded->recorded_drift() : compare::measure_drift(*b.backend, model, inputs, ro, runs));
    if (!report.drift.empty()) report.drift.back().backend = b.name;
  }
  compare::CompareOptions co;
  co.top_k = top_k;
  co.class_axis = class_axis_flag(args);
  for (const auto& f : model.outputs) co.output_order.push_back(f.name);
  report.comparison = compare::compare_runs(results, reference, co);
  report.notes.insert(report.notes.end(), report.comparison.notes.begin(), report.comparison.notes.end());

  if (sweep_n > 0 || args.has("sweep-dir")) {
    std::vector<compare::SweepBackend> sb;
    for (const auto& b : backends)
      if (b.emulated()) sb.push_back({b.name, [spec = b.spec] { return compare::make_backend(spec); }});
    if (sb.size() != backends.size())
      report.notes.push_back("recorded backends are not part of the sweep: a recording can only replay its own input");
    if (sb.size() < 2) throw UsageError{"--sweep needs at least two emulated backends"};
    compare::SweepInputs si = args.has("sweep-dir")
                                  ? compare::folder_inputs(model, *args.get("sweep-dir"))
                                  : compare::seeded_random_inputs(model, static_cast<uint64_t>(to_int(args, "sweep-seed", 0, 0)),
                                                                  static_cast<size_t>(sweep_n));
    // The sweep runs as a Task: Ctrl-C cancels it (the inputs done so far are reported).
    session::Task task;
    task.start("sweep", [&](session::TaskContext& ctx) -> session::Task::Publish {
      compare::SweepOptions so;
      so.threads = threads;
      so.cancel = ctx.cancel_token();
      so.run_options = ro;
      so.progress = ctx.reporter();
      auto res = std::make_shared<compare::SweepResult>(compare::run_sweep(model, sb, si, so));
      return [&report, res] { report.sweep = std::move(*res); };
    });
    const bool tty = isatty(STDERR_FILENO);
    wait_for(task, tty);
    if (tty) std::fprintf(stderr, "\n");
  }

  if (args.has("divergence") || two) {
    CompareBackend* ref = find_backend(backends, reference);
    if (!ref->emulated())
      for (auto& b : backends)
        if (b.emulated()) {
          ref = &b;
          break;
        }
    CompareBackend* other = nullptr;
    if (auto w = args.get("divergence-with")) {
      other = find_backend(backends, *w);
      if (!other) throw UsageError{"--divergence-with '" + *w + "' is not one of --backends"};
    } else {
      for (auto& b : backends)
        if (b.emulated() && &b != ref) {
          other = &b;
          break;
        }
    }
    if (!ref->emulated() || !other || !other->emulated() || other == ref)
      throw UsageError{"--divergence needs two emulated backends (recorded runs hold outputs only)"};
    compare::DivergenceOptions dopt;
    dopt.function = ro.function;
    dopt.min_cosine = to_double(args, "threshold-cosine", dopt.min_cosine);
    dopt.max_rel_error = to_double(args, "threshold-rel", dopt.max_rel_error);
    if (args.has("divergence-budget-mb"))
      dopt.memory_budget_bytes = static_cast<uint64_t>(to_int(args, "divergence-budget-mb", 64, 0)) << 20;
    if (two) dopt = compare::two_model_divergence_options(dopt, *two->match);
    session::Task task;
    task.start("divergence", [&](session::TaskContext& ctx) -> session::Task::Publish {
      exec::RunOptions dro = ro;
      dro.cancel = ctx.cancel_token();
      auto res = std::make_shared<compare::DivergenceReport>(compare::run_divergence(*ref->backend, *other->backend, model, inputs, dro, dopt));
      return [&report, res] { report.divergence = std::move(*res); };
    });
    wait_for(task, false);
    if (!report.divergence) throw Error(Location::in_file(path), "divergence cancelled");
    report.divergence->reference = ref->name;
    report.divergence->other = other->name;
    if (two) compare::name_counterparts(*report.divergence, *two->match);
  }

  if (auto g = args.get("golden")) {
    const std::string gb = args.get_or("golden-backend", reference);
    auto it = std::find_if(results.begin(), results.end(), [&](const auto& r) { return r.name == gb; });
    if (it == results.end()) throw UsageError{"--golden-backend '" + gb + "' is not one of --backends"};
    compare::GoldenOptions gopt;
    gopt.min_cosine = to_double(args, "min-cosine", gopt.min_cosine);
    if (args.has("golden-axis")) gopt.axis = to_int(args, "golden-axis", 0, -64);
    std::vector<std::string> outs = co.output_order;
    report.golden = compare::golden_gate(it->result, compare::load_golden(*g, outs), *g, gopt);
    report.golden->file = *g + " (checked: " + gb + ")";
  }

  const std::string out = json ? compare::report_json(report).dump(2) + "\n" : compare::report_text(report);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (report.golden && !report.golden->pass) return 1;
  if (args.has("fail-on-flip") && compare::any_flip(report)) return 1;
  return 0;
}

}  // namespace

MLSCOPE_CLI_VERB("compare",
                 "compare MODEL --backends fp32,gpu,ane,ane-w8a8[,recording:FILE] [--reference NAME] "
                 "[--input NAME=FILE.npy|random:SEED] [--runs N] [--sweep M [--sweep-seed S] | --sweep-dir DIR] "
                 "[--divergence [--divergence-with NAME] [--divergence-budget-mb MB]] [--golden FILE [--min-cosine X] [--golden-axis A]] "
                 "[--what-if SPEC [--what-if-base PROFILE]] [--class-axis A|none|auto] [--json] [--fail-on-flip] | "
                 "compare A --against B [--backends P[,Q]] [--match name|structure|auto] [--map a_name=b_name]... (and the options above)",
                 "backends side by side: logits, margins, argmax flips, drift, flip rate, per-op divergence, golden gate; or two models op by op",
                 run_compare);

}  // namespace mlscope::cli
