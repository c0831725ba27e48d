#include "core/recording/recording_match.h"

#include <map>

#include "core/recording/model_identity.h"
#include "core/util/error.h"

namespace mlscope::recording {

using analysis::OpPlacement;
using analysis::Placement;

namespace {
[[noreturn]] void reject(const Recording& r, const std::string& pointer, const std::string& msg) {
  throw Error(Location::at_op(r.path, pointer), msg);
}
}  // namespace

std::string check_recording_belongs(const Recording& r, const ir::Model& model, const std::string& model_path) {
  const ModelIdentity id = identify_model(model_path, model);
  if (r.model.format == id.format && r.model.hashed_file == id.hashed_file) {
    if (r.model.sha256 != id.sha256)
      reject(r, "/model/sha256",
             "recording is of another model: it was recorded from a " + r.model.hashed_file + " with SHA-256 " +
                 r.model.sha256 + ", but " + model_path + " has " + id.sha256);
    return "";
  }
  const int64_t ops = plan_op_count(model);
  if (r.model.op_count != ops)
    reject(r, "/model/op_count",
           "recording is of another model: it was recorded from a program of " + std::to_string(r.model.op_count) +
               " ops, " + model_path + " has " + std::to_string(ops));
  return "model hash not comparable (recording hashed " + r.model.format + " " + r.model.hashed_file + ", model is " +
         id.format + "); matched by op count and op types only";
}

Placement placement_from_recording(const Recording& r, const ir::Model& model, const std::string& model_path) {
  Placement p;
  p.source = analysis::PlacementSource::Recorded;
  if (std::string note = check_recording_belongs(r, model, model_path); !note.empty()) p.notes.push_back(std::move(note));

  struct Fn {
    const ir::Function* fn;
    std::vector<ir::OpId> order;
    size_t offset;  ///< position of its first op in the plan
  };
  std::map<std::string, Fn> fns;
  std::string fn_names;
  size_t total = 0;
  for (const auto& [label, fn] : analysis::plan_functions(model)) {
    auto order = fn->program_order();
    const size_t n = order.size();
    fns.emplace(label, Fn{fn, std::move(order), total});
    fn_names += (fn_names.empty() ? "" : ", ") + label;
    total += n;
  }
  if (r.plan.size() != total)
    reject(r, "/compute_plan/ops",
           "op-index mismatch: the plan lists " + std::to_string(r.plan.size()) + " ops, the model has " + std::to_string(total));

  p.ops.resize(total);
  std::vector<bool> seen(total, false);
  const std::string reason = "recorded: MLComputePlan (compute units " + r.plan_compute_units + ")" +
                             (r.recorded_on.empty() ? "" : " on " + r.recorded_on) + ", from " + r.path;
  for (size_t i = 0; i < r.plan.size(); ++i) {
    const RecordedOp& ro = r.plan[i];
    const std::string ptr = "/compute_plan/ops/" + std::to_string(i);
    auto it = fns.find(ro.function);
    if (it == fns.end()) reject(r, ptr + "/function", "function '" + ro.function + "' is not in the model (it has: " + fn_names + ")");
    const Fn& f = it->second;
    if (ro.index >= static_cast<int64_t>(f.order.size()))
      reject(r, ptr + "/index",
             "op-index mismatch: the plan names " + ro.function + "[" + std::to_string(ro.index) + "] but function '" +
                 ro.function + "' has " + std::to_string(f.order.size()) + " ops");
    const size_t slot = f.offset + static_cast<size_t>(ro.index);
    if (seen[slot]) reject(r, ptr + "/index", "op-index mismatch: " + ro.function + "[" + std::to_string(ro.index) + "] is listed twice");
    seen[slot] = true;
    const ir::OpId oid = f.order[static_cast<size_t>(ro.index)];
    const ir::Op& op = f.fn->op(oid);
    const std::string_view bare = analysis::bare_op_type(ro.type);
    if (bare != op.type && bare != op.qualified_type())
      reject(r, ptr + "/type",
             "op-type mismatch at " + ro.function + "[" + std::to_string(ro.index) + "]: the recording says '" + ro.type +
                 "', the model has '" + op.type + "' ('" + op.name + "'); the recording is of another model or version");
    OpPlacement& o = p.ops[slot];
    o.function = ro.function;
    o.index = static_cast<int32_t>(ro.index);
    o.op = oid;
    o.name = op.name.empty() ? ro.name : op.name;
    o.type = ro.type;
    o.preferred = ro.preferred;
    o.supported = ro.supported;
    o.rule = "recorded";
    o.reason = reason;
    o.cost = ro.cost;
  }
  p.notes.push_back("recorded plan from " + r.path + " (" + r.recorder + ")");
  if (!r.provenance.empty()) p.notes.push_back("provenance: " + r.provenance);
  return p;
}

}  // namespace mlscope::recording
