// metadata.json of a compiled model (.mlmodelc): a JSON array with one object describing the
// interface (input/output/state schemas with shapes as strings like "[1, 10]"), spec version,
// model type and user metadata (coreml-formats.md §7.4). Apple-written, undocumented: read
// what is there, tolerate what is missing.
#pragma once

#include <map>
#include <string>

#include "core/ir/model.h"

namespace mlscope::format {

struct CompiledMetadata {
  std::string model_type;  ///< Model oneof spelling: "mlProgram", "neuralNetwork", "pipeline", ... ("" if absent)
  /// Layer/op type histogram as written (neuralNetworkLayerTypeHistogram or
  /// mlProgramOperationTypeHistogram).
  std::map<std::string, int64_t> type_histogram;
};

/// Reads `path` and fills model.specification_version, is_updatable, inputs/outputs/states and
/// metadata. Throws mlscope::Error (file + byte offset / key) on malformed JSON.
CompiledMetadata read_compiled_metadata(const std::string& path, ir::Model& model);

/// Description features from a function's parameters and outputs (bare .mil files, or a
/// .mlmodelc without metadata.json): tensors become multiArrayType, states stateType.
void describe_from_function(const ir::Function& f, ir::Model& model);

}  // namespace mlscope::format
