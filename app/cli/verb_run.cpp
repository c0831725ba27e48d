// mlscope-cli run: executes a model with the emulating interpreter under a numeric profile.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "app/cli/flags.h"
#include "app/cli/verb.h"
#include "core/compare/hazards_report.h"
#include "core/compare/nonfinite.h"
#include "core/exec/band_runner.h"
#include "core/io/input_files.h"
#include "core/io/input_shapes.h"
#include "core/exec/interpreter.h"
#include "core/io/npy.h"
#include "core/format/open.h"
#include "core/util/error.h"

namespace mlscope::cli {

namespace {

using nlohmann::json;

constexpr uint64_t kSmallOutput = 64;  // --json prints values for outputs up to this many elements

json value_json(const exec::RunValue& v) {
  json j;
  if (const auto* t = std::get_if<exec::Tensor>(&v)) {
    j["dtype"] = std::string(ir::dtype_name(t->dtype()));
    j["shape"] = t->shape();
    if (t->size() <= kSmallOutput) {
      json vals = json::array();
      for (uint64_t i = 0; i < t->size(); ++i) {
        if (t->dtype() == ir::DType::String) vals.push_back(t->strings()[i]);
        else if (t->is_float()) {
          const float f = t->floats()[i];
          if (std::isfinite(f)) vals.push_back(f);
          else vals.push_back(std::isnan(f) ? "nan" : (f > 0 ? "inf" : "-inf"));
        } else vals.push_back(t->ints()[i]);
      }
      j["values"] = vals;
    }
  } else if (const auto* d = std::get_if<exec::Dictionary>(&v)) {
    j["dtype"] = d->string_keys ? "dict<string,double>" : "dict<int64,double>";
    j["shape"] = json::array({int64_t(d->size())});
    json vals = json::object();
    for (size_t i = 0; i < d->size(); ++i) vals[d->string_keys ? d->string_key[i] : std::to_string(d->int_key[i])] = d->value[i];
    j["values"] = vals;
  } else {
    j["dtype"] = "list";
    j["shape"] = json::array({int64_t(std::get<exec::TensorList>(v).items.size())});
  }
  return j;
}

std::string safe_file_name(const std::string& name) {
  std::string s = name;
  for (char& c : s)
    if (c == '/' || c == '\\' || c == ':' || c == '\0') c = '_';
  return s.empty() || s == "." || s == ".." ? "_" + s : s;
}

// Wall time per op of this interpreter run (host CPU time of the emulation, not a device
// measurement): the slowest ops, then the total per op type.
void print_op_time_summary(const std::vector<exec::OpTiming>& timings, std::ostream& out) {
  double total = 0;
  std::map<std::string, std::pair<double, int>> by_type;
  for (const auto& t : timings) {
    total += t.seconds;
    auto& e = by_type[t.op_type];
    e.first += t.seconds;
    e.second += 1;
  }
  out << "interpreter time per op (host wall clock of this emulated run, not a device measurement): " << std::fixed
      << std::setprecision(1) << total * 1e3 << " ms in " << timings.size() << " ops\n";
  std::vector<std::pair<std::string, std::pair<double, int>>> types(by_type.begin(), by_type.end());
  std::sort(types.begin(), types.end(), [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
  for (const auto& [type, e] : types)
    out << "  " << std::setw(9) << e.first * 1e3 << " ms " << std::setw(5) << (total > 0 ? 100 * e.first / total : 0) << "%  "
        << type << " x" << e.second << "\n";
  std::vector<const exec::OpTiming*> slow;
  for (const auto& t : timings) slow.push_back(&t);
  std::sort(slow.begin(), slow.end(), [](const auto* a, const auto* b) { return a->seconds > b->seconds; });
  out << "slowest ops:\n";
  for (size_t i = 0; i < std::min<size_t>(10, slow.size()); ++i)
    out << "  " << std::setw(9) << slow[i]->seconds * 1e3 << " ms  " << slow[i]->op_type << "  " << slow[i]->op_name << "\n";
}

json op_timings_json(const std::vector<exec::OpTiming>& timings) {
  json j = json::array();
  for (const auto& t : timings) j.push_back({{"op", t.op_name}, {"type", t.op_type}, {"seconds", t.seconds}});
  return j;
}

// A band's per-member values of one output: min and max per element over the members whose
// value there is finite (NaN/inf are counted, never folded into the range), and every member's
// values — for outputs small enough to print values at all.
json band_json(const std::string& output, const exec::RunResult& r) {
  std::vector<const exec::Tensor*> ts;
  for (const auto& m : r.band_members) {
    auto it = m.outputs.find(output);
    const auto* t = it == m.outputs.end() ? nullptr : std::get_if<exec::Tensor>(&it->second);
    if (t && t->is_float()) ts.push_back(t);
  }
  json j = {{"members", r.band_members.size()}};
  if (ts.size() != r.band_members.size() || ts.empty() || ts[0]->size() > kSmallOutput) return j;
  json lo = json::array(), hi = json::array(), by_member = json::object();
  uint64_t non_finite = 0;
  for (uint64_t e = 0; e < ts[0]->size(); ++e) {
    float a = INFINITY, b = -INFINITY;
    for (const auto* t : ts) {
      if (t->size() != ts[0]->size()) return j;
      const float v = t->floats()[e];
      if (!std::isfinite(v)) {
        ++non_finite;
        continue;
      }
      a = std::min(a, v);
      b = std::max(b, v);
    }
    lo.push_back(a <= b ? json(a) : json(nullptr));
    hi.push_back(a <= b ? json(b) : json(nullptr));
  }
  for (const auto& m : r.band_members) by_member[m.name] = value_json(m.outputs.at(output)).value("values", json::array());
  j["min"] = lo;
  j["max"] = hi;
  j["non_finite_values"] = non_finite;
  j["by_member"] = by_member;
  return j;
}

int run_verb(const std::vector<std::string>& argv) {
  const std::vector<std::string> value_flags = {"function", "profile", "profile-file", "input", "output-dir", "shape"};
  reject_unknown_flags(argv, {"function", "profile", "profile-file", "input", "output-dir", "shape", "json", "keep-intermediates",
                              "list-unsupported", "reject-nonfinite", "time-ops"});
  Args args(argv, value_flags);
  if (args.positional().size() != 1) throw UsageError{"run needs exactly one MODEL"};
  const std::string path = args.positional()[0];
  ir::Model model = format::open(path);

  if (args.has("list-unsupported")) {
    auto missing = exec::list_unsupported(model);
    if (args.has("json")) {
      json j = json::array();
      for (const auto& u : missing) j.push_back({{"function", u.function}, {"op_type", u.op_type}, {"op", u.op_name}});
      std::cout << json{{"model", path}, {"unsupported", j}}.dump(2) << "\n";
    } else {
      for (const auto& u : missing) std::cout << u.function << "\t" << u.op_type << "\t" << u.op_name << "\n";
      std::cout << missing.size() << " op(s) without a kernel\n";
    }
    return missing.empty() ? 0 : 1;
  }

  if (args.has("profile") && args.has("profile-file")) throw UsageError{"give --profile or --profile-file, not both"};
  const std::string profile_name = args.get_or("profile", "fp32");
  const bool band = !args.has("profile-file") && exec::BandBackend::is_band_name(profile_name);
  exec::NumericProfile profile = args.has("profile-file") ? exec::NumericProfile::from_json_file(*args.get("profile-file"))
                                 : band                   ? exec::NumericProfile{}
                                                          : exec::NumericProfile::builtin(profile_name);
  if (band) profile.name = profile_name;
  exec::RunOptions opts;
  opts.function = args.get_or("function", "");
  opts.keep_intermediates = args.has("keep-intermediates");
  opts.time_ops = args.has("time-ops");
  if (args.has("reject-nonfinite")) opts.non_finite_inputs = exec::NonFinitePolicy::Reject;
  const ir::Function* fn = opts.function.empty() ? model.main_function() : model.function(opts.function);
  if (!fn) throw Error(Location::in_file(path), opts.function.empty() ? "model has no program to run" : "no function '" + opts.function + "'");

  exec::RunInputs inputs;
  std::vector<std::string> notes;
  const auto shapes = io::parse_shape_specs(model, *fn, args.get_all("shape"));
  for (const auto& [name, dims] : shapes) {
    bool given = false;
    for (const auto& spec : args.get_all("input")) given = given || spec.rfind(name + "=", 0) == 0 || fn->inputs.size() == 1;
    if (!given) throw UsageError{"--shape " + name + "=... needs an --input for '" + name + "' (a file or random:SEED)"};
  }
  for (const auto& spec : args.get_all("input")) io::add_input_spec(model, *fn, spec, inputs, &notes, &shapes);
  std::unique_ptr<exec::Backend> backend;
  if (band) backend = std::make_unique<exec::BandBackend>(profile_name);
  else backend = std::make_unique<exec::Interpreter>(profile);
  exec::RunResult r = backend->run(model, inputs, opts);
  // Non-finite outputs are never silent: name them and the op they came from (a second,
  // observed run of the deterministic interpreter, only when an output is non-finite).
  const compare::NonfiniteCheck nonfinite =
      compare::check_nonfinite_outputs(r, backend.get(), model, inputs, opts);
  r.warnings.insert(r.warnings.end(), nonfinite.warnings.begin(), nonfinite.warnings.end());

  if (auto dir = args.get("output-dir")) {
    std::filesystem::create_directories(*dir);
    for (const auto& [name, v] : r.outputs)
      if (const auto* t = std::get_if<exec::Tensor>(&v)) io::write_npy((std::filesystem::path(*dir) / (safe_file_name(name) + ".npy")).string(), *t);
    for (const auto& [name, t] : r.states) io::write_npy((std::filesystem::path(*dir) / (safe_file_name(name) + ".npy")).string(), t);
    if (opts.keep_intermediates) {
      auto idir = std::filesystem::path(*dir) / "intermediates";
      std::filesystem::create_directories(idir);
      for (const auto& [name, v] : r.intermediates)
        if (const auto* t = std::get_if<exec::Tensor>(&v)) io::write_npy((idir / (safe_file_name(name) + ".npy")).string(), *t);
    }
    for (const auto& [name, v] : r.outputs)
      if (const auto* d = std::get_if<exec::Dictionary>(&v)) {
        std::ofstream out(std::filesystem::path(*dir) / (safe_file_name(name) + ".json"));
        out << value_json(*d).dump(2) << "\n";
      }
  }
  if (args.has("json")) {
    json outs = json::object(), states = json::object();
    for (const auto& [name, v] : r.outputs) {
      outs[name] = value_json(v);
      if (band) outs[name]["band"] = band_json(name, r);
    }
    for (const auto& [name, t] : r.states) states[name] = value_json(t);
    json j = {{"model", path}, {"function", fn->name}, {"profile", profile.name}, {"provenance", r.provenance},
              {"outputs", outs}, {"states", states}, {"warnings", r.warnings}, {"notes", notes},
              {"nonfinite_origin", compare::nonfinite_origin_json(nonfinite.origin)}};
    if (band) {
      json names = json::array();
      for (const auto& m : r.band_members) names.push_back(m.name);
      j["band"] = {{"members", names}, {"partings", compare::band_partings_json(r.band_partings)}};
    }
    if (opts.time_ops) j["op_timings"] = op_timings_json(r.op_timings);
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << r.provenance << "\n";
    for (const auto& n : notes) std::cout << "note: " << n << "\n";
    for (const auto& w : r.warnings) std::cout << "warning: " << w << "\n";
    for (const auto& [name, v] : r.outputs) {
      json j = value_json(v);
      std::cout << name << ": " << exec::describe(v);
      if (j.contains("values")) std::cout << " = " << j["values"].dump();
      std::cout << "\n";
      if (band) {
        const json b = band_json(name, r);
        if (b.contains("min"))
          std::cout << "  band of " << r.band_members.size() << " members: min " << b["min"].dump() << ", max " << b["max"].dump()
                    << (b["non_finite_values"].get<uint64_t>() ? ", " + b["non_finite_values"].dump() + " non-finite member values" : "")
                    << "\n";
      }
    }
    for (const auto& p : r.band_partings)
      std::cout << "band parts at " << p.op_type << " " << p.op_name << ": " << p.groups.size() << " groups, max |diff| " << p.max_abs_diff
                << " (" << p.spread * 100 << "% of max |value| " << p.max_abs << ")\n";
    for (const auto& [name, t] : r.states) std::cout << "state " << name << ": " << exec::describe(t) << "\n";
    if (opts.time_ops) print_op_time_summary(r.op_timings, std::cout);
  }
  // --reject-nonfinite: non-finite inputs are bad input (exit 2, before running); non-finite
  // outputs are a failed gate (exit 1, after the results are printed).
  if (args.has("reject-nonfinite") && nonfinite.any()) {
    std::cerr << "mlscope-cli run: " << nonfinite.warnings.front() << " (--reject-nonfinite)\n";
    return 1;
  }
  return 0;
}

}  // namespace

MLSCOPE_CLI_VERB("run",
                 "run MODEL [--function F] [--profile fp32|fp16|gpu|gpu-lowacc|ane|ane-w8a8|ane:<variant>|ane-band|ane-w8a8-band | --profile-file P.json] "
                 "[--input name=file.npy|file.npz|image.png|random:SEED]... [--shape name=1x3x224x224]... [--output-dir D] [--json] [--keep-intermediates] "
                 "[--list-unsupported] [--reject-nonfinite] [--time-ops]",
                 "execute a model with the emulating interpreter under a numeric profile", run_verb);

}  // namespace mlscope::cli
