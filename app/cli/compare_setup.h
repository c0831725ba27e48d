// Turning `compare` command-line values into backends and inputs (kept apart from the verb so
// the benchmark and tests can build the same backends). The backends themselves are built by
// core/compare/backend_catalog.h, the one place the GUI builds them too.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/compare/backend_catalog.h"
#include "core/compare/model_match.h"
#include "core/compare/recorded_backend.h"
#include "core/exec/backend.h"
#include "core/exec/numeric_profile.h"

namespace mlscope::cli {

struct CompareBackend {
  std::string name;                          ///< "fp32", "recorded:cpu_and_ne"
  compare::BackendSpec spec;                 ///< what it is (makes more instances: one per sweep worker)
  std::unique_ptr<exec::Backend> backend;
  compare::RecordedBackend* recorded = nullptr; ///< set for recorded backends
  bool emulated() const { return spec.emulated(); }
};
/// A backend and its first instance.
CompareBackend instantiate(compare::BackendSpec spec);

/// "fp32,gpu,ane-band,recording:FILE,profile:FILE.json" → backends (compare::parse_backend_list).
/// Throws mlscope::Error for an unknown profile, a bad recording or a recording of another model
/// (recording::check_recording_belongs), UsageError for an empty or duplicated name. Notes (a
/// recording matched by op count when hashes are not comparable) go to `notes`.
std::vector<CompareBackend> make_backends(const std::string& list, const ir::Model& model, const std::string& model_path,
                                          std::vector<std::string>* notes = nullptr);

/// --input values in exec's spec syntax (core/io/input_files.h: "x=a.npy", "x=random:7", "a.npz",
/// "img.png"; a bare "random:7" seeds every input) → inputs for `model`.
/// With no values: the first recorded backend's own input, else random seed 0. `label` gets a
/// human description of where the inputs came from.
/// `--what-if SPEC` (compare/what_if.h) on `base` → the backend named "what-if" (calibrates
/// activations first when the spec asks for it). Throws mlscope::Error naming a bad spec token.
CompareBackend make_what_if(const std::string& spec, const exec::NumericProfile& base, const std::string& base_name,
                            const ir::Model& model, const std::string& function);

/// `compare A --against B`: B opened and matched to A (compare/model_match.h), and the two
/// backends: A under P named "A:P", B under Q (P when the list has one item) named "B:Q".
struct AgainstSetup {
  std::shared_ptr<const ir::Model> b;
  std::shared_ptr<const compare::ModelMatch> match;
  std::vector<CompareBackend> backends;
};
/// Throws UsageError for a bad --match / --map / --backends value, mlscope::Error for B's file
/// or an interface mismatch (exit 2 either way).
AgainstSetup make_against(const ir::Model& a, const std::string& b_path, const std::string& list, const std::string& match,
                          const std::vector<std::string>& maps);

exec::RunInputs make_inputs(const ir::Model& model, const std::vector<std::string>& values,
                            const std::vector<CompareBackend>& backends, std::string* label);

}  // namespace mlscope::cli
