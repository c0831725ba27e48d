#include "core/compare/drift.h"

#include <algorithm>

#include "core/compare/compare_runs.h"
#include "core/util/error.h"

namespace mlscope::compare {

DriftStats drift_from_runs(const std::string& backend, const std::vector<std::map<std::string, exec::RunValue>>& runs) {
  DriftStats d;
  d.backend = backend;
  d.repeats = runs.empty() ? 0 : static_cast<int64_t>(runs.size()) - 1;
  d.source = "measured here: " + std::to_string(runs.size()) + " runs";
  if (runs.empty()) return d;
  std::map<std::string, OutputSummary> first;
  for (const auto& [n, v] : runs[0]) first[n] = summarize_output(v, 1);
  for (size_t r = 1; r < runs.size(); ++r) {
    bool same = runs[r].size() == runs[0].size();
    for (const auto& [n, v] : runs[r]) {
      auto f = first.find(n);
      if (f == first.end()) {
        same = false;
        continue;
      }
      OutputDelta od = compare_output(f->second, summarize_output(v, 1));
      if (!od.compared || !od.diff.equal) same = false;
      if (od.compared) d.worst_abs_diff = std::max(d.worst_abs_diff, od.diff.max_abs_diff);
      if ((od.classification || od.positions) && !od.argmax_equal) d.argmax_drift = true;
    }
    if (!same) {
      d.bit_stable = false;
      if (d.first_drifting_run < 0) d.first_drifting_run = static_cast<int64_t>(r);
    }
  }
  return d;
}

DriftStats measure_drift(exec::Backend& backend, const ir::Model& model, const exec::RunInputs& inputs,
                         const exec::RunOptions& options, int runs) {
  if (runs < 2) throw Error(Location{}, "drift needs at least 2 runs (got " + std::to_string(runs) + ")");
  // Keep only the first run's outputs and the current one: memory stays at two outputs sets.
  std::vector<std::map<std::string, exec::RunValue>> pair;
  DriftStats total;
  total.backend = backend.name();
  total.repeats = runs - 1;
  total.source = "measured here: " + std::to_string(runs) + " runs";
  pair.push_back(backend.run(model, inputs, options).outputs);
  for (int r = 1; r < runs; ++r) {
    pair.resize(1);
    pair.push_back(backend.run(model, inputs, options).outputs);
    DriftStats one = drift_from_runs(total.backend, pair);
    total.worst_abs_diff = std::max(total.worst_abs_diff, one.worst_abs_diff);
    total.argmax_drift = total.argmax_drift || one.argmax_drift;
    if (!one.bit_stable && total.bit_stable) {
      total.bit_stable = false;
      total.first_drifting_run = r;
    }
  }
  return total;
}

}  // namespace mlscope::compare
