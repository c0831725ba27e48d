// Model B as a backend of model A. Asked to run A, it runs B under its own backend: inputs are
// renamed A → B, and outputs, kept intermediates and observed values B → A (a value without a
// counterpart in A is not reported). So everything built for the backends of one model —
// compare_runs, sweeps, drift, per-op divergence — compares two models, value by value.
#pragma once

#include <memory>
#include <string>

#include "core/compare/model_match.h"
#include "core/exec/backend.h"

namespace mlscope::compare {

class OtherModelBackend : public exec::Backend {
 public:
  /// `match` must have been made of (A, *b); `b` and `match` outlive nothing but this object.
  OtherModelBackend(std::unique_ptr<exec::Backend> inner, std::shared_ptr<const ir::Model> b,
                    std::shared_ptr<const ModelMatch> match, std::string name);
  std::string name() const override { return name_; }
  exec::BackendKind kind() const override { return inner_->kind(); }
  /// `model` (A) only names the program the caller compares against; B is what runs.
  exec::RunResult run(const ir::Model& model, const exec::RunInputs& inputs, const exec::RunOptions& options) override;

 private:
  std::unique_ptr<exec::Backend> inner_;
  std::shared_ptr<const ir::Model> b_;
  std::shared_ptr<const ModelMatch> match_;
  std::string name_;
};

}  // namespace mlscope::compare
