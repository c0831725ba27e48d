#include "app/cli/compare_setup.h"

#include <set>

#include "app/cli/verb.h"
#include "core/compare/sweep_inputs.h"
#include "core/compare/two_models.h"
#include "core/format/open.h"
#include "core/io/input_files.h"
#include "core/util/error.h"

namespace mlscope::cli {

CompareBackend instantiate(compare::BackendSpec spec) {
  CompareBackend b;
  b.name = spec.name;
  b.backend = compare::make_backend(spec);
  b.recorded = dynamic_cast<compare::RecordedBackend*>(b.backend.get());
  b.spec = std::move(spec);
  return b;
}

std::vector<CompareBackend> make_backends(const std::string& list, const ir::Model& model, const std::string& model_path,
                                          std::vector<std::string>* notes) {
  std::vector<CompareBackend> out;
  std::set<std::string> names;
  for (auto& spec : compare::parse_backend_list(list, model, model_path, notes)) {
    if (!names.insert(spec.name).second) throw UsageError{"backend '" + spec.name + "' given twice"};
    out.push_back(instantiate(std::move(spec)));
  }
  if (out.empty()) throw UsageError{"--backends needs at least one backend"};
  return out;
}

CompareBackend make_what_if(const std::string& spec, const exec::NumericProfile& base, const std::string& base_name,
                            const ir::Model& model, const std::string& function) {
  // The CLI's model outlives every backend: a non-owning pointer is enough.
  const std::shared_ptr<const ir::Model> view(std::shared_ptr<const ir::Model>(), &model);
  return instantiate(compare::what_if_backend_spec(view, spec, base, base_name, function));
}

AgainstSetup make_against(const ir::Model& a, const std::string& b_path, const std::string& list, const std::string& match,
                          const std::vector<std::string>& maps) {
  compare::ModelMatchOptions mo;
  const auto mode = compare::match_mode_from_name(match);
  if (!mode) throw UsageError{"--match needs name, structure or auto, got '" + match + "'"};
  mo.mode = *mode;
  for (const auto& m : maps) {
    const size_t eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) throw UsageError{"--map needs a_name=b_name, got '" + m + "'"};
    mo.io_map.emplace_back(m.substr(0, eq), m.substr(eq + 1));
  }
  AgainstSetup s;
  s.b = std::make_shared<const ir::Model>(format::open(b_path));
  s.match = std::make_shared<const compare::ModelMatch>(compare::match_models(a, *s.b, mo));
  std::vector<compare::BackendSpec> specs = compare::parse_backend_list(list, a, a.path);
  if (specs.empty() || specs.size() > 2)
    throw UsageError{"--against takes --backends P (both models) or P,Q (A under P, B under Q), got '" + list + "'"};
  for (const auto& spec : specs)
    if (!spec.emulated()) throw UsageError{"--against runs both models emulated: a recording replays only its own model"};
  const compare::BackendSpec pb = specs.back();
  compare::BackendSpec pa = specs.front();
  // Renamed for the report only: the profile keeps its own name in the provenance.
  pa.make = [inner = specs.front()] { return compare::make_backend(inner); };
  pa.name = "A:" + pa.name;
  s.backends.push_back(instantiate(pa));
  s.backends.push_back(instantiate(compare::other_model_backend_spec(pb, s.b, s.match)));
  return s;
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
    for (ir::ValueId id : fn->inputs) io::add_input_spec(model, *fn, fn->value(id).name + "=random:0", in);
    *label = "random:0 (core/io/random_inputs.h generator)";
    return in;
  }
  for (const auto& v : values) {
    // A bare random:SEED seeds every input (exec's spec syntax takes one input at a time).
    if (v.rfind("random:", 0) == 0 && fn->inputs.size() != 1) {
      for (ir::ValueId id : fn->inputs) io::add_input_spec(model, *fn, fn->value(id).name + "=" + v, in);
    } else {
      io::add_input_spec(model, *fn, v, in);
    }
    note(v);
  }
  *label = desc;
  return in;
}

}  // namespace mlscope::cli
