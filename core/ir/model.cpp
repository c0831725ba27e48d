#include "core/ir/model.h"

namespace mlscope::ir {

std::string_view format_name(Format f) {
  switch (f) {
    case Format::MLPackage: return "mlpackage";
    case Format::MLModel: return "mlmodel";
    case Format::MLModelC: return "mlmodelc";
    case Format::MILText: return "mil";
  }
  return "unknown";
}

std::string_view FeatureType::kind_name() const {
  switch (kind) {
    case Kind::Int64: return "int64Type";
    case Kind::Double: return "doubleType";
    case Kind::String: return "stringType";
    case Kind::Image: return "imageType";
    case Kind::MultiArray: return "multiArrayType";
    case Kind::Dictionary: return "dictionaryType";
    case Kind::Sequence: return "sequenceType";
    case Kind::State: return "stateType";
    case Kind::Invalid: break;
  }
  return "invalid";
}

std::string FeatureType::dtype_name() const {
  if (kind != Kind::MultiArray && kind != Kind::State) return "";
  return std::string(array_dtype_name(array_dtype));
}

const Function* Model::function(std::string_view name) const {
  for (const auto& f : functions)
    if (f.name == name) return &f;
  return nullptr;
}

const Function* Model::main_function() const {
  if (!default_function.empty())
    if (const Function* f = function(default_function)) return f;
  if (const Function* f = function("main")) return f;
  return functions.empty() ? nullptr : &functions.front();
}

std::map<std::string, int64_t> Model::op_counts() const {
  std::map<std::string, int64_t> counts;
  for (const auto& f : functions) f.walk_all([&](OpId o) { ++counts[f.op(o).type]; return true; });
  for (const auto& m : submodels)
    for (const auto& [k, v] : m.op_counts()) counts[k] += v;
  return counts;
}

int64_t Model::op_count() const {
  int64_t n = 0;
  for (const auto& [k, v] : op_counts()) n += v;
  return n;
}

uint64_t Model::weight_bytes() const {
  uint64_t n = 0;
  for (const auto& w : weight_files) n += w->size();
  for (const auto& f : functions)
    for (const auto& op : f.ops) {
      for (const auto& a : op.attributes)
        if (a.value && !a.value->is_blob()) n += a.value->stored_bytes();
      for (const auto& in : op.inputs)
        for (const auto& b : in.bindings)
          if (b.literal && !b.literal->is_blob()) n += b.literal->stored_bytes();
    }
  for (const auto& m : submodels) n += m.weight_bytes();
  return n;
}

}  // namespace mlscope::ir
