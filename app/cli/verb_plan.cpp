// mlscope-cli plan MODEL [--recording FILE] [--json]: where each op runs, and why.
#include <cstdio>

#include "app/cli/placement_args.h"
#include "core/analysis/placement_report.h"
#include "core/format/open.h"

namespace mlscope::cli {
namespace {

int run_plan(const std::vector<std::string>& argv) {
  auto flags = placement_value_flags();
  Args args(argv, flags);
  for (const char* bad : {"require-ne"})
    if (args.has(bad)) throw UsageError{std::string("--") + bad + " belongs to `check`"};
  if (args.positional().size() != 1) throw UsageError{"plan needs exactly one MODEL"};
  const std::string path = args.positional()[0];
  const auto t = thresholds_from_args(args);
  const ir::Model model = format::open(path);
  const auto placement = placement_for(args, model, path, t);
  if (args.has("json")) {
    std::printf("%s\n", analysis::placement_json(placement).dump(1).c_str());
  } else {
    std::fputs(analysis::placement_text(placement, !args.has("counts-only")).c_str(), stdout);
  }
  return 0;
}

}  // namespace

MLSCOPE_CLI_VERB("plan", "plan MODEL [--recording FILE] [--json] [--counts-only] [--threshold NAME=V]",
                 "per-op device placement (estimated, or recorded on a Mac) with the reason", run_plan);

}  // namespace mlscope::cli
