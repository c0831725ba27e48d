// `mlscope-cli cost MODEL [--json] [--chip NAME] [--top N]`: per-op MACs/FLOPs/bytes and a
// roofline ESTIMATE for a chip profile (core/analysis/cost.h).
#include <cstdio>

#include "app/cli/verb.h"
#include "core/analysis/analysis_json.h"
#include "core/format/open.h"

namespace mlscope::cli {
namespace {

int run_cost(const std::vector<std::string>& argv) {
  for (const auto& a : argv)
    if (a.rfind("--", 0) == 0) {
      std::string key = a.substr(2, a.find('=') == std::string::npos ? std::string::npos : a.find('=') - 2);
      if (key != "json" && key != "chip" && key != "top") throw UsageError{"unknown flag " + a};
    }
  Args args(argv, {"chip", "top"});
  if (args.positional().size() != 1) throw UsageError{"expected exactly one MODEL path"};
  const std::string chip_name = args.get_or("chip", analysis::default_chip().name);
  const analysis::ChipProfile* chip = analysis::find_chip(chip_name);
  if (!chip) {
    std::string names;
    for (const auto& p : analysis::chip_profiles()) names += (names.empty() ? "" : ", ") + p.name;
    throw UsageError{"unknown chip '" + chip_name + "' (known: " + names + ")"};
  }
  size_t top = 10;
  if (auto t = args.get("top")) {
    try {
      top = static_cast<size_t>(std::stoul(*t));
    } catch (const std::exception&) {
      throw UsageError{"--top needs a number"};
    }
  }
  ir::Model model = format::open(args.positional()[0]);
  analysis::CostReport r = analysis::analyze_cost(model, *chip);
  std::string out = args.has("json") ? analysis::cost_json(r, top).dump(2) + "\n" : analysis::cost_text(r, top);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

MLSCOPE_CLI_VERB("cost", "cost MODEL [--json] [--chip NAME] [--top N]",
                 "per-op MACs/FLOPs/bytes and roofline estimate (chips: h17, a18pro)", run_cost);

}  // namespace mlscope::cli
