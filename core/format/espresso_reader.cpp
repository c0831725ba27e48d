#include "core/format/espresso_reader.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/ir/scope.h"
#include "core/util/error.h"

namespace mlscope::format {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

json load_json(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error(Location::in_file(p.string()), "cannot open");
  try {
    return json::parse(in);
  } catch (const json::parse_error& e) {
    throw Error(Location::at_byte(p.string(), static_cast<int64_t>(e.byte)), std::string("malformed JSON: ") + e.what());
  }
}

std::vector<std::string> split_names(const json& v) {
  std::vector<std::string> out;
  auto add = [&](const std::string& s) {
    size_t start = 0;
    while (start <= s.size()) {  // multi-input layers list "a,b"
      size_t comma = s.find(',', start);
      std::string part = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty()) out.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  };
  if (v.is_string()) add(v.get<std::string>());
  else if (v.is_array())
    for (const auto& e : v)
      if (e.is_string()) add(e.get<std::string>());
  return out;
}

/// Espresso blob shape {n,k,h,w,(seq),_rank} -> dims, outermost first (rank 4 = [n, k, h, w]).
ir::Shape espresso_shape(const json& s) {
  auto get = [&](const char* k) -> int64_t {
    auto it = s.find(k);
    return it != s.end() && it->is_number_integer() ? it->get<int64_t>() : 1;
  };
  std::vector<int64_t> all = {get("seq"), get("n"), get("k"), get("h"), get("w")};
  int64_t rank = 4;
  if (auto it = s.find("_rank"); it != s.end() && it->is_number_integer()) rank = it->get<int64_t>();
  if (rank < 0 || rank > 5) return ir::Shape{};
  return ir::Shape(std::vector<int64_t>(all.end() - rank, all.end()));
}

std::shared_ptr<const ir::Constant> attribute_constant(const json& v) {
  using ir::Constant;
  if (v.is_boolean()) return std::make_shared<const Constant>(Constant::from_bool(v.get<bool>()));
  if (v.is_number_integer()) {
    int64_t i = v.is_number_unsigned() ? static_cast<int64_t>(v.get<uint64_t>()) : v.get<int64_t>();
    bool fits32 = i >= INT32_MIN && i <= INT32_MAX;
    return std::make_shared<const Constant>(
        Constant::from_ints({i}, ir::Shape{}, fits32 ? ir::DType::Int32 : ir::DType::Int64));
  }
  if (v.is_number_float())
    return std::make_shared<const Constant>(Constant::from_floats({v.get<float>()}, ir::Shape{}));
  if (v.is_string()) return std::make_shared<const Constant>(Constant::from_string(v.get<std::string>()));
  if (v.is_array() && !v.empty()) {
    bool ints = true, nums = true;
    for (const auto& e : v) {
      ints = ints && e.is_number_integer();
      nums = nums && e.is_number();
    }
    int64_t n = static_cast<int64_t>(v.size());
    if (ints) {
      std::vector<int64_t> x;
      for (const auto& e : v) x.push_back(e.get<int64_t>());
      return std::make_shared<const Constant>(Constant::from_ints(x, ir::Shape{n}, ir::DType::Int64));
    }
    if (nums) {
      std::vector<float> x;
      for (const auto& e : v) x.push_back(e.get<float>());
      return std::make_shared<const Constant>(Constant::from_floats(x, ir::Shape{n}));
    }
  }
  return nullptr;
}

void add_attributes(const json& layer, const std::string& prefix, ir::Op& op) {
  static const char* kStructural[] = {"type", "name", "bottom", "top", "weights"};
  for (const auto& [k, v] : layer.items()) {
    bool skip = false;
    if (prefix.empty())
      for (const char* s : kStructural) skip = skip || k == s;
    if (skip) continue;
    if (v.is_object()) {
      add_attributes(v, prefix + k + ".", op);
      continue;
    }
    if (auto c = attribute_constant(v)) op.attributes.push_back({prefix + k, std::move(c)});
  }
}

}  // namespace

