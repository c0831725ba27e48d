// JSON reports of a model, shared by `mlscope-cli info/ops --json` and the GUI.
//
// The keys are a stable contract documented in docs/cli-json.md: add keys freely, never rename
// or drop one without updating that document and its tests. Every top-level key is always
// present (empty arrays/objects rather than missing keys), so scripts need no existence checks.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/ir/model.h"

namespace mlscope::report {

/// Interface, metadata, functions, op histogram, weights and notes of a model (`info`).
nlohmann::json info_json(const ir::Model& model);

/// Every op of every function in program order (`ops`). With a non-empty `function`, only that
/// function; throws mlscope::Error naming the model and the known functions if it is absent.
nlohmann::json ops_json(const ir::Model& model, const std::string& function = {});

// --- building blocks (also used by the text renderers) ---

/// A model-description feature: {name, type, optional, dtype/shape | width/height/color_space ...}.
nlohmann::json feature_json(const ir::Feature& f);
/// A shape as an array (unknown dims as -1), or null for an unknown rank.
nlohmann::json shape_json(const ir::Shape& s);
/// A value of a function: {name, dtype, shape, type}; dtype/shape are null for non-tensors.
nlohmann::json value_json(const ir::Function& f, ir::ValueId v);
/// A literal constant: {dtype, shape, value} when small, else {dtype, shape, location, bytes}.
nlohmann::json literal_json(const ir::Constant& c);
/// The payload of a const op: {dtype, shape, location, bytes[, file, offset][, value]}, or null.
nlohmann::json const_payload_json(const ir::Op& op);
/// The constant a `const` op defines (attribute "val", else its only constant attribute).
const ir::Constant* const_value(const ir::Op& op);

/// The function named `name`; throws mlscope::Error naming the model and the known functions.
const ir::Function& require_function(const ir::Model& model, const std::string& name);
/// A weight file's path relative to the model folder when inside it, else as opened.
std::string weight_file_display_path(const std::string& file, const std::string& model_path);
/// Color-space name of an image feature: "GRAYSCALE", "RGB", "BGR", "GRAYSCALE_FLOAT16".
std::string color_space_name(int32_t cs);
/// Schema name of a feature kind ("int64Type", "stringType", ...).
std::string feature_kind_name(ir::FeatureType::Kind k);
/// "mil" or "nn".
std::string dialect_name(ir::Dialect d);
/// Ops inside nested blocks (cond/while_loop bodies) over every function and sub-model.
int64_t nested_op_count(const ir::Model& model);

/// Literals with at most this many elements are printed with their values.
constexpr uint64_t kMaxInlineLiteralElements = 16;
/// How many class labels `info` lists (the count is always given).
constexpr size_t kMaxListedClassLabels = 10;

}  // namespace mlscope::report
