#include "core/recording/recording_json.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/util/error.h"

namespace mlscope::recording {

using analysis::Device;
using analysis::DeviceSet;
using nlohmann::json;

const std::vector<std::string>& compute_unit_names() {
  static const std::vector<std::string> names = {"cpu_only", "cpu_and_gpu", "cpu_and_ne", "all"};
  return names;
}

namespace {

constexpr const char* kFormatName = "mlscope-recording";
constexpr uint64_t kMaxRecordingBytes = 256ull << 20;  // inline values of big tensors belong in .npy files

/// Typed access to a JSON tree that reports the JSON pointer of whatever is wrong.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& pointer, const std::string& msg) const {
    throw Error(Location::at_op(file_, pointer.empty() ? "/" : pointer), msg);
  }
  const json& member(const json& obj, const std::string& ptr, const char* key) const {
    if (!obj.is_object()) fail(ptr, "expected an object");
    auto it = obj.find(key);
    if (it == obj.end()) fail(ptr, std::string("missing key \"") + key + "\"");
    return *it;
  }
  const json* optional(const json& obj, const char* key) const {
    auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? nullptr : &*it;
  }
  std::string str(const json& obj, const std::string& ptr, const char* key) const {
    const json& v = member(obj, ptr, key);
    if (!v.is_string()) fail(ptr + "/" + key, "expected a string");
    return v.get<std::string>();
  }
  std::string str_or(const json& obj, const std::string& ptr, const char* key) const {
    const json* v = optional(obj, key);
    if (!v) return {};
    if (!v->is_string()) fail(ptr + "/" + key, "expected a string");
    return v->get<std::string>();
  }
  int64_t integer(const json& obj, const std::string& ptr, const char* key) const {
    const json& v = member(obj, ptr, key);
    if (!v.is_number_integer()) fail(ptr + "/" + key, "expected an integer");
    return v.get<int64_t>();
  }
  double number(const json& obj, const std::string& ptr, const char* key) const {
    const json& v = member(obj, ptr, key);
    if (!v.is_number()) fail(ptr + "/" + key, "expected a number");
    return v.get<double>();
  }
  bool boolean(const json& obj, const std::string& ptr, const char* key) const {
    const json& v = member(obj, ptr, key);
    if (!v.is_boolean()) fail(ptr + "/" + key, "expected true or false");
    return v.get<bool>();
  }
  const json& array(const json& obj, const std::string& ptr, const char* key) const {
    const json& v = member(obj, ptr, key);
    if (!v.is_array()) fail(ptr + "/" + key, "expected an array");
    return v;
  }
  Device device(const json& v, const std::string& ptr) const {
    if (!v.is_string()) fail(ptr, "expected a device name (cpu, gpu, neural_engine)");
    auto d = analysis::device_from_name(v.get<std::string>());
    if (!d) fail(ptr, "unknown device \"" + v.get<std::string>() + "\" (known: cpu, gpu, neural_engine)");
    return *d;
  }
  std::string compute_units(const json& obj, const std::string& ptr) const {
    std::string cu = str(obj, ptr, "compute_units");
    for (const auto& n : compute_unit_names())
      if (n == cu) return cu;
    fail(ptr + "/compute_units", "unknown compute units \"" + cu + "\" (known: cpu_only, cpu_and_gpu, cpu_and_ne, all)");
  }

 private:
  std::string file_;
};

std::string pos(size_t i) { return "/" + std::to_string(i); }

