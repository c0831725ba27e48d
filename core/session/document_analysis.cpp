// Quantization lineage and cost for an opened model, run on the Document's task thread.
// Everything is computed by core/analysis; this file only indexes the reports per op.
#include <algorithm>
#include <exception>
#include <string_view>
#include <unordered_map>

#include "core/util/error.h"
#include "core/session/document.h"

namespace mlscope::session {

void analyze_snapshot(ModelSnapshot& s) {
  const auto& fns = s.model->functions;
  s.analysis.assign(fns.size(), {});
  try {
    // No validation decode here: the inspector decodes what the user looks at.
    analysis::QuantReport q;
    for (const auto& f : fns) analysis::analyze_function_quantization(f, q, {.validate_by_decoding = false});
    analysis::finish_verdict(q);
    s.quant = std::move(q);
    analysis::CostReport c;
    c.chip = analysis::default_chip();
    for (const auto& f : fns) analysis::analyze_function_cost(f, c);
    s.cost = std::move(c);
  } catch (const Error& e) {
    s.analysis_error = e.where().str() + ": " + e.message();
  } catch (const std::exception& e) {
    s.analysis_error = e.what();
  }
  for (size_t fi = 0; fi < fns.size(); ++fi) {
    const ir::Function& f = fns[fi];
    FunctionAnalysis& a = s.analysis[fi];
    if (s.quant) {
      a.lineage = analysis::op_lineage_kinds(f, *s.quant);
      a.lineage_records = analysis::op_lineage_records(f, *s.quant);
    }
    if (!s.cost) continue;
    a.cost.assign(f.ops.size(), -1);
    std::unordered_map<std::string_view, ir::OpId> by_name;
    by_name.reserve(f.ops.size());
    for (size_t o = 0; o < f.ops.size(); ++o) by_name.emplace(f.ops[o].name, static_cast<ir::OpId>(o));
    for (size_t i = 0; i < s.cost->ops.size(); ++i) {
      const analysis::OpCost& c = s.cost->ops[i];
      if (c.function != f.name) continue;
      auto it = by_name.find(c.name);
      if (it == by_name.end()) continue;
      a.cost[static_cast<size_t>(it->second)] = static_cast<int32_t>(i);
      if (!c.known) { ++a.unknown_cost_ops; continue; }
      a.total_macs += c.macs;
      a.max_macs = std::max(a.max_macs, c.macs);
    }
  }
}

}  // namespace mlscope::session