void read_espresso(const std::string& dir, ir::Model& model) {
  fs::path net_path = fs::path(dir) / "model.espresso.net";
  std::string net_file = net_path.string();
  json net = load_json(net_path);
  if (!net.is_object() || !net.contains("layers") || !net["layers"].is_array())
    throw Error(Location::in_file(net_file), "no \"layers\" array");

  json shapes;
  fs::path shape_path = fs::path(dir) / "model.espresso.shape";
  std::error_code ec;
  if (fs::exists(shape_path, ec)) {
    json s = load_json(shape_path);
    if (s.is_object() && s.contains("layer_shapes") && s["layer_shapes"].is_object()) shapes = s["layer_shapes"];
  }
  auto type_of = [&](const std::string& blob) {
    if (shapes.is_object())
      if (auto it = shapes.find(blob); it != shapes.end() && it->is_object())
        return ir::Type::tensor(ir::DType::Float32, espresso_shape(*it));
    return ir::Type::tensor(ir::DType::Float32, ir::Shape{});
  };

  ir::Function f;
  f.name = "main";
  f.dialect = ir::Dialect::NeuralNetwork;
  ir::BlockId body = f.add_block(ir::kNone);
  f.specializations.push_back({"", body});
  ir::ScopeStack scope;
  scope.push();
  for (const auto& in : model.inputs) {
    ir::Type t = type_of(in.name);
    if (!shapes.is_object() || !shapes.contains(in.name))
      t = ir::Type::tensor(ir::DType::Float32, ir::Shape(in.type.shape));
    ir::ValueId v = f.add_value(in.name, t, body);
    f.inputs.push_back(v);
    scope.define(in.name, v);
  }

  size_t index = 0;
  for (const auto& layer : net["layers"]) {
    std::string where = "layer " + std::to_string(index++);
    if (!layer.is_object()) throw Error(Location::at_op(net_file, where), "layer is not a JSON object");
    ir::Op op;
    op.dialect = ir::Dialect::NeuralNetwork;
    op.type = layer.value("type", std::string());
    op.name = layer.contains("name") && layer["name"].is_string() ? layer["name"].get<std::string>() : where;
    if (op.type.empty()) throw Error(Location::at_op(net_file, op.name), "layer has no \"type\"");
    std::vector<std::string> bottoms = layer.contains("bottom") ? split_names(layer["bottom"]) : std::vector<std::string>{};
    std::vector<std::string> tops = layer.contains("top") ? split_names(layer["top"]) : std::vector<std::string>{};
    for (size_t i = 0; i < bottoms.size(); ++i) {
      ir::ValueId v = scope.resolve(bottoms[i]);
      if (v == ir::kNone)
        throw Error(Location::at_op(net_file, op.name), "input blob '" + bottoms[i] + "' is produced by no earlier layer");
      op.inputs.push_back({bottoms.size() == 1 ? "input" : "input" + std::to_string(i), {{v, nullptr}}});
    }
    add_attributes(layer, "", op);
    for (const auto& t : tops) op.outputs.push_back(f.add_value(t, type_of(t), body));
    ir::OpId id = f.add_op(body, std::move(op));
    for (size_t i = 0; i < tops.size(); ++i) scope.define(tops[i], f.ops[static_cast<size_t>(id)].outputs[i]);  // NN may redefine
  }
  for (const auto& out : model.outputs) {
    ir::ValueId v = scope.resolve(out.name);
    if (v == ir::kNone) throw Error(Location::at_op(net_file, out.name), "model output '" + out.name + "' is produced by no layer");
    f.blocks[static_cast<size_t>(body)].outputs.push_back(v);
  }
  f.rebuild_uses();
  model.functions.push_back(std::move(f));
  model.notes.push_back("compiled NeuralNetwork (espresso): layer graph and shapes from model.espresso.net/.shape; "
                        "weights in model.espresso.weights are not decoded (undocumented format)");
}

}  // namespace mlscope::format
