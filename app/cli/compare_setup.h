// Turning `compare` command-line values into backends and inputs (kept apart from the verb so
// the benchmark and tests can build the same backends).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/compare/recorded_backend.h"
#include "core/exec/backend.h"
#include "core/exec/numeric_profile.h"

namespace mlscope::cli {

struct CompareBackend {
  std::string name;                          ///< "fp32", "recorded:cpu_and_ne"
  std::unique_ptr<exec::Backend> backend;
  std::optional<exec::NumericProfile> profile;  ///< emulated backends: to make more instances
  compare::RecordedBackend* recorded = nullptr; ///< set for recorded backends
  /// Makes more instances (emulated backends: one per sweep worker); null for recorded ones.
  std::function<std::unique_ptr<exec::Backend>()> make;
  bool emulated() const { return static_cast<bool>(make); }
};

/// "fp32,gpu,recording:FILE,profile:FILE.json" → backends. Throws mlscope::Error for an unknown
/// profile, a bad recording or a recording of another model (its model SHA-256 must equal
/// MODEL's, see core/recording/model_identity.h), UsageError for an empty or duplicated name.
std::vector<CompareBackend> make_backends(const std::string& list, const ir::Model& model, const std::string& model_path);

/// --input values in exec's spec syntax (exec/input_files.h: "x=a.npy", "x=random:7", "a.npz",
/// "img.png"; a bare "random:7" seeds every input) → inputs for `model`.
/// With no values: the first recorded backend's own input, else random seed 0. `label` gets a
/// human description of where the inputs came from.
/// `--what-if SPEC` (compare/what_if.h) on `base` → the backend named "what-if" (calibrates
/// activations first when the spec asks for it). Throws mlscope::Error naming a bad spec token.
CompareBackend make_what_if(const std::string& spec, const exec::NumericProfile& base, const ir::Model& model,
                            const std::string& function);

exec::RunInputs make_inputs(const ir::Model& model, const std::vector<std::string>& values,
                            const std::vector<CompareBackend>& backends, std::string* label);

}  // namespace mlscope::cli
