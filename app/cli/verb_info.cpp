// `mlscope-cli info MODEL [--json]`: what a model file is — interface, functions, op types,
// weights, metadata. The JSON keys are documented in docs/cli-json.md.
#include <cstdio>

#include "app/cli/flags.h"
#include "app/cli/verb.h"
#include "core/format/open.h"
#include "core/report/model_report.h"
#include "core/report/model_text.h"

namespace mlscope::cli {
namespace {

int run_info(const std::vector<std::string>& argv) {
  reject_unknown_flags(argv, {"json"});
  Args args(argv, {});
  if (args.positional().size() != 1) throw UsageError{"expected exactly one MODEL path"};
  ir::Model model = format::open(args.positional()[0]);
  std::string out = args.has("json") ? report::info_json(model).dump(2) + "\n" : report::info_text(model);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

MLSCOPE_CLI_VERB("info", "info MODEL [--json]", "model overview: I/O, functions, op types, weights, metadata",
                 run_info);

}  // namespace mlscope::cli
