#include "core/session/hazards_session.h"

#include <chrono>

#include "core/exec/band_runner.h"
#include "core/exec/numeric_profile.h"
#include "core/io/input_files.h"

namespace mlscope::session {

HazardsResult index_hazards(compare::HazardReport report, const ir::Function& fn, int32_t function) {
  HazardsResult r;
  r.function = function;
  r.worst.assign(fn.ops.size(), -1);
  r.by_op.assign(fn.ops.size(), {});
  for (size_t i = 0; i < report.hazards.size(); ++i) {
    const compare::Hazard& h = report.hazards[i];
    const ir::OpId op = fn.find_op(h.op);
    r.hazard_op.push_back(op);
    if (op == ir::kNone) continue;
    const auto o = static_cast<size_t>(op);
    r.by_op[o].push_back(i);
    r.worst[o] = std::max<int8_t>(r.worst[o], static_cast<int8_t>(h.severity));
  }
  if (report.nonfinite_origin && !report.nonfinite_origin->from_input) r.origin = fn.find_op(report.nonfinite_origin->op);
  r.report = std::move(report);
  return r;
}

void HazardsSession::follow_model(const Document& doc) {
  const ModelSnapshot* s = doc.snapshot();
  if (s && s->model == model_) return;
  model_ = s ? s->model : nullptr;  // another model: its hazards are not these
  result_.reset();
}

void HazardsSession::poll(const Document& doc) {
  follow_model(doc);
  task_.poll();
}

bool HazardsSession::start(const Document& doc, const std::string& profile_name, const std::string& input, std::string& error) {
  follow_model(doc);
  const ir::Function* fn = doc.current_function();
  if (!model_ || !fn) {
    error = "no model open";
    return false;
  }
  exec::NumericProfile profile;
  try {
    profile = exec::NumericProfile::builtin(profile_name);
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
  const std::shared_ptr<const ir::Model> model = model_;
  const int32_t function = doc.selection().function;
  const uint64_t serial = ++serial_;
  const bool started = task_.start("fp16 hazards (" + profile.name + ")", [this, model, function, profile, input, serial](TaskContext& ctx) -> Task::Publish {
    const ir::Function& f = model->functions.at(static_cast<size_t>(function));
    exec::RunInputs inputs;
    std::string label = input.empty() ? "random:0" : input;
    if (input.empty())
      for (ir::ValueId id : f.inputs) io::add_input_spec(*model, f, f.value(id).name + "=random:0", inputs);
    else
      io::add_input_spec(*model, f, input, inputs);
    compare::HazardRunOptions o;
    o.function = f.name;
    o.cancel = ctx.cancel_token();
    o.band = exec::BandBackend::band_of_profile(profile.name);
    o.progress = ctx.reporter();
    const auto t0 = std::chrono::steady_clock::now();
    auto res = std::make_shared<HazardsResult>(index_hazards(compare::find_hazards(*model, inputs, profile, o), f, function));
    res->input_label = label;
    res->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    res->serial = serial;
    return [this, res, model] {
      if (model != model_) return;  // the model changed meanwhile
      result_ = res;
    };
  });
  if (!started) error = "a hazards analysis is running";
  return started;
}

}  // namespace mlscope::session
