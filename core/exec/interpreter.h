// The emulating backend: interprets a model's IR op by op under a NumericProfile.
#pragma once

#include <string>
#include <vector>

#include "core/exec/backend.h"
#include "core/exec/numeric_profile.h"

namespace mlscope::exec {

/// An op the interpreter has no kernel for.
struct UnsupportedOp {
  std::string function, op_type, op_name;
};

/// Every op (all functions, nested blocks) without a kernel — empty means the model can run.
std::vector<UnsupportedOp> list_unsupported(const ir::Model& model);

class Interpreter : public Backend {
 public:
  explicit Interpreter(NumericProfile profile);
  std::string name() const override { return "emulated:" + profile_.name; }
  BackendKind kind() const override { return BackendKind::Emulated; }
  RunResult run(const ir::Model& model, const RunInputs& inputs, const RunOptions& options) override;
  const NumericProfile& profile() const { return profile_; }

 private:
  NumericProfile profile_;
};

}  // namespace mlscope::exec
