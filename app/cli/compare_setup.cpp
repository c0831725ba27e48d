#include "app/cli/compare_setup.h"

#include <set>
#include <sstream>

#include "app/cli/verb.h"
#include "core/compare/sweep_inputs.h"
#include "core/compare/what_if.h"
#include "core/exec/band_runner.h"
#include "core/exec/input_files.h"
#include "core/exec/interpreter.h"
#include "core/exec/npy.h"
#include "core/recording/model_identity.h"
#include "core/recording/recording_json.h"
#include "core/util/error.h"

namespace mlscope::cli {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep))
    if (!item.empty()) out.push_back(item);
  return out;
}


}  // namespace

std::vector<CompareBackend> make_backends(const std::string& list, const ir::Model& model, const std::string& model_path) {
  std::vector<CompareBackend> out;
  std::set<std::string> names;
  auto add = [&](CompareBackend b) {
    if (!names.insert(b.name).second) throw UsageError{"backend '" + b.name + "' given twice"};
    out.push_back(std::move(b));
  };
  for (const auto& item : split(list, ',')) {
    if (item.rfind("recording:", 0) == 0) {
      auto rec = std::make_shared<const recording::Recording>(recording::load_recording_file(item.substr(10)));
      // Replaying another model's predictions would be a lie: the recording must name this file.
      const recording::ModelIdentity id = recording::identify_model(model_path, model);
      if (!rec->model.sha256.empty() && rec->model.sha256 != id.sha256)
        throw Error(Location::in_file(rec->path), "recording was made from another model: its " + rec->model.hashed_file +
                                                      " has SHA-256 " + rec->model.sha256 + ", " + model_path + " has " + id.sha256);
      for (auto& rb : compare::recorded_backends(rec)) {
        CompareBackend b;
        b.name = rb->name();
        b.recorded = rb.get();
        b.backend = std::move(rb);
        add(std::move(b));
      }
    } else if (exec::BandBackend::is_band_name(item)) {
      CompareBackend b;
      b.name = item;
      b.make = [item] { return std::unique_ptr<exec::Backend>(new exec::BandBackend(item)); };
      b.backend = b.make();
      add(std::move(b));
    } else {
      exec::NumericProfile p = item.rfind("profile:", 0) == 0 ? exec::NumericProfile::from_json_file(item.substr(8))
                                                               : exec::NumericProfile::builtin(item);
      CompareBackend b;
      b.name = p.name;
      b.profile = p;
      b.backend = std::make_unique<exec::Interpreter>(p);
      b.make = [p] { return std::unique_ptr<exec::Backend>(new exec::Interpreter(p)); };
      add(std::move(b));
    }
  }
  if (out.empty()) throw UsageError{"--backends needs at least one backend"};
  return out;
}

CompareBackend make_what_if(const std::string& spec, const exec::NumericProfile& base, const ir::Model& model,
                            const std::string& function) {
  compare::WhatIfOptions o;
  o.base = base;
  o.function = function;
  CompareBackend b;
  b.name = "what-if";
  b.make = compare::what_if_backend_factory(model, compare::WhatIfSpec::parse(spec), o);
  b.backend = b.make();
  return b;
}

exec::RunInputs make_inputs(const ir::Model& model, const std::vector<std::string>& values,
                            const std::vector<CompareBackend>& backends, std::string* label) {
  exec::RunInputs in;
  std::string desc;
  auto note = [&](const std::string& s) { desc += (desc.empty() ? "" : ", ") + s; };
  if (values.empty()) {
    for (const auto& b : backends)
      if (b.recorded) {
        *label = "the recording's input (" + b.name + ")";
        return b.recorded->recorded_inputs();
      }
  }
  const ir::Function* fn = model.main_function();
  if (!fn) throw Error(Location::in_file(model.path), "model has no function to run");
  if (values.empty()) {
    for (ir::ValueId id : fn->inputs) exec::add_input_spec(model, *fn, fn->value(id).name + "=random:0", in);
    *label = "random:0 (exec/random_inputs.h generator)";
    return in;
  }
  for (const auto& v : values) {
    // A bare random:SEED seeds every input (exec's spec syntax takes one input at a time).
    if (v.rfind("random:", 0) == 0 && fn->inputs.size() != 1) {
      for (ir::ValueId id : fn->inputs) exec::add_input_spec(model, *fn, fn->value(id).name + "=" + v, in);
    } else {
      exec::add_input_spec(model, *fn, v, in);
    }
    note(v);
  }
  *label = desc;
  return in;
}

}  // namespace mlscope::cli
