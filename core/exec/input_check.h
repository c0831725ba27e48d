// Binding user inputs to a function's inputs: name, dtype family and shape checks (flexible
// shapes: unknown dims, enumerated shapes, ranges), image layout conversion, NaN/inf reporting.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/exec/backend.h"

namespace mlscope::exec {

struct BoundInputs {
  std::vector<std::pair<ir::ValueId, RunValue>> values;
};

/// Throws mlscope::Error for an unknown name, a missing required input, a dtype of the wrong
/// family (float vs integer vs string) or a shape the model does not accept. Float inputs are
/// converted to the declared float dtype (fp32 -> fp16 rounds, as Core ML converts MLMultiArrays).
/// NaN/inf values are counted into `warnings` (or rejected under NonFinitePolicy::Reject).
BoundInputs bind_inputs(const ir::Model& model, const ir::Function& fn, const RunInputs& inputs, const RunOptions& options,
                        std::vector<std::string>& warnings);

/// True when `got` is a shape the input accepts: one of the feature's enumerated shapes, inside
/// its ranges, or matching the declared shape (unknown dims match anything); else `why` says why.
bool shape_accepted(const Dims& got, const ir::Shape& decl, const ir::Feature* feat, std::string& why);

/// The model-description feature for a function input (nullptr if the description lacks it).
const ir::Feature* input_feature(const ir::Model& model, const ir::Function& fn, const std::string& name);

}  // namespace mlscope::exec
