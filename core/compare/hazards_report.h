// hazards as JSON (the documented contract of `mlscope-cli hazards --json`, docs/cli-json.md)
// and as a readable table.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/compare/hazards.h"

namespace mlscope::compare {

nlohmann::json nonfinite_origin_json(const std::optional<NonfiniteOrigin>& o);  ///< null when none
nlohmann::json hazards_json(const HazardReport& report);
/// exec::BandParting list as JSON ([{op, type, groups, max_abs_diff, max_abs, spread, non_finite}]).
nlohmann::json band_partings_json(const std::vector<exec::BandParting>& partings);
std::string hazards_text(const HazardReport& report);

}  // namespace mlscope::compare