RecordedOp read_op(const Reader& r, const json& j, const std::string& p) {
  RecordedOp op;
  op.function = r.str(j, p, "function");
  op.index = r.integer(j, p, "index");
  if (op.index < 0) r.fail(p + "/index", "op index must be >= 0");
  op.type = r.str(j, p, "type");
  op.name = r.str_or(j, p, "name");
  const json& pref = r.member(j, p, "preferred");
  if (!pref.is_null()) op.preferred = r.device(pref, p + "/preferred");
  const json& sup = r.array(j, p, "supported");
  for (size_t i = 0; i < sup.size(); ++i) op.supported.add(r.device(sup[i], p + "/supported" + pos(i)));
  if (op.preferred && !op.supported.has(*op.preferred))
    r.fail(p + "/preferred", "preferred device is not in the supported list");
  if (const json* c = r.optional(j, "cost")) {
    if (!c->is_number()) r.fail(p + "/cost", "expected a number or null");
    op.cost = c->get<double>();
  }
  return op;
}

TensorRecord read_tensor(const Reader& r, const json& j, const std::string& p) {
  TensorRecord t;
  t.name = r.str(j, p, "name");
  t.dtype = r.str(j, p, "dtype");
  const json& shape = r.array(j, p, "shape");
  uint64_t count = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (!shape[i].is_number_integer() || shape[i].get<int64_t>() < 0) r.fail(p + "/shape" + pos(i), "expected a dimension >= 0");
    t.shape.push_back(shape[i].get<int64_t>());
    count *= static_cast<uint64_t>(t.shape.back());
  }
  const json* values = r.optional(j, "values");
  t.npy = r.str_or(j, p, "npy");
  if (!values && t.npy.empty()) r.fail(p, "a tensor needs \"values\" or \"npy\"");
  if (values) {
    if (!values->is_array()) r.fail(p + "/values", "expected an array of numbers (C order)");
    if (values->size() != count)
      r.fail(p + "/values", std::to_string(values->size()) + " values for shape of " + std::to_string(count) + " elements");
    for (size_t i = 0; i < values->size(); ++i) {
      if (!(*values)[i].is_number()) r.fail(p + "/values" + pos(i), "expected a number");
      t.values.push_back((*values)[i].get<double>());
    }
  }
  if (!t.npy.empty()) t.npy_sha256 = r.str(j, p, "npy_sha256");
  return t;
}

/// 1-based line and column of byte offset `byte` (nlohmann reports 1-based positions).
std::pair<int, int> line_col(std::string_view text, size_t byte) {
  int line = 1, col = 1;
  for (size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

json tensor_json(const TensorRecord& t) {
  json j = {{"name", t.name}, {"dtype", t.dtype}, {"shape", t.shape}};
  if (!t.npy.empty()) {
    j["npy"] = t.npy;
    j["npy_sha256"] = t.npy_sha256;
  } else {
    j["values"] = t.values;
  }
  return j;
}

}  // namespace

Recording parse_recording_json(std::string_view text, const std::string& file) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    auto [line, col] = line_col(text, e.byte);
    std::string what = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix.
    if (auto c = what.find(": "); c != std::string::npos) what = what.substr(c + 2);
    throw Error(Location::at_line(file, line, col), "malformed recording JSON: " + what);
  }
  Reader r(file);
  Recording rec;
  rec.path = file;
  if (r.str(root, "", "format") != kFormatName) r.fail("/format", std::string("not an mlscope recording (expected \"") + kFormatName + "\")");
  rec.format_version = static_cast<int>(r.integer(root, "", "format_version"));
  if (rec.format_version != kFormatVersion)
    r.fail("/format_version", "unsupported recording format version " + std::to_string(rec.format_version));
  rec.recorder = r.str(root, "", "recorder");
  rec.recorded_on = r.str_or(root, "", "recorded_on");
  rec.coremltools_version = r.str_or(root, "", "coremltools_version");
  rec.provenance = r.str_or(root, "", "provenance");
  const json& m = r.member(root, "", "model");
  rec.model.hashed_file = r.str(m, "/model", "hashed_file");
  rec.model.format = r.str(m, "/model", "format");
  rec.model.sha256 = r.str(m, "/model", "sha256");
  if (rec.model.sha256.size() != 64 || rec.model.sha256.find_first_not_of("0123456789abcdef") != std::string::npos)
    r.fail("/model/sha256", "expected 64 lowercase hex digits");
  rec.model.op_count = r.integer(m, "/model", "op_count");
  const json& plan = r.member(root, "", "compute_plan");
  rec.plan_compute_units = r.compute_units(plan, "/compute_plan");
  const json& ops = r.array(plan, "/compute_plan", "ops");
  rec.plan.reserve(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) rec.plan.push_back(read_op(r, ops[i], "/compute_plan/ops" + pos(i)));
  const json& preds = r.array(root, "", "predictions");
  for (size_t i = 0; i < preds.size(); ++i) {
    const std::string p = "/predictions" + pos(i);
    Prediction pr;
    pr.compute_units = r.compute_units(preds[i], p);
    const json& ins = r.array(preds[i], p, "inputs");
    for (size_t k = 0; k < ins.size(); ++k) pr.inputs.push_back(read_tensor(r, ins[k], p + "/inputs" + pos(k)));
    const json& outs = r.array(preds[i], p, "outputs");
    for (size_t k = 0; k < outs.size(); ++k) pr.outputs.push_back(read_tensor(r, outs[k], p + "/outputs" + pos(k)));
    const json& rep = r.member(preds[i], p, "repeat");
    pr.stats.runs = r.integer(rep, p + "/repeat", "runs");
    pr.stats.bit_stable = r.boolean(rep, p + "/repeat", "bit_stable");
    pr.stats.worst_abs_diff = r.number(rep, p + "/repeat", "worst_abs_diff");
    rec.predictions.push_back(std::move(pr));
  }
  return rec;
}

