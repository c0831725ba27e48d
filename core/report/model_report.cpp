#include "core/report/model_report.h"

#include <algorithm>
#include <filesystem>

#include "core/util/error.h"

namespace mlscope::report {

using nlohmann::json;
namespace fs = std::filesystem;

std::string color_space_name(int32_t cs) {
  switch (cs) {
    case 10: return "GRAYSCALE";
    case 20: return "RGB";
    case 30: return "BGR";
    case 40: return "GRAYSCALE_FLOAT16";
    default: return "INVALID_COLOR_SPACE(" + std::to_string(cs) + ")";
  }
}

std::string feature_kind_name(ir::FeatureType::Kind k) {
  ir::FeatureType t;
  t.kind = k;
  return std::string(t.kind_name());
}

std::string dialect_name(ir::Dialect d) { return d == ir::Dialect::NeuralNetwork ? "nn" : "mil"; }

json shape_json(const ir::Shape& s) {
  if (s.unknown_rank) return nullptr;
  return json(s.dims);  // kUnknownDim (-1) stays -1
}

json feature_json(const ir::Feature& f) {
  using K = ir::FeatureType::Kind;
  const ir::FeatureType& t = f.type;
  json j = {{"name", f.name}, {"type", std::string(t.kind_name())}, {"optional", t.optional}};
  if (!f.short_description.empty()) j["short_description"] = f.short_description;
  if (t.kind == K::MultiArray || t.kind == K::State) {
    j["dtype"] = t.dtype_name();
    j["shape"] = t.shape;
  }
  if (t.kind == K::Image) {
    j["width"] = t.image_width;
    j["height"] = t.image_height;
    j["color_space"] = color_space_name(t.color_space);
  }
  if (t.kind == K::Dictionary) j["key_type"] = feature_kind_name(t.key_kind);
  if (t.kind == K::Sequence) j["element_type"] = feature_kind_name(t.key_kind);
  if (!t.enumerated_shapes.empty()) j["enumerated_shapes"] = t.enumerated_shapes;
  if (!t.shape_ranges.empty()) {
    json ranges = json::array();
    for (const auto& [lo, hi] : t.shape_ranges) ranges.push_back({lo, hi});  // hi < 0: unbounded
    j["shape_ranges"] = ranges;
  }
  return j;
}

static json features_json(const std::vector<ir::Feature>& fs) {
  json a = json::array();
  for (const auto& f : fs) a.push_back(feature_json(f));
  return a;
}

json value_json(const ir::Function& f, ir::ValueId v) {
  const ir::Value& val = f.value(v);
  json j = {{"name", val.name}, {"type", val.type.str()}};
  if (val.type.is_tensor()) {
    j["dtype"] = std::string(ir::dtype_name(val.type.dtype));
    j["shape"] = shape_json(val.type.shape);
  } else {
    j["dtype"] = nullptr;
    j["shape"] = nullptr;
  }
  return j;
}

/// The elements of a small tensor as JSON numbers/bools/strings (scalars unwrapped).
static json tensor_values(const ir::Constant& c) {
  json values = json::array();
  if (c.dtype() == ir::DType::String) {
    for (const auto& s : c.strings) values.push_back(s);
  } else if (c.dtype() == ir::DType::Bool) {
    for (int64_t v : c.to_ints()) values.push_back(v != 0);
  } else if (ir::dtype_is_float(c.dtype())) {
    for (double v : c.to_doubles()) values.push_back(v);  // NaN/inf become null (JSON has none)
  } else {
    for (int64_t v : c.to_ints()) values.push_back(v);
  }
  if (c.shape().rank() == 0 && values.size() == 1) return values[0];
  return values;
}

static bool is_small(const ir::Constant& c) {
  if (c.dtype() == ir::DType::String) return c.strings.size() <= kMaxInlineLiteralElements;
  auto n = c.shape().element_count();
  return n && *n <= kMaxInlineLiteralElements;
}

/// Where a constant's payload lives: "inline", or the blob's file name and record offset.
static void add_location(json& j, const ir::Constant& c) {
  j["location"] = c.location();
  if (c.is_blob()) {
    j["file"] = fs::path(c.blob->file->path()).filename().string();
    j["offset"] = c.blob->record.record_offset;
  }
}

json literal_json(const ir::Constant& c) {
  if (!c.is_tensor()) return {{"type", c.type.str()}, {"value", c.summary()}};
  json j = {{"dtype", std::string(ir::dtype_name(c.dtype()))}, {"shape", shape_json(c.shape())}};
  if (is_small(c)) {
    try {
      j["value"] = tensor_values(c);
      return j;
    } catch (const Error& e) {
      j["error"] = e.message();  // a malformed literal is reported, not fatal to the listing
    }
  }
  add_location(j, c);
  j["bytes"] = c.stored_bytes();
  return j;
}

const ir::Constant* const_value(const ir::Op& op) {
  if (const ir::Constant* v = op.attribute_value("val")) return v;
  const ir::Constant* only = nullptr;
  for (const auto& a : op.attributes) {
    if (!a.value) continue;
    if (only) return nullptr;  // ambiguous: several constant attributes
    only = a.value.get();
  }
  return only;
}

json const_payload_json(const ir::Op& op) {
  const ir::Constant* c = const_value(op);
  if (!c) return nullptr;
  json j = {{"bytes", c->stored_bytes()}};
  if (c->is_tensor()) {
    j["dtype"] = std::string(ir::dtype_name(c->dtype()));
    j["shape"] = shape_json(c->shape());
  } else {
    j["dtype"] = nullptr;
    j["shape"] = nullptr;
    j["type"] = c->type.str();
  }
  add_location(j, *c);
  if (c->is_tensor() && is_small(*c)) {
    try {
      j["value"] = tensor_values(*c);
    } catch (const Error& e) {
      j["error"] = e.message();
    }
  }
  return j;
}

const ir::Function& require_function(const ir::Model& model, const std::string& name) {
  if (const ir::Function* f = model.function(name)) return *f;
  std::string known;
  for (const auto& g : model.functions) known += (known.empty() ? "" : ", ") + g.name;
  throw Error(Location::in_file(model.path),
              "no function '" + name + "' (functions: " + (known.empty() ? "none" : known) + ")");
}

int64_t nested_op_count(const ir::Model& model) {
  int64_t n = 0;
  for (const auto& f : model.functions)
    f.walk_all([&](ir::OpId o) {
      if (f.block_depth(f.op(o).parent) > 0) ++n;
      return true;
    });
  for (const auto& m : model.submodels) n += nested_op_count(m);
  return n;
}

/// Op count of one function over every specialization (matches Model::op_counts()).
static int64_t function_op_count(const ir::Function& f) {
  int64_t n = 0;
  f.walk_all([&](ir::OpId) { ++n; return true; });
  return n;
}

std::string weight_file_display_path(const std::string& file, const std::string& model_path) {
  // Weight files inside the model folder are shown relative to it, so reports are portable.
  fs::path rel = fs::path(file).lexically_relative(fs::path(model_path));
  if (!rel.empty() && *rel.begin() != "..") return rel.generic_string();
  return file;
}

static json function_details_json(const ir::Model& model, const ir::Function& f) {
  json specs = json::array();
  for (const auto& s : f.specializations) specs.push_back(s.opset);
  json ins = json::array(), outs = json::array();
  for (ir::ValueId v : f.inputs) ins.push_back(value_json(f, v));
  if (f.body() != ir::kNone)
    for (ir::ValueId v : f.outputs()) outs.push_back(value_json(f, v));
  json j = {{"name", f.name},
            {"dialect", dialect_name(f.dialect)},
            {"opset", f.opset},
            {"block_specializations", specs},
            {"inputs", ins},
            {"outputs", outs},
            {"op_count", function_op_count(f)}};
  for (const auto& d : model.function_descriptions)
    if (d.name == f.name)
      j["interface"] = {{"inputs", features_json(d.inputs)},
                        {"outputs", features_json(d.outputs)},
                        {"states", features_json(d.states)}};
  return j;
}

json info_json(const ir::Model& model) {
  json j;
  j["path"] = model.path;
  j["format"] = std::string(ir::format_name(model.format));
  j["kind"] = model.kind;
  j["specification_version"] = model.specification_version;
  j["is_updatable"] = model.is_updatable;
  j["inputs"] = features_json(model.inputs);
  j["outputs"] = features_json(model.outputs);
  j["states"] = features_json(model.states);
  j["predicted_feature_name"] = model.predicted_feature_name;
  j["predicted_probabilities_name"] = model.predicted_probabilities_name;

  json user = json::object();
  for (const auto& [k, v] : model.metadata.user_defined) user[k] = v;
  j["metadata"] = {{"short_description", model.metadata.short_description},
                   {"version", model.metadata.version},
                   {"author", model.metadata.author},
                   {"license", model.metadata.license},
                   {"user_defined", user}};

  json names = json::array(), details = json::array(), specs = json::object();
  for (const auto& f : model.functions) {
    details.push_back(function_details_json(model, f));
    // Only ML programs have functions and block specializations in the schema; a NeuralNetwork
    // layer list is one IR function but is described by function_details alone.
    if (f.dialect != ir::Dialect::MIL) continue;
    names.push_back(f.name);
    json s = json::array();
    for (const auto& sp : f.specializations) s.push_back(sp.opset);
    specs[f.name] = s;
  }
  j["functions"] = names;
  j["function_details"] = details;
  j["block_specializations"] = specs;
  const ir::Function* main = model.main_function();
  j["default_function"] = !model.default_function.empty() ? model.default_function
                          : (main && main->dialect == ir::Dialect::MIL) ? main->name
                                                                        : std::string();
  j["program_version"] = model.program_version;
  json attrs = json::object();
  for (const auto& [k, v] : model.program_attributes) attrs[k] = v;
  j["program_attributes"] = attrs;

  json counts = json::object();
  int64_t total = 0;
  for (const auto& [type, n] : model.op_counts()) {
    counts[type] = n;
    total += n;
  }
  j["op_counts"] = counts;
  j["op_count_total"] = total;
  j["nested_ops"] = nested_op_count(model);

  json subs = json::array();
  for (size_t i = 0; i < model.submodels.size(); ++i) {
    const ir::Model& m = model.submodels[i];
    std::string name = i < model.submodel_names.size() ? model.submodel_names[i] : m.kind;
    subs.push_back({{"name", name}, {"kind", m.kind}, {"op_count", m.op_count()}});
  }
  j["submodels"] = subs;

  j["weight_bytes"] = model.weight_bytes();
  json files = json::array();
  for (const auto& w : model.weight_files)
    files.push_back({{"path", weight_file_display_path(w->path(), model.path)}, {"bytes", w->size()}, {"blobs", w->blob_count()}});
  j["weight_files"] = files;

  json pre = json::array();
  for (const auto& p : model.preprocessing) {
    json e = {{"feature_name", p.feature_name}};
    if (!p.mean_image.empty()) {
      e["kind"] = "meanImage";
      e["mean_image_size"] = p.mean_image.size();
    } else {
      e["kind"] = "scaler";
      e["channel_scale"] = p.channel_scale;
      e["red_bias"] = p.red_bias;
      e["green_bias"] = p.green_bias;
      e["blue_bias"] = p.blue_bias;
      e["gray_bias"] = p.gray_bias;
    }
    pre.push_back(e);
  }
  j["preprocessing"] = pre;

  json first = json::array();
  for (size_t i = 0; i < model.class_labels.size() && i < kMaxListedClassLabels; ++i)
    first.push_back(model.class_labels[i]);
  j["class_labels"] = {{"count", model.class_labels.size()}, {"first", first}};
  j["notes"] = model.notes;
  return j;
}

static json bindings_json(const ir::Function& f, const ir::NamedInput& in) {
  json a = json::array();
  for (const auto& b : in.bindings) {
    if (!b.is_literal())
      a.push_back(f.value(b.value).name);
    else if (b.literal)
      a.push_back(literal_json(*b.literal));
    else
      a.push_back(nullptr);  // neither a value nor a literal: a reader bug, shown rather than hidden
  }
  return a;
}

static json op_json(const ir::Function& f, ir::OpId id, int64_t index) {
  const ir::Op& op = f.op(id);
  json inputs = json::object();
  for (const auto& in : op.inputs) inputs[in.name] = bindings_json(f, in);
  json outputs = json::array();
  for (ir::ValueId v : op.outputs) outputs.push_back(value_json(f, v));
  json attrs = json::object();
  for (const auto& a : op.attributes) attrs[a.name] = a.value ? json(a.value->summary()) : json(nullptr);
  json j = {{"index", index},
            {"type", op.type},
            {"opset", op.dialect == ir::Dialect::NeuralNetwork ? std::string("nn") : f.opset},
            {"dialect", dialect_name(op.dialect)},
            {"name", op.name},
            {"block", f.block_path(op.parent)},
            {"depth", f.block_depth(op.parent)},
            {"inputs", inputs},
            {"outputs", outputs},
            {"attributes", attrs}};
  if (op.is_const()) j["constant"] = const_payload_json(op);
  return j;
}

static json function_ops_json(const ir::Function& f) {
  json ops = json::array();
  int64_t index = 0;
  f.walk([&](ir::OpId o) {
    ops.push_back(op_json(f, o, index++));
    return true;
  });
  return {{"name", f.name}, {"opset", f.opset}, {"dialect", dialect_name(f.dialect)}, {"ops", ops}};
}

json ops_json(const ir::Model& model, const std::string& function) {
  json fns = json::array();
  if (!function.empty()) {
    fns.push_back(function_ops_json(require_function(model, function)));
  } else {
    for (const auto& f : model.functions) fns.push_back(function_ops_json(f));
  }
  json subs = json::array();
  if (function.empty())
    for (size_t i = 0; i < model.submodels.size(); ++i) {
      json s = ops_json(model.submodels[i]);
      s["name"] = i < model.submodel_names.size() ? model.submodel_names[i] : model.submodels[i].kind;
      subs.push_back(s);
    }
  return {{"path", model.path},
          {"format", std::string(ir::format_name(model.format))},
          {"kind", model.kind},
          {"functions", fns},
          {"submodels", subs}};
}

}  // namespace mlscope::report
