#include "widgets/submodel_selector.h"

#include <imgui.h>

#include <cstdlib>
#include <functional>

namespace mlscope::gui {
namespace {

std::string name_of(const ir::Model& parent, size_t i) {
  if (i < parent.submodel_names.size() && !parent.submodel_names[i].empty()) return parent.submodel_names[i];
  // Unnamed pipeline members are known by their kind ("glmRegressor"); the index disambiguates.
  const std::string& kind = parent.submodels[i].kind;
  return kind.empty() ? "model " + std::to_string(i) : kind;
}

}  // namespace

std::optional<std::vector<int>> find_submodel(const ir::Model& root, const std::string& spec) {
  std::vector<int> path;
  if (spec == "/" || spec.empty()) return path;
  const ir::Model* m = &root;
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t slash = spec.find('/', start);
    const std::string part = spec.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    int found = -1;
    for (size_t i = 0; i < m->submodels.size() && found < 0; ++i)
      if (name_of(*m, i) == part || m->submodels[i].kind == part) found = static_cast<int>(i);
    if (found < 0 && !part.empty() && part.find_first_not_of("0123456789") == std::string::npos) {
      const long idx = std::strtol(part.c_str(), nullptr, 10);
      if (idx >= 0 && static_cast<size_t>(idx) < m->submodels.size()) found = static_cast<int>(idx);
    }
    if (found < 0) return std::nullopt;
    path.push_back(found);
    m = &m->submodels[static_cast<size_t>(found)];
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return path;
}

std::string submodel_label(const ir::Model& root, const std::vector<int>& path) {
  if (path.empty()) return root.kind + " (whole file)";
  const ir::Model* m = &root;
  std::string label;
  for (int i : path) {
    label += (label.empty() ? "" : "/") + name_of(*m, static_cast<size_t>(i));
    m = &m->submodels[static_cast<size_t>(i)];
  }
  return label == m->kind ? label : label + "  (" + m->kind + ")";
}

void draw_submodel_selector(Document& doc) {
  const ModelSnapshot* snap = doc.snapshot();
  if (!snap || !snap->root || snap->root->submodels.empty()) return;
  const ir::Model& root = *snap->root;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
  if (ImGui::BeginCombo("##submodel", submodel_label(root, snap->submodel_path).c_str())) {
    std::vector<int> path;
    std::function<void(const ir::Model&, int)> list = [&](const ir::Model& m, int depth) {
      for (size_t i = 0; i < m.submodels.size(); ++i) {
        path.push_back(static_cast<int>(i));
        const ir::Model& sub = m.submodels[i];
        std::string text(static_cast<size_t>(depth) * 2, ' ');
        text += std::to_string(i) + ": " + name_of(m, i) + (name_of(m, i) == sub.kind ? "" : "  (" + sub.kind + ")") +
                (sub.functions.empty() ? "  - no program" : "");
        ImGui::PushID(static_cast<int>(i));
        if (ImGui::Selectable(text.c_str(), path == snap->submodel_path)) doc.select_submodel(path);
        list(sub, depth + 1);
        ImGui::PopID();
        path.pop_back();
      }
    };
    if (ImGui::Selectable(submodel_label(root, {}).c_str(), snap->submodel_path.empty())) doc.select_submodel({});
    list(root, 1);
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Pipeline: the sub-model shown in every view");
  ImGui::SameLine();
}

}  // namespace mlscope::gui
