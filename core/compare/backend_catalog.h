// The backends a comparison can choose from, as plain descriptions that can be edited (a
// profile's numeric rules) and turned into fresh Backend instances on any thread. Used by the
// GUI's Backends panel; the CLI keeps its own list syntax (app/cli/compare_setup.h).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/exec/backend.h"
#include "core/exec/numeric_profile.h"
#include "core/recording/recording.h"

namespace mlscope::compare {

struct BackendSpec {
  std::string name;  ///< "fp32", "ane-w8a8", "recorded:cpu_and_ne", "user"
  exec::BackendKind kind = exec::BackendKind::Emulated;
  std::optional<exec::NumericProfile> profile;             ///< emulated
  std::shared_ptr<const recording::Recording> recording;   ///< recorded
  std::string compute_units;                               ///< recorded: "cpu_and_ne"
  /// Custom factory (e.g. a what-if backend); `variant` then tells instances apart in the cache key.
  std::function<std::unique_ptr<exec::Backend>()> make;
  std::string variant;
  /// Text that changes whenever the numbers this backend produces could change (cache key).
  std::string fingerprint() const;
};

/// One spec per built-in profile (exec::NumericProfile::builtin_names()), then one per band
/// (exec::BandBackend::band_names(): a factory, no editable profile).
std::vector<BackendSpec> builtin_backend_specs();
/// One spec per compute unit the recording holds, named "recorded:<compute unit>".
std::vector<BackendSpec> recording_backend_specs(std::shared_ptr<const recording::Recording> rec);
/// Throws mlscope::Error (naming the recording) when it was made from another model file
/// (its model SHA-256 differs from the file at `model_path`).
void check_recording_matches(const recording::Recording& rec, const std::string& model_path, const ir::Model& model);

/// A new backend instance (backends are not thread-safe: each worker makes its own).
std::unique_ptr<exec::Backend> make_backend(const BackendSpec& spec);

}  // namespace mlscope::compare
