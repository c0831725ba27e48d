// Converting a parsed Core ML Model message into the IR (internal to core/format).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/format/protobuf/read_context.h"
#include "model.pb.h"

namespace mlscope::format::pbread {

/// Parses the bytes of one serialized Model. Throws mlscope::Error naming `file` and, where the
/// wire structure breaks, the byte offset.
void parse_model_bytes(const uint8_t* data, size_t size, const std::string& file, pb::Model* out);

/// Model message → ir::Model (kind, description, program / layers / sub-models).
void convert_model(const pb::Model& m, ReadContext& ctx, ir::Model& out);

// Pieces of convert_model, one file each.
void convert_description(const pb::ModelDescription& d, ir::Model& out);
ir::FeatureType convert_feature_type(const pb::FeatureType& t);
void convert_program(const pb::mil::Program& p, ReadContext& ctx, ir::Model& out);
void convert_neural_network(const google::protobuf::RepeatedPtrField<pb::NeuralNetworkLayer>& layers,
                            const google::protobuf::RepeatedPtrField<pb::NeuralNetworkPreprocessing>& pre,
                            ReadContext& ctx, ir::Model& out);

/// Byte offset (and reason) of the first wire-format problem in `data` read as `descriptor`.
struct WireProblem {
  int64_t offset = -1;
  std::string reason;
};
WireProblem find_wire_problem(const uint8_t* data, size_t size, const google::protobuf::Descriptor* d);

}  // namespace mlscope::format::pbread
