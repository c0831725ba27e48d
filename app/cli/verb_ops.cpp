// `mlscope-cli ops MODEL [--json] [--function F]`: every op in program order with its inputs,
// output types and constants. The JSON keys are documented in docs/cli-json.md.
#include <cstdio>

#include "app/cli/flags.h"
#include "app/cli/verb.h"
#include "core/format/open.h"
#include "core/report/model_report.h"
#include "core/report/model_text.h"

namespace mlscope::cli {
namespace {

int run_ops(const std::vector<std::string>& argv) {
  reject_unknown_flags(argv, {"json", "function"});
  Args args(argv, {"function"});
  if (args.positional().size() != 1) throw UsageError{"expected exactly one MODEL path"};
  const std::string function = args.get_or("function", "");
  if (args.has("function") && function.empty()) throw UsageError{"--function needs a function name"};
  ir::Model model = format::open(args.positional()[0]);
  std::string out = args.has("json") ? report::ops_json(model, function).dump(2) + "\n"
                                     : report::ops_text(model, function);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

MLSCOPE_CLI_VERB("ops", "ops MODEL [--json] [--function F]", "every op in program order with types and constants",
                 run_ops);

}  // namespace mlscope::cli
