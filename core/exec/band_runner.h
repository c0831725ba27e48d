// Running a family of numeric profiles as one band: members share the computation up to the
// first top-level op where their numerics for that op differ, then each group of members with
// equal numerics continues on a fork of the run (depth first, so at most one branch per fork
// point runs at a time). Groups whose values at a fork come out bit-identical join again. Per
// member the outputs are exactly those of running that member alone.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/exec/backend.h"
#include "core/exec/numeric_profile.h"

namespace mlscope::exec {

struct BandRun {
  std::vector<RunResult> members;       ///< one per profile, in the order given
  std::vector<BandParting> partings;    ///< program order (depth first across branches)
  uint64_t ops_executed = 0;            ///< top-level op executions over all branches
};

/// Runs every profile of `members` on `model` (options apply to every branch; progress is
/// called once per op execution of every branch). Throws mlscope::Error like Interpreter::run.
BandRun run_band(const ir::Model& model, const RunInputs& inputs, const RunOptions& options,
                 const std::vector<NumericProfile>& members);

/// The Neural Engine band as a backend: "ane-band" (members NumericProfile::band_members("ane"))
/// or "ane-w8a8-band". run() returns the default member's result (the base profile, members[0])
/// with RunResult::band_members and ::band_partings filled.
class BandBackend : public Backend {
 public:
  /// `name` "ane-band" or "ane-w8a8-band" (Error otherwise).
  explicit BandBackend(const std::string& name);
  std::string name() const override { return "emulated:" + name_; }
  BackendKind kind() const override { return BackendKind::Emulated; }
  RunResult run(const ir::Model& model, const RunInputs& inputs, const RunOptions& options) override;
  const std::vector<NumericProfile>& members() const { return members_; }

  /// "ane-band", "ane-w8a8-band".
  static std::vector<std::string> band_names();
  static bool is_band_name(const std::string& name);
  /// The band a profile belongs to: "ane-band" for "ane" and its members "ane:<variant>",
  /// "ane-w8a8-band" for "ane-w8a8" and its members, "" for every other profile.
  static std::string band_of_profile(const std::string& profile_name);

 private:
  std::string name_;
  std::vector<NumericProfile> members_;
};

}  // namespace mlscope::exec
