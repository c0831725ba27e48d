#include "core/format/compiled_metadata.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/util/error.h"

namespace mlscope::format {

namespace {

using json = nlohmann::json;
using ir::ArrayDType;
using ir::FeatureType;

std::string str_of(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_null()) return {};
  return it->dump();
}

bool bool_of(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number()) return it->get<double>() != 0;
  if (it->is_string()) return it->get<std::string>() == "1" || it->get<std::string>() == "true";
  return false;
}

ArrayDType array_dtype(const std::string& s) {
  if (s == "Float16") return ArrayDType::Float16;
  if (s == "Float32") return ArrayDType::Float32;
  if (s == "Double" || s == "Float64") return ArrayDType::Double;
  if (s == "Int32") return ArrayDType::Int32;
  if (s == "Int8") return ArrayDType::Int8;
  return ArrayDType::Invalid;
}

/// "[1, 10]" -> {1, 10}; "[]" -> {}. Parsed as JSON (it is a JSON array in practice).
std::vector<int64_t> parse_dims(const std::string& s, const std::string& file, const std::string& feature) {
  std::vector<int64_t> dims;
  if (s.empty()) return dims;
  json j = json::parse(s, nullptr, false);
  if (j.is_discarded() || !j.is_array())
    throw Error(Location::at_op(file, feature), "shape '" + s + "' is not a list of integers");
  for (const auto& d : j) {
    if (!d.is_number_integer()) throw Error(Location::at_op(file, feature), "shape '" + s + "' is not a list of integers");
    dims.push_back(d.get<int64_t>());
  }
  return dims;
}

ir::Feature read_feature(const json& o, const std::string& file, bool state) {
  ir::Feature f;
  f.name = str_of(o, "name");
  f.short_description = str_of(o, "shortDescription");
  FeatureType& t = f.type;
  t.optional = bool_of(o, "isOptional");
  std::string type = str_of(o, "type");
  if (type == "MultiArray" || state || type == "State") {
    t.kind = state ? FeatureType::Kind::State : FeatureType::Kind::MultiArray;
    t.array_dtype = array_dtype(str_of(o, "dataType"));
    t.shape = parse_dims(str_of(o, "shape"), file, f.name);
    std::string range = str_of(o, "shapeRange");
    if (!range.empty()) {
      json r = json::parse(range, nullptr, false);
      if (r.is_array())
        for (const auto& p : r)
          if (p.is_array() && p.size() == 2 && p[0].is_number_integer() && p[1].is_number_integer())
            t.shape_ranges.emplace_back(p[0].get<int64_t>(), p[1].get<int64_t>());
    }
  } else if (type == "Image") {
    t.kind = FeatureType::Kind::Image;
    // formattedType: "Image (Color 256 × 256)"; width/height keys when present.
    auto num = [&](const char* k) -> int64_t {
      std::string s = str_of(o, k);
      try { return s.empty() ? 0 : std::stoll(s); } catch (...) { return 0; }
    };
    t.image_width = num("width");
    t.image_height = num("height");
    std::string fmt = str_of(o, "formattedType");
    if (fmt.find("Grayscale") != std::string::npos) t.color_space = 10;
    else if (fmt.find("BGR") != std::string::npos) t.color_space = 30;
    else t.color_space = 20;
  } else if (type == "Double") {
    t.kind = FeatureType::Kind::Double;
  } else if (type == "Int64") {
    t.kind = FeatureType::Kind::Int64;
  } else if (type == "String") {
    t.kind = FeatureType::Kind::String;
  } else if (type == "Dictionary") {
    t.kind = FeatureType::Kind::Dictionary;
    std::string fmt = str_of(o, "formattedType");
    t.key_kind = fmt.find("String") != std::string::npos ? FeatureType::Kind::String : FeatureType::Kind::Int64;
  } else if (type == "Sequence") {
    t.kind = FeatureType::Kind::Sequence;
  }
  return f;
}

std::vector<ir::Feature> read_schema(const json& o, const char* key, const std::string& file, bool state = false) {
  std::vector<ir::Feature> out;
  auto it = o.find(key);
  if (it == o.end()) return out;
  if (!it->is_array()) throw Error(Location::at_op(file, key), std::string(key) + " is not an array");
  for (const auto& e : *it) {
    if (!e.is_object()) throw Error(Location::at_op(file, key), std::string(key) + " holds a non-object entry");
    out.push_back(read_feature(e, file, state));
  }
  return out;
}

