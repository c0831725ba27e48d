#include "app/cli/placement_args.h"

#include <charconv>

#include "core/analysis/placement_estimator.h"
#include "core/recording/recording_json.h"
#include "core/recording/recording_match.h"

namespace mlscope::cli {

std::vector<std::string> placement_value_flags() { return {"recording", "threshold", "max-shard-mb", "require-ne"}; }

analysis::PlacementThresholds thresholds_from_args(const Args& args) {
  analysis::PlacementThresholds t;
  for (const auto& kv : args.get_all("threshold")) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) throw UsageError{"--threshold expects NAME=VALUE, got '" + kv + "'"};
    t.set(std::string_view(kv).substr(0, eq), std::string_view(kv).substr(eq + 1));
  }
  if (auto mb = args.get("max-shard-mb")) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(mb->data(), mb->data() + mb->size(), v);
    if (ec != std::errc() || end != mb->data() + mb->size() || v > UINT64_MAX / 1'000'000)
      throw UsageError{"--max-shard-mb expects a whole number of megabytes, got '" + *mb + "'"};
    t.shard_warn_bytes = v * 1'000'000;
  }
  return t;
}

analysis::Placement placement_for(const Args& args, const ir::Model& model, const std::string& model_path,
                                  const analysis::PlacementThresholds& t) {
  if (auto rec = args.get("recording")) {
    auto r = recording::load_recording_file(*rec);
    auto p = recording::placement_from_recording(r, model, model_path);
    // Size findings do not depend on the plan's source: keep the estimator's.
    auto est = analysis::estimate_placement(model, t);
    p.findings = est.findings;
    p.weight_bytes = est.weight_bytes;
    return p;
  }
  return analysis::estimate_placement(model, t);
}

}  // namespace mlscope::cli
