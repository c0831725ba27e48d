// HazardsSession: the fp16 hazards analysis of the open model's current function (an fp32 run,
// a run under the profile and, for ane profiles, the Neural Engine band; core/compare/hazards),
// run as a Task and published indexed per op for the views to draw.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/compare/hazards.h"
#include "core/session/document.h"
#include "core/session/task.h"

namespace mlscope::session {

/// One finished analysis, indexed for drawing (built on the task's thread, published on the owner's).
struct HazardsResult {
  compare::HazardReport report;
  int32_t function = -1;                   ///< index in the model's functions
  std::vector<int8_t> worst;               ///< per OpId: worst severity, -1 = none
  std::vector<std::vector<size_t>> by_op;  ///< per OpId: indices into report.hazards
  std::vector<ir::OpId> hazard_op;         ///< per hazard: its op (kNone if not found)
  ir::OpId origin = ir::kNone;             ///< the non-finite origin op
  std::string input_label;
  double seconds = 0;
  uint64_t serial = 0;
};
/// Indexes `report` against `fn` (hazards name ops by debug name).
HazardsResult index_hazards(compare::HazardReport report, const ir::Function& fn, int32_t function);

class HazardsSession {
 public:
  /// Call once per frame: drops the result of a model that is no longer open, publishes a
  /// finished analysis.
  void poll(const Document& doc);
  /// Starts the analysis of the current function under built-in `profile` (input: `input` spec,
  /// "" = random:0). False (with `error`) when no model is open, the profile is unknown or a job runs.
  bool start(const Document& doc, const std::string& profile, const std::string& input, std::string& error);
  void stop() { task_.cancel(); }
  const Task& task() const { return task_; }
  const std::shared_ptr<const HazardsResult>& result() const { return result_; }
  /// The last failure ("" when the last analysis succeeded or was stopped).
  const std::string& error() const { return task_.last_error(); }

 private:
  void follow_model(const Document& doc);

  Task task_;
  std::shared_ptr<const ir::Model> model_;
  std::shared_ptr<const HazardsResult> result_;
  uint64_t serial_ = 0;
};

}  // namespace mlscope::session
