// Parsing a serialized Model and dispatching on its kind (the Model.Type oneof member name).
#include "core/format/protobuf/model_from_proto.h"

#include <limits>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/stubs/logging.h>

#include "core/util/error.h"

namespace mlscope::format::pbread {

void parse_model_bytes(const uint8_t* data, size_t size, const std::string& file, pb::Model* out) {
  // Protobuf messages are limited to 2 GiB; refuse before parsing.
  if (size > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    throw Error(Location::in_file(file), "protobuf file larger than 2 GiB is not a valid Core ML protobuf");
  // Protobuf would log parse problems (e.g. invalid UTF-8) to stderr; we report our own Error.
  google::protobuf::LogSilencer quiet;
  google::protobuf::io::CodedInputStream in(data, static_cast<int>(size));
  in.SetRecursionLimit(200);
  if (out->ParseFromCodedStream(&in) && in.ConsumedEntireMessage()) return;
  WireProblem p = find_wire_problem(data, size, pb::Model::descriptor());
  if (p.offset >= 0)
    throw Error(Location::at_byte(file, p.offset), "not a valid Core ML protobuf: " + p.reason);
  throw Error(Location::in_file(file), "not a valid Core ML protobuf");
}

namespace {

std::string kind_name(const pb::Model& m) {
  const auto* oneof = pb::Model::descriptor()->FindOneofByName("Type");
  const auto* f = m.GetReflection()->GetOneofFieldDescriptor(m, oneof);
  if (f) return f->name();
  return "";
}

void convert_pipeline(const pb::Pipeline& p, ReadContext& ctx, ir::Model& out) {
  for (int i = 0; i < p.models_size(); ++i) {
    ir::Model sub;
    sub.path = out.path;
    sub.format = out.format;
    convert_model(p.models(i), ctx, sub);
    out.submodel_names.push_back(i < p.names_size() && !p.names(i).empty() ? p.names(i) : "model" + std::to_string(i));
    out.submodels.push_back(std::move(sub));
  }
}

template <typename NN>
void convert_nn_common(const NN& nn, ReadContext& ctx, ir::Model& out) {
  convert_neural_network(nn.layers(), nn.preprocessing(), ctx, out);
}

}  // namespace

void convert_model(const pb::Model& m, ReadContext& ctx, ir::Model& out) {
  out.specification_version = m.specificationversion();
  out.is_updatable = m.isupdatable();
  out.kind = kind_name(m);
  convert_description(m.description(), out);
  switch (m.Type_case()) {
    case pb::Model::kMlProgram: convert_program(m.mlprogram(), ctx, out); break;
    case pb::Model::kNeuralNetwork: convert_nn_common(m.neuralnetwork(), ctx, out); break;
    case pb::Model::kNeuralNetworkRegressor: convert_nn_common(m.neuralnetworkregressor(), ctx, out); break;
    case pb::Model::kNeuralNetworkClassifier: {
      const auto& c = m.neuralnetworkclassifier();
      convert_nn_common(c, ctx, out);
      for (const auto& s : c.stringclasslabels().vector()) out.class_labels.push_back(s);
      for (int64_t v : c.int64classlabels().vector()) out.class_labels.push_back(std::to_string(v));
      break;
    }
    case pb::Model::kPipeline: convert_pipeline(m.pipeline(), ctx, out); break;
    case pb::Model::kPipelineClassifier: convert_pipeline(m.pipelineclassifier().pipeline(), ctx, out); break;
    case pb::Model::kPipelineRegressor: convert_pipeline(m.pipelineregressor().pipeline(), ctx, out); break;
    case pb::Model::TYPE_NOT_SET: {
      // A kind newer than our schema: name it by field number so the user sees something concrete.
      const auto& unknown = m.GetReflection()->GetUnknownFields(m);
      for (int i = 0; i < unknown.field_count(); ++i)
        if (unknown.field(i).number() >= 200) {
          out.kind = "unknown(" + std::to_string(unknown.field(i).number()) + ")";
          break;
        }
      out.notes.push_back(out.kind.empty() ? "model has no type (empty Model.Type)" : "unknown model kind: " + out.kind);
      break;
    }
    default: out.notes.push_back("no op graph: " + out.kind); break;
  }
}

}  // namespace mlscope::format::pbread
