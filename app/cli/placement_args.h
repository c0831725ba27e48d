// Shared by `plan` and `check`: thresholds from flags, and the placement to show (recorded if
// --recording is given, else estimated).
#pragma once

#include <string>

#include "app/cli/verb.h"
#include "core/analysis/placement.h"
#include "core/analysis/placement_rules.h"
#include "core/ir/model.h"

namespace mlscope::cli {

/// Flags taking a value that plan/check understand.
std::vector<std::string> placement_value_flags();
/// Thresholds from --threshold NAME=VALUE (repeatable) and --max-shard-mb N.
analysis::PlacementThresholds thresholds_from_args(const Args& args);
/// Recorded placement when --recording FILE is given, else the estimate.
analysis::Placement placement_for(const Args& args, const ir::Model& model, const std::string& model_path,
                                  const analysis::PlacementThresholds& t);

}  // namespace mlscope::cli
