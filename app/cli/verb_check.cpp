// mlscope-cli check MODEL [--recording FILE] [--max-shard-mb N] [--require-ne all|compute] [--json]
// A CI gate: exit 1 when ops fall off the Neural Engine or a weight-size limit is crossed.
#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/cli/placement_args.h"
#include "core/format/open.h"

namespace mlscope::cli {
namespace {

/// Ops whose cost dominates a model; `--require-ne compute` only insists on these.
bool is_compute_op(std::string_view type) {
  static const std::vector<std::string_view> kinds = {
      "conv", "conv_transpose", "linear", "matmul", "einsum", "scaled_dot_product_attention",
      "nn.convolution", "nn.innerProduct", "nn.batchedMatmul"};
  return std::find(kinds.begin(), kinds.end(), type) != kinds.end();
}

int run_check(const std::vector<std::string>& argv) {
  Args args(argv, placement_value_flags());
  if (args.positional().size() != 1) throw UsageError{"check needs exactly one MODEL"};
  const std::string path = args.positional()[0];
  const std::string require = args.get_or("require-ne", "none");
  if (require != "none" && require != "all" && require != "compute")
    throw UsageError{"--require-ne expects all or compute, got '" + require + "'"};
  const auto t = thresholds_from_args(args);
  const ir::Model model = format::open(path);
  const auto placement = placement_for(args, model, path, t);

  nlohmann::json offenders = nlohmann::json::array();
  std::string text;
  if (require != "none") {
    for (const auto& op : placement.ops) {
      if (!op.preferred) continue;  // constants have no device in any plan
      std::string type(analysis::bare_op_type(op.type));
      if (require == "compute" && !is_compute_op(type)) continue;
      if (op.preferred == analysis::Device::NeuralEngine) continue;
      offenders.push_back({{"function", op.function}, {"index", op.index}, {"name", op.name}, {"type", op.type},
                           {"preferred", analysis::device_name(*op.preferred)}, {"rule", op.rule}, {"reason", op.reason}});
      text += "  " + op.function + "[" + std::to_string(op.index) + "] " + op.type + " '" + op.name + "' -> " +
              std::string(analysis::device_name(*op.preferred)) + ": " + op.reason + "\n";
    }
  }
  nlohmann::json limits = nlohmann::json::array();
  std::string limit_text, warn_text;
  const bool shard_gate = args.has("max-shard-mb");
  for (const auto& f : placement.findings) {
    // The shard-size finding is a warning unless the user set --max-shard-mb as a gate.
    const bool fails = f.severity != "warning" || shard_gate;
    (fails ? limit_text : warn_text) += "  " + f.message + "\n";
    if (fails) limits.push_back({{"rule", f.rule}, {"severity", f.severity}, {"message", f.message}});
  }
  const bool failed = !offenders.empty() || !limits.empty();
  if (args.has("json")) {
    nlohmann::json j = {{"source", analysis::source_name(placement.source)}, {"require_ne", require},
                        {"passed", !failed}, {"offending_ops", offenders}, {"limits", limits},
                        {"weight_bytes", placement.weight_bytes}};
    std::printf("%s\n", j.dump(1).c_str());
  } else {
    std::printf("check %s (placement %s, --require-ne %s): %s\n", path.c_str(),
                std::string(analysis::source_name(placement.source)).c_str(), require.c_str(), failed ? "FAILED" : "passed");
    if (!offenders.empty())
      std::printf("%zu op(s) not on the Neural Engine:\n%s", offenders.size(), text.c_str());
    if (!limit_text.empty()) std::printf("weight-size limits crossed:\n%s", limit_text.c_str());
    if (!warn_text.empty()) std::printf("warnings:\n%s", warn_text.c_str());
  }
  return failed ? 1 : 0;
}

}  // namespace

MLSCOPE_CLI_VERB("check", "check MODEL [--recording FILE] [--max-shard-mb N] [--require-ne all|compute] [--json]",
                 "CI gate: exit 1 when ops fall off the Neural Engine or a size limit is crossed", run_check);

}  // namespace mlscope::cli
