#include "app/cli/compare_setup.h"

#include <set>

#include "app/cli/verb.h"
#include "core/compare/sweep_inputs.h"
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
