#include "core/compare/recorded_backend.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "core/recording/recording_files.h"
#include "core/util/error.h"

namespace mlscope::compare {

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string where(const recording::Recording& r, const std::string& fallback) { return r.path.empty() ? fallback : r.path; }

/// A recorded tensor as a Tensor of its recorded dtype (values inline or from its .npy).
exec::Tensor to_tensor(const recording::Recording& r, const recording::TensorRecord& t) {
  std::vector<double> values = t.values;
  if (!t.npy.empty()) {
    const exec::Tensor a = recording::load_tensor_file(r, t);
    values.resize(a.size());
    for (uint64_t i = 0; i < a.size(); ++i) values[i] = a.at(i);
  }
  auto dt = ir::dtype_from_name(t.dtype);
  if (!dt || *dt == ir::DType::String)
    throw Error(Location::at_op(where(r, "recording"), t.name), "recorded tensor has unsupported dtype '" + t.dtype + "'");
  exec::Dims shape(t.shape.begin(), t.shape.end());
  if (exec::dims_count(shape) != values.size())
    throw Error(Location::at_op(where(r, "recording"), t.name),
                "recorded tensor has " + std::to_string(values.size()) + " values for shape " + exec::dims_str(shape));
  if (exec::storage_of(*dt) == exec::Storage::Float)
    return exec::Tensor::from_floats(*dt, shape, std::vector<float>(values.begin(), values.end()));
  std::vector<int64_t> iv(values.size());
  std::transform(values.begin(), values.end(), iv.begin(), [](double v) { return static_cast<int64_t>(v); });
  return exec::Tensor::from_ints(*dt, shape, std::move(iv));
}

}  // namespace

RecordedBackend::RecordedBackend(std::shared_ptr<const recording::Recording> rec, const std::string& compute_units)
    : rec_(std::move(rec)) {
  for (const auto& p : rec_->predictions)
    if (p.compute_units == compute_units) prediction_ = &p;
  if (!prediction_)
    throw Error(Location::in_file(rec_->path), "recording holds no prediction for compute units '" + compute_units + "'");
}

std::string RecordedBackend::provenance() const {
  std::string s = "recorded: ";
  if (!rec_->recorded_on.empty()) s += rec_->recorded_on + ", ";
  s += upper(prediction_->compute_units);
  if (!rec_->path.empty()) s += " (" + rec_->path + ")";
  return s;
}

exec::RunInputs RecordedBackend::recorded_inputs() const {
  exec::RunInputs in;
  for (const auto& t : prediction_->inputs) in[t.name] = to_tensor(*rec_, t);
  return in;
}

std::map<std::string, exec::RunValue> RecordedBackend::recorded_outputs() const {
  std::map<std::string, exec::RunValue> out;
  for (const auto& t : prediction_->outputs) out[t.name] = to_tensor(*rec_, t);
  return out;
}

exec::RunResult RecordedBackend::run(const ir::Model&, const exec::RunInputs& inputs, const exec::RunOptions&) {
  const exec::RunInputs recorded = recorded_inputs();
  for (const auto& [input, want] : recorded) {
    auto it = inputs.find(input);
    const Location loc = Location::at_op(rec_->path, "input '" + input + "'");
    if (it == inputs.end()) throw Error(loc, name() + ": input '" + input + "' was not given");
    const auto* got = std::get_if<exec::Tensor>(&it->second);
    const auto& w = std::get<exec::Tensor>(want);
    if (!got || got->size() != w.size())
      throw Error(loc, name() + ": input '" + input + "' has another shape than the recorded " + exec::dims_str(w.shape()) +
                           " — a recording can only replay its own input");
    for (uint64_t i = 0; i < w.size(); ++i) {
      if (got->at(i) != w.at(i)) {
        std::ostringstream m;
        m.precision(9);
        m << name() << ": input '" << input << "' differs from the recorded input at element " << i << " (given "
          << got->at(i) << ", recorded " << w.at(i) << ") — a recording can only replay its own input";
        throw Error(loc, m.str());
      }
    }
  }
  exec::RunResult r;
  r.outputs = recorded_outputs();
  r.provenance = provenance();
  return r;
}

DriftStats RecordedBackend::recorded_drift() const {
  DriftStats d;
  d.backend = name();
  d.repeats = prediction_->stats.runs;
  d.bit_stable = prediction_->stats.bit_stable;
  d.worst_abs_diff = prediction_->stats.worst_abs_diff;
  d.source = provenance();
  return d;
}

std::vector<std::unique_ptr<RecordedBackend>> recorded_backends(std::shared_ptr<const recording::Recording> rec) {
  std::vector<std::unique_ptr<RecordedBackend>> out;
  for (const auto& p : rec->predictions) out.push_back(std::make_unique<RecordedBackend>(rec, p.compute_units));
  return out;
}

}  // namespace mlscope::compare
