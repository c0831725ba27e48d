// Human-readable reports of a model for `mlscope-cli info/ops` (the --json forms are in
// model_report.h; both read the same IR so they never disagree).
#pragma once

#include <string>

#include "core/ir/model.h"

namespace mlscope::report {

/// Overview: format, kind, I/O table with types, op-type counts (most frequent first),
/// weights (human-readable), functions, metadata, notes.
std::string info_text(const ir::Model& model);

/// One line per op in program order, e.g.
///   `  12  conv   conv_0  (x=input, weight=w0)[attr=...] -> tensor<fp16, [1, 64, 224, 224]> var_12`
/// (compile-time attributes in brackets, as NeuralNetwork layers and constexpr ops carry them).
/// With a non-empty `function` only that one (mlscope::Error if absent).
std::string ops_text(const ir::Model& model, const std::string& function = {});

/// "tensor<fp16, [1, 3]>" for a MultiArray feature, "image RGB 224x224", "double", ...
std::string feature_type_text(const ir::Feature& f);

}  // namespace mlscope::report
