// Placement as JSON (plan --json, the GUI) and as the probe-style text table (plan).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/analysis/placement.h"

namespace mlscope::analysis {

/// {source, ops[], counts{preferred, op_type_by_device}, findings[], notes[], weight_bytes}.
/// Keys documented in docs/recording-format.md ("plan --json").
nlohmann::json placement_json(const Placement& p);

/// Probe-style text: counts by preferred device, op type × device, findings, then one line per op.
std::string placement_text(const Placement& p, bool with_ops = true);

}  // namespace mlscope::analysis
