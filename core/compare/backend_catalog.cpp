#include "core/compare/backend_catalog.h"

#include <mutex>

#include "core/compare/recorded_backend.h"
#include "core/exec/band_runner.h"
#include "core/exec/interpreter.h"
#include "core/compare/what_if.h"
#include "core/recording/recording_json.h"
#include "core/recording/recording_match.h"
#include "core/util/error.h"
#include "core/util/text.h"

namespace mlscope::compare {

namespace {

// Every field of OpNumerics, so an edited parameter always changes the key.
std::string numerics_key(const exec::OpNumerics& n) {
  return std::to_string(static_cast<int>(n.storage)) + "," + std::to_string(static_cast<int>(n.accumulation)) + "," +
         std::to_string(static_cast<int>(n.reduction_accumulation)) + "," + std::to_string(n.accumulation_chunk) + "," +
         std::to_string(static_cast<int>(n.rounding)) + "," + std::to_string(n.round_products) + "," + std::to_string(n.saturate) +
         "," + std::to_string(n.honor_activation_quant) + "," + std::to_string(n.int8_accumulation) + "," +
         std::to_string(static_cast<int>(n.reduction.order)) + "," + std::to_string(n.reduction.chunk) + "," +
         std::to_string(n.reduction.tile_h) + "x" + std::to_string(n.reduction.tile_w) + "," +
         std::to_string(static_cast<int>(n.reduction.combine)) + "," + std::to_string(n.reduction.scale_terms);
}

}  // namespace

std::string BackendSpec::fingerprint() const {
  std::string s = name + "|" + std::string(exec::backend_kind_name(kind));
  if (profile) {
    s += "|" + numerics_key(profile->defaults);
    for (const auto& [k, v] : profile->by_op_type) s += "|t:" + k + "=" + numerics_key(v);
    for (const auto& [k, v] : profile->by_op_name) s += "|n:" + k + "=" + numerics_key(v);
  }
  if (recording) s += "|" + recording->path + "|" + compute_units;
  if (!variant.empty()) s += "|" + variant;
  return s;
}

namespace {

BackendSpec band_spec(const std::string& name) {
  BackendSpec s;
  s.name = name;
  s.make = [name] { return std::unique_ptr<exec::Backend>(new exec::BandBackend(name)); };
  s.variant = "band";
  return s;
}

}  // namespace

std::vector<BackendSpec> builtin_backend_specs() {
  std::vector<BackendSpec> out;
  for (const auto& n : exec::NumericProfile::builtin_names()) out.push_back(backend_spec(n));
  for (const auto& n : exec::BandBackend::band_names()) out.push_back(band_spec(n));  // a factory, no editable profile
  return out;
}

BackendSpec backend_spec(const std::string& item) {
  if (exec::BandBackend::is_band_name(item)) return band_spec(item);
  BackendSpec s;
  s.profile = item.rfind("profile:", 0) == 0 ? exec::NumericProfile::from_json_file(item.substr(8)) : exec::NumericProfile::builtin(item);
  s.name = s.profile->name;
  return s;
}

std::vector<BackendSpec> recording_backend_specs(std::shared_ptr<const recording::Recording> rec) {
  std::vector<BackendSpec> out;
  for (const auto& p : rec->predictions) {
    BackendSpec s;
    s.name = "recorded:" + p.compute_units;
    s.kind = exec::BackendKind::Recorded;
    s.recording = rec;
    s.compute_units = p.compute_units;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<BackendSpec> parse_backend_list(const std::string& list, const ir::Model& model, const std::string& model_path,
                                            std::vector<std::string>* notes) {
  std::vector<BackendSpec> out;
  for (const std::string& item : split_trimmed(list, ',')) {
    if (item.rfind("recording:", 0) == 0) {
      auto rec = std::make_shared<const recording::Recording>(recording::load_recording_file(item.substr(10)));
      // Replaying another model's predictions would be a lie.
      const std::string note = recording::check_recording_belongs(*rec, model, model_path);
      if (!note.empty() && notes) notes->push_back(rec->path + ": " + note);
      for (auto& s : recording_backend_specs(rec)) out.push_back(std::move(s));
    } else {
      out.push_back(backend_spec(item));
    }
  }
  return out;
}

BackendSpec what_if_backend_spec(std::shared_ptr<const ir::Model> model, const std::string& spec_text,
                                 const exec::NumericProfile& base, const std::string& base_name, const std::string& function) {
  const WhatIfSpec spec = WhatIfSpec::parse(spec_text);
  WhatIfOptions opts;
  opts.base = base;
  opts.function = function;
  BackendSpec s;
  s.name = "what-if";
  s.kind = exec::BackendKind::Emulated;
  s.profile = opts.base;
  s.profile->description = "what-if " + spec.text() + " on profile " + base_name;
  // The base profile's rules are part of the cache key too (edits to a user profile).
  BackendSpec base_spec;
  base_spec.name = base_name;
  base_spec.profile = opts.base;
  s.variant = spec.text() + "@" + base_spec.fingerprint();
  // Calibration (activations) runs the base program K times: once, on the thread that makes the
  // first instance, shared by every later one (sweep workers, divergence).
  struct Shared {
    std::once_flag once;
    std::function<std::unique_ptr<exec::Backend>()> factory;
  };
  auto shared = std::make_shared<Shared>();
  s.make = [shared, model, spec, opts]() {
    std::call_once(shared->once, [&] { shared->factory = what_if_backend_factory(*model, spec, opts); });
    return shared->factory();
  };
  return s;
}

std::unique_ptr<exec::Backend> make_backend(const BackendSpec& spec) {
  if (spec.make) return spec.make();
  if (spec.kind == exec::BackendKind::Recorded) {
    if (!spec.recording) throw Error(Location{}, "backend " + spec.name + " has no recording");
    return std::make_unique<RecordedBackend>(spec.recording, spec.compute_units);
  }
  if (!spec.profile) throw Error(Location{}, "backend " + spec.name + " has no numeric profile");
  exec::NumericProfile p = *spec.profile;
  p.name = spec.name;
  return std::make_unique<exec::Interpreter>(std::move(p));
}

}  // namespace mlscope::compare
