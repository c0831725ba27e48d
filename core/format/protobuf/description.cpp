// ModelDescription / FeatureType → the IR's model interface (docs/coreml-formats.md §3.3–§3.5).
#include "core/format/protobuf/model_from_proto.h"

namespace mlscope::format::pbread {

namespace {

using K = ir::FeatureType::Kind;

void convert_array(const pb::ArrayFeatureType& a, ir::FeatureType& f) {
  f.array_dtype = static_cast<ir::ArrayDType>(a.datatype());
  f.shape.assign(a.shape().begin(), a.shape().end());
  if (a.has_enumeratedshapes())
    for (const auto& s : a.enumeratedshapes().shapes()) f.enumerated_shapes.emplace_back(s.shape().begin(), s.shape().end());
  if (a.has_shaperange())
    for (const auto& r : a.shaperange().sizeranges())
      f.shape_ranges.emplace_back(static_cast<int64_t>(r.lowerbound()), r.upperbound());
  // No default shape given: the first enumerated shape, else the lower bounds (§3.5).
  if (f.shape.empty() && !f.enumerated_shapes.empty()) f.shape = f.enumerated_shapes.front();
  if (f.shape.empty() && !f.shape_ranges.empty())
    for (const auto& r : f.shape_ranges) f.shape.push_back(r.first);
}

std::vector<ir::Feature> convert_features(const google::protobuf::RepeatedPtrField<pb::FeatureDescription>& fs) {
  std::vector<ir::Feature> out;
  out.reserve(static_cast<size_t>(fs.size()));
  for (const auto& f : fs) out.push_back({f.name(), f.shortdescription(), convert_feature_type(f.type())});
  return out;
}

}  // namespace

ir::FeatureType convert_feature_type(const pb::FeatureType& t) {
  ir::FeatureType f;
  f.optional = t.isoptional();
  switch (t.Type_case()) {
    case pb::FeatureType::kInt64Type: f.kind = K::Int64; break;
    case pb::FeatureType::kDoubleType: f.kind = K::Double; break;
    case pb::FeatureType::kStringType: f.kind = K::String; break;
    case pb::FeatureType::kImageType:
      f.kind = K::Image;
      f.image_width = t.imagetype().width();
      f.image_height = t.imagetype().height();
      f.color_space = t.imagetype().colorspace();
      break;
    case pb::FeatureType::kMultiArrayType:
      f.kind = K::MultiArray;
      convert_array(t.multiarraytype(), f);
      break;
    case pb::FeatureType::kDictionaryType:
      f.kind = K::Dictionary;
      f.key_kind = t.dictionarytype().has_stringkeytype() ? K::String : K::Int64;
      break;
    case pb::FeatureType::kSequenceType:
      f.kind = K::Sequence;
      f.key_kind = t.sequencetype().has_stringtype() ? K::String : K::Int64;
      break;
    case pb::FeatureType::kStateType:
      f.kind = K::State;
      convert_array(t.statetype().arraytype(), f);
      break;
    case pb::FeatureType::TYPE_NOT_SET: break;
  }
  return f;
}

void convert_description(const pb::ModelDescription& d, ir::Model& out) {
  out.inputs = convert_features(d.input());
  out.outputs = convert_features(d.output());
  out.states = convert_features(d.state());
  out.predicted_feature_name = d.predictedfeaturename();
  out.predicted_probabilities_name = d.predictedprobabilitiesname();
  out.default_function = d.defaultfunctionname();
  for (const auto& fd : d.functions()) {
    ir::FunctionDescription f;
    f.name = fd.name();
    f.inputs = convert_features(fd.input());
    f.outputs = convert_features(fd.output());
    f.states = convert_features(fd.state());
    f.predicted_feature_name = fd.predictedfeaturename();
    f.predicted_probabilities_name = fd.predictedprobabilitiesname();
    out.function_descriptions.push_back(std::move(f));
  }
  const auto& m = d.metadata();
  out.metadata.short_description = m.shortdescription();
  out.metadata.version = m.versionstring();
  out.metadata.author = m.author();
  out.metadata.license = m.license();
  for (const auto& kv : m.userdefined()) out.metadata.user_defined[kv.first] = kv.second;
}

}  // namespace mlscope::format::pbread
