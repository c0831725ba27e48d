// `mlscope-cli quant MODEL [--json]`: is the model quantized, and how — verdict, counts and the
// per-tensor lineage table (core/analysis/lineage.h).
#include <cstdio>

#include "app/cli/verb.h"
#include "core/analysis/analysis_json.h"
#include "core/format/open.h"

namespace mlscope::cli {
namespace {

int run_quant(const std::vector<std::string>& argv) {
  for (const auto& a : argv)
    if (a.rfind("--", 0) == 0 && a != "--json") throw UsageError{"unknown flag " + a};
  Args args(argv, {});
  if (args.positional().size() != 1) throw UsageError{"expected exactly one MODEL path"};
  ir::Model model = format::open(args.positional()[0]);
  analysis::QuantReport r = analysis::analyze_quantization(model);
  std::string out = args.has("json") ? analysis::quant_json(r).dump(2) + "\n" : analysis::quant_text(r);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

MLSCOPE_CLI_VERB("quant", "quant MODEL [--json]",
                 "quantization lineage: verdict (none/weight-only/W8A8/mixed), counts, per-tensor schemes", run_quant);

}  // namespace mlscope::cli
