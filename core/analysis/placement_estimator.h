// The placement estimator: a Neural Engine verdict for every op, with the rule that decided it.
//
// Labeled source `estimated`. It applies placement_rules() in table order to each op and
// reports the first rule that catches it (and any others that also would). It never claims
// to be a measurement: a recorded or native plan replaces it (core/recording).
#pragma once

#include "core/analysis/placement.h"
#include "core/analysis/placement_rules.h"
#include "core/ir/model.h"

namespace mlscope::analysis {

/// Estimates the placement of every op of every function (and of pipeline sub-models, whose
/// functions are named "<submodel>/<function>"). Never throws on a well-formed IR.
Placement estimate_placement(const ir::Model& model, const PlacementThresholds& thresholds = {});

/// Bytes of weights the model's constants hold (blob records counted once, inline payloads),
/// including pipeline sub-models. What the rule-9 size limits are checked against.
uint64_t constant_weight_bytes(const ir::Model& model);

}  // namespace mlscope::analysis
