// The one place backends are built. A BackendSpec describes a backend — a built-in profile, a
// band, a profile file, one compute unit of a recording, a what-if — as plain data that can be
// edited (a profile's numeric rules) and turned into fresh Backend instances on any thread.
// The CLI's --backends lists and the GUI's Backends panel both come through here.
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
  /// Custom factory (a band, a what-if); `variant` then tells instances apart in the cache key.
  std::function<std::unique_ptr<exec::Backend>()> make;
  std::string variant;
  /// Text that changes whenever the numbers this backend produces could change (cache key).
  std::string fingerprint() const;
  bool emulated() const { return kind == exec::BackendKind::Emulated; }
};

/// One spec per built-in profile (exec::NumericProfile::builtin_names()), then one per band
/// (exec::BandBackend::band_names(): a factory, no editable profile).
std::vector<BackendSpec> builtin_backend_specs();
/// One list item that is not a recording: a built-in profile ("gpu"), a band ("ane-band") or a
/// profile file ("profile:P.json"). Throws mlscope::Error for an unknown name or a bad file.
BackendSpec backend_spec(const std::string& item);
/// One spec per compute unit the recording holds, named "recorded:<compute unit>".
std::vector<BackendSpec> recording_backend_specs(std::shared_ptr<const recording::Recording> rec);
/// "fp32,gpu,ane-band,profile:P.json,recording:FILE" → specs in list order (a recording gives one
/// per compute unit). Every recording must belong to `model` (recording::check_recording_belongs;
/// its note, when the hashes were not comparable, goes to `notes`). Empty items are skipped.
std::vector<BackendSpec> parse_backend_list(const std::string& list, const ir::Model& model, const std::string& model_path,
                                            std::vector<std::string>* notes = nullptr);
/// The backend "what-if": `base` (named `base_name`) with the what-if `spec_text` applied
/// (compare/what_if.h). Calibration, when the spec asks for it, runs once on the first instance
/// made (lazily, on whichever thread makes it) and is shared by every later instance. Throws
/// mlscope::Error naming a bad spec token.
BackendSpec what_if_backend_spec(std::shared_ptr<const ir::Model> model, const std::string& spec_text,
                                 const exec::NumericProfile& base, const std::string& base_name, const std::string& function = "");

/// A new backend instance (backends are not thread-safe: each worker makes its own).
std::unique_ptr<exec::Backend> make_backend(const BackendSpec& spec);

}  // namespace mlscope::compare