Recording load_recording_file(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(Location::in_file(path), "cannot read recording: " + ec.message());
  if (size > kMaxRecordingBytes)
    throw Error(Location::in_file(path), "recording is " + std::to_string(size) + " bytes; larger than the 256 MiB limit (put big tensors in .npy files)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Location::in_file(path), "cannot open recording");
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (!in) throw Error(Location::in_file(path), "cannot read recording");
  return parse_recording_json(text, path);
}

std::string write_recording_json(const Recording& r) {
  json j;
  j["format"] = kFormatName;
  j["format_version"] = r.format_version;
  j["recorder"] = r.recorder;
  j["recorded_on"] = r.recorded_on;
  j["coremltools_version"] = r.coremltools_version;
  j["provenance"] = r.provenance;
  j["model"] = {{"hashed_file", r.model.hashed_file}, {"format", r.model.format}, {"sha256", r.model.sha256},
                {"op_count", r.model.op_count}};
  json ops = json::array();
  for (const auto& op : r.plan) {
    json sup = json::array();
    for (Device d : op.supported.list()) sup.push_back(analysis::device_name(d));
    ops.push_back({{"function", op.function}, {"index", op.index}, {"type", op.type}, {"name", op.name},
                   {"preferred", op.preferred ? json(analysis::device_name(*op.preferred)) : json(nullptr)},
                   {"supported", sup}, {"cost", op.cost ? json(*op.cost) : json(nullptr)}});
  }
  j["compute_plan"] = {{"compute_units", r.plan_compute_units}, {"ops", ops}};
  json preds = json::array();
  for (const auto& p : r.predictions) {
    json ins = json::array(), outs = json::array();
    for (const auto& t : p.inputs) ins.push_back(tensor_json(t));
    for (const auto& t : p.outputs) outs.push_back(tensor_json(t));
    preds.push_back({{"compute_units", p.compute_units}, {"inputs", ins}, {"outputs", outs},
                     {"repeat", {{"runs", p.stats.runs}, {"bit_stable", p.stats.bit_stable},
                                 {"worst_abs_diff", p.stats.worst_abs_diff}}}});
  }
  j["predictions"] = preds;
  return j.dump(1) + "\n";
}

}  // namespace mlscope::recording
