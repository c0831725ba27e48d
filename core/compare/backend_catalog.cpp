#include "core/compare/backend_catalog.h"

#include "core/compare/recorded_backend.h"
#include "core/exec/band_runner.h"
#include "core/exec/interpreter.h"
#include "core/recording/model_identity.h"
#include "core/util/error.h"

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

std::vector<BackendSpec> builtin_backend_specs() {
  std::vector<BackendSpec> out;
  for (const auto& n : exec::NumericProfile::builtin_names()) {
    BackendSpec s;
    s.name = n;
    s.profile = exec::NumericProfile::builtin(n);
    out.push_back(std::move(s));
  }
  for (const auto& n : exec::BandBackend::band_names()) {  // bands: a factory, no editable profile
    BackendSpec s;
    s.name = n;
    s.make = [n] { return std::unique_ptr<exec::Backend>(new exec::BandBackend(n)); };
    s.variant = "band";
    out.push_back(std::move(s));
  }
  return out;
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

void check_recording_matches(const recording::Recording& rec, const std::string& model_path, const ir::Model& model) {
  // Replaying another model's predictions would be a lie: the recording must name this file.
  if (rec.model.sha256.empty()) return;
  const recording::ModelIdentity id = recording::identify_model(model_path, model);
  if (rec.model.sha256 != id.sha256)
    throw Error(Location::in_file(rec.path), "recording was made from another model: its " + rec.model.hashed_file + " has SHA-256 " +
                                                 rec.model.sha256 + ", " + model_path + " has " + id.sha256);
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
