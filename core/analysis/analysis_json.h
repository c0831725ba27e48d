// JSON and text renderings of the quantization and cost reports (used by the CLI verbs `quant`
// and `cost`; the key names are the contract documented in docs/analysis.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/analysis/cost.h"
#include "core/analysis/lineage.h"

namespace mlscope::analysis {

nlohmann::json quant_json(const QuantReport& r);
std::string quant_text(const QuantReport& r);
/// `top` = how many ops to list under "top_ops".
nlohmann::json cost_json(const CostReport& r, size_t top = 10);
std::string cost_text(const CostReport& r, size_t top = 10);

}  // namespace mlscope::analysis