ArrayDType array_dtype_of(ir::DType d) {
  switch (d) {
    case ir::DType::Float16: return ArrayDType::Float16;
    case ir::DType::Float32: return ArrayDType::Float32;
    case ir::DType::Float64: return ArrayDType::Double;
    case ir::DType::Int32: return ArrayDType::Int32;
    case ir::DType::Int8: return ArrayDType::Int8;
    default: return ArrayDType::Invalid;
  }
}

ir::Feature feature_of(const std::string& name, const ir::Type& type) {
  ir::Feature f;
  f.name = name;
  const ir::Type* t = &type;
  if (type.kind == ir::Type::Kind::State && !type.elements.empty()) {
    f.type.kind = FeatureType::Kind::State;
    t = &type.elements[0];
  } else if (type.is_tensor() && type.dtype == ir::DType::String && type.shape.rank() == 0) {
    f.type.kind = FeatureType::Kind::String;
    return f;
  } else if (type.kind == ir::Type::Kind::Dict) {
    f.type.kind = FeatureType::Kind::Dictionary;
    return f;
  } else {
    f.type.kind = FeatureType::Kind::MultiArray;
  }
  if (t->is_tensor()) {
    f.type.array_dtype = array_dtype_of(t->dtype);
    f.type.shape = t->shape.dims;
  }
  return f;
}

}  // namespace

CompiledMetadata read_compiled_metadata(const std::string& path, ir::Model& model) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Location::in_file(path), "cannot open metadata.json");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    throw Error(Location::at_byte(path, static_cast<int64_t>(e.byte)), std::string("malformed JSON: ") + e.what());
  }
  if (doc.is_array()) {
    if (doc.empty() || !doc[0].is_object()) throw Error(Location::in_file(path), "metadata.json array holds no object");
    doc = doc[0];
  }
  if (!doc.is_object()) throw Error(Location::in_file(path), "metadata.json is neither an array nor an object");

  CompiledMetadata out;
  if (auto it = doc.find("specificationVersion"); it != doc.end() && it->is_number_integer())
    model.specification_version = it->get<int64_t>();
  model.is_updatable = bool_of(doc, "isUpdatable");
  if (auto it = doc.find("modelType"); it != doc.end() && it->is_object()) {
    std::string n = str_of(*it, "name");
    const std::string prefix = "MLModelType_";
    if (n.rfind(prefix, 0) == 0) n = n.substr(prefix.size());
    out.model_type = n;
  }
  model.inputs = read_schema(doc, "inputSchema", path);
  model.outputs = read_schema(doc, "outputSchema", path);
  model.states = read_schema(doc, "stateSchema", path, true);
  model.metadata.short_description = str_of(doc, "shortDescription");
  model.metadata.author = str_of(doc, "author");
  model.metadata.license = str_of(doc, "license");
  model.metadata.version = str_of(doc, "version");
  if (auto it = doc.find("userDefinedMetadata"); it != doc.end() && it->is_object())
    for (const auto& [k, v] : it->items()) model.metadata.user_defined[k] = v.is_string() ? v.get<std::string>() : v.dump();
  for (const char* key : {"neuralNetworkLayerTypeHistogram", "mlProgramOperationTypeHistogram"})
    if (auto it = doc.find(key); it != doc.end() && it->is_object())
      for (const auto& [k, v] : it->items())
        if (v.is_number_integer()) out.type_histogram[k] = v.get<int64_t>();
  return out;
}

void describe_from_function(const ir::Function& f, ir::Model& model) {
  ir::FunctionDescription d;
  d.name = f.name;
  for (ir::ValueId v : f.inputs) {
    const ir::Value& val = f.value(v);
    (val.type.kind == ir::Type::Kind::State ? d.states : d.inputs).push_back(feature_of(val.name, val.type));
  }
  if (f.body() != ir::kNone)
    for (ir::ValueId v : f.outputs()) d.outputs.push_back(feature_of(f.value(v).name, f.value(v).type));
  if (model.inputs.empty() && model.outputs.empty() && model.states.empty()) {
    model.inputs = d.inputs;
    model.outputs = d.outputs;
    model.states = d.states;
  }
  model.function_descriptions.push_back(std::move(d));
}

}  // namespace mlscope::format
