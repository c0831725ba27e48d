#include "app/cli/compare_setup.h"

#include <set>
#include <sstream>

#include "app/cli/verb.h"
#include "core/compare/sweep_inputs.h"
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

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

uint64_t parse_seed(const std::string& text) {
  try {
    size_t used = 0;
    uint64_t v = std::stoull(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  throw UsageError{"random:SEED needs a non-negative integer seed, got '" + text + "'"};
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
    } else {
      exec::NumericProfile p = item.rfind("profile:", 0) == 0 ? exec::NumericProfile::from_json_file(item.substr(8))
                                                               : exec::NumericProfile::builtin(item);
      CompareBackend b;
      b.name = p.name;
      b.profile = p;
      b.backend = std::make_unique<exec::Interpreter>(p);
      add(std::move(b));
    }
  }
  if (out.empty()) throw UsageError{"--backends needs at least one backend"};
  return out;
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
    auto r = compare::seeded_random_inputs(model, 0, 1);
    *label = "random seed 0 (mlscope generator, docs/compare.md)";
    return r.make(0);
  }
  for (const auto& v : values) {
    const auto eq = v.find('=');
    const std::string name = eq == std::string::npos ? "" : v.substr(0, eq);
    const std::string what = eq == std::string::npos ? v : v.substr(eq + 1);
    if (what.rfind("random:", 0) == 0) {
      const uint64_t seed = parse_seed(what.substr(7));
      exec::RunInputs r = compare::seeded_random_inputs(model, seed, 1).make(0);
      if (name.empty()) {
        for (auto& [n, t] : r) in[n] = t;
      } else {
        auto it = r.find(name);
        if (it == r.end()) throw UsageError{"--input names '" + name + "', which is not a model input"};
        in[name] = it->second;
      }
      note((name.empty() ? "" : name + " = ") + "random seed " + std::to_string(seed));
    } else if (ends_with(what, ".npz") && name.empty()) {
      for (auto& [n, t] : exec::read_npz(what)) in[n] = std::move(t);
      note(what);
    } else {
      std::string n = name;
      if (n.empty()) {
        if (model.inputs.size() != 1) throw UsageError{"--input FILE.npy needs NAME=FILE.npy for a model with several inputs"};
        n = model.inputs[0].name;
      }
      in[n] = exec::read_npy(what);
      note(n + " = " + what);
    }
  }
  *label = desc;
  return in;
}

}  // namespace mlscope::cli
