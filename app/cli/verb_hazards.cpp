// mlscope-cli hazards: fp16 overflow / underflow / non-finite / quantize saturation per op output,
// from an fp32 run and a run under the profile (core/compare/hazards.h). Emulated numbers.
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/flags.h"
#include "app/cli/verb.h"
#include "core/compare/hazards.h"
#include "core/compare/hazards_report.h"
#include "core/exec/band_runner.h"
#include "core/io/input_files.h"
#include "core/format/open.h"
#include "core/util/error.h"

namespace mlscope::cli {

namespace {

int hazards_verb(const std::vector<std::string>& argv) {
  const std::vector<std::string> value_flags = {"function", "profile", "profile-file", "input"};
  reject_unknown_flags(argv, {"function", "profile", "profile-file", "input", "json", "fail-on-hazard", "no-band"});
  Args args(argv, value_flags);
  if (args.positional().size() != 1) throw UsageError{"hazards needs exactly one MODEL"};
  const std::string path = args.positional()[0];
  if (args.has("profile") && args.has("profile-file")) throw UsageError{"give --profile or --profile-file, not both"};
  const exec::NumericProfile profile = args.has("profile-file") ? exec::NumericProfile::from_json_file(*args.get("profile-file"))
                                                                : exec::NumericProfile::builtin(args.get_or("profile", "gpu"));
  ir::Model model = format::open(path);
  const std::string function = args.get_or("function", "");
  const ir::Function* fn = function.empty() ? model.main_function() : model.function(function);
  if (!fn) throw Error(Location::in_file(path), function.empty() ? "model has no program to run" : "no function '" + function + "'");

  exec::RunInputs inputs;
  std::string input_label;
  const auto specs = args.get_all("input");
  if (specs.empty()) {
    for (ir::ValueId id : fn->inputs) io::add_input_spec(model, *fn, fn->value(id).name + "=random:0", inputs);
    input_label = "random:0";
  }
  for (const auto& spec : specs) {
    if (spec.rfind("random:", 0) == 0 && fn->inputs.size() != 1) {  // a bare random:SEED seeds every input
      for (ir::ValueId id : fn->inputs) io::add_input_spec(model, *fn, fn->value(id).name + "=" + spec, inputs);
    } else {
      io::add_input_spec(model, *fn, spec, inputs);
    }
    input_label += (input_label.empty() ? "" : ", ") + spec;
  }

  compare::HazardRunOptions opts;
  opts.function = function;
  // Under an emulated Neural Engine profile the band runs too: where its accumulation schemes
  // first part is where the emulation stops being one number.
  if (!args.has("no-band")) opts.band = exec::BandBackend::band_of_profile(profile.name);
  compare::HazardReport report = compare::find_hazards(model, inputs, profile, opts);
  if (args.has("json")) {
    nlohmann::json j = compare::hazards_json(report);
    j["model"] = path;
    j["input"] = input_label;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "input: " << input_label << "\n" << compare::hazards_text(report);
  }
  return args.has("fail-on-hazard") && report.fails_gate() ? 1 : 0;
}

}  // namespace

MLSCOPE_CLI_VERB("hazards",
                 "hazards MODEL [--profile P (default gpu) | --profile-file P.json] [--function F] "
                 "[--input name=file.npy|file.npz|image.png|random:SEED]... [--json] [--fail-on-hazard] [--no-band]",
                 "fp16 overflow, underflow, non-finite values and quantize saturation per op (emulated)", hazards_verb);

}  // namespace mlscope::cli
