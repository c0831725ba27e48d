#include "core/analysis/placement.h"

namespace mlscope::analysis {

std::string_view device_name(Device d) {
  switch (d) {
    case Device::CPU: return "cpu";
    case Device::GPU: return "gpu";
    case Device::NeuralEngine: return "neural_engine";
  }
  return "cpu";
}

std::optional<Device> device_from_name(std::string_view s) {
  if (s == "cpu") return Device::CPU;
  if (s == "gpu") return Device::GPU;
  if (s == "neural_engine") return Device::NeuralEngine;
  return std::nullopt;
}

std::vector<Device> DeviceSet::list() const {
  std::vector<Device> out;
  for (int i = 0; i < kDeviceCount; ++i)
    if (has(static_cast<Device>(i))) out.push_back(static_cast<Device>(i));
  return out;
}

std::string_view source_name(PlacementSource s) {
  switch (s) {
    case PlacementSource::Estimated: return "estimated";
    case PlacementSource::Recorded: return "recorded";
    case PlacementSource::Native: return "native";
  }
  return "estimated";
}

std::string preferred_key(const OpPlacement& op) {
  return op.preferred ? std::string(device_name(*op.preferred)) : std::string("none");
}

PlacementCounts count_placement(const Placement& p) {
  PlacementCounts c;
  for (const auto& op : p.ops) {
    std::string dev = preferred_key(op);
    ++c.preferred[dev];
    ++c.type_by_device[op.type][dev];
  }
  return c;
}

namespace {
void add_plan_functions(const ir::Model& m, const std::string& prefix,
                        std::vector<std::pair<std::string, const ir::Function*>>& out) {
  for (const auto& fn : m.functions) out.push_back({prefix + fn.name, &fn});
  for (size_t i = 0; i < m.submodels.size(); ++i) {
    std::string name = i < m.submodel_names.size() && !m.submodel_names[i].empty() ? m.submodel_names[i]
                                                                                    : "submodel" + std::to_string(i);
    add_plan_functions(m.submodels[i], prefix + name + "/", out);
  }
}
}  // namespace

std::vector<std::pair<std::string, const ir::Function*>> plan_functions(const ir::Model& model) {
  std::vector<std::pair<std::string, const ir::Function*>> out;
  add_plan_functions(model, "", out);
  return out;
}

std::string_view bare_op_type(std::string_view type) {
  // Opset prefixes are "ios17.", "macos15.", "tvos17."... ; NeuralNetwork types ("nn.x") keep theirs.
  auto dot = type.find('.');
  if (dot == std::string_view::npos) return type;
  std::string_view prefix = type.substr(0, dot);
  for (std::string_view os : {"ios", "macos", "tvos", "watchos", "visionos"})
    if (prefix.substr(0, os.size()) == os) return type.substr(dot + 1);
  return type;
}

}  // namespace mlscope::analysis
