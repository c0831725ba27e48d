#include "widgets/model_panel.h"

#include <imgui.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace mlscope::gui {
namespace {

std::string feature_type(const ir::FeatureType& t) {
  std::string s(t.kind_name());
  if (t.kind == ir::FeatureType::Kind::MultiArray || t.kind == ir::FeatureType::Kind::State) {
    s = t.dtype_name();
    s += " [";
    for (size_t i = 0; i < t.shape.size(); ++i) s += (i ? ", " : "") + std::to_string(t.shape[i]);
    s += "]";
    if (t.has_flexible_shape()) s += " (flexible)";
    if (t.kind == ir::FeatureType::Kind::State) s = "state " + s;
  } else if (t.kind == ir::FeatureType::Kind::Image) {
    s += " " + std::to_string(t.image_width) + "x" + std::to_string(t.image_height);
  }
  if (t.optional) s += " optional";
  return s;
}

void feature_table(const char* id, const std::vector<ir::Feature>& features) {
  if (features.empty()) { ImGui::TextDisabled("none"); return; }
  if (ImGui::BeginTable(id, 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
    for (const auto& f : features) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(f.name.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(feature_type(f.type).c_str());
    }
    ImGui::EndTable();
  }
}

std::string bytes_text(uint64_t b) {
  char buf[32];
  if (b >= (1ull << 30)) std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(b) / (1ull << 30));
  else if (b >= (1ull << 20)) std::snprintf(buf, sizeof buf, "%.2f MiB", static_cast<double>(b) / (1ull << 20));
  else if (b >= 1024) std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(b) / 1024);
  else std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(b));
  return buf;
}

void row(const char* key, const std::string& value) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextDisabled("%s", key);
  ImGui::TableNextColumn();
  ImGui::TextWrapped("%s", value.c_str());
}

}  // namespace

void ModelPanel::Draw(Document& doc, bool* open) {
  if (!ImGui::Begin("Model", open)) { ImGui::End(); return; }
  const ModelSnapshot* snap = doc.snapshot();
  if (!snap) {
    ImGui::TextDisabled("No model open.");
    ImGui::End();
    return;
  }
  const ir::Model& m = *snap->model;
  if (ImGui::BeginTable("##summary", 2, ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("k", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 7);
    ImGui::TableSetupColumn("v", ImGuiTableColumnFlags_WidthStretch);
    {  // File name here, the full path on hover (long paths don't wrap well).
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextDisabled("File");
      ImGui::TableNextColumn();
      const std::string name = std::filesystem::path(m.path).filename().string();
      ImGui::TextUnformatted(name.empty() ? m.path.c_str() : name.c_str());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", m.path.c_str());
      const std::string dir = std::filesystem::path(m.path).parent_path().string();
      if (!dir.empty()) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextDisabled("Folder");
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(dir.c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", dir.c_str());
      }
    }
    row("Format", std::string(ir::format_name(m.format)));
    row("Kind", m.kind.empty() ? "(unknown)" : m.kind);
    row("Spec version", std::to_string(m.specification_version));
    if (m.is_ml_program()) row("Program version", std::to_string(m.program_version));
    row("Ops", std::to_string(m.op_count()) + " (consts included)");
    row("Weights", bytes_text(m.weight_bytes()));
    char timing[96];
    std::snprintf(timing, sizeof timing, "read %.1f ms, layout %.1f ms (measured here)", snap->open_ms, snap->layout_ms);
    row("Load time", timing);
    ImGui::EndTable();
  }
  for (const auto& note : m.notes) ImGui::TextWrapped("Note: %s", note.c_str());

  if (ImGui::CollapsingHeader("Inputs", ImGuiTreeNodeFlags_DefaultOpen)) feature_table("##in", m.inputs);
  if (ImGui::CollapsingHeader("Outputs", ImGuiTreeNodeFlags_DefaultOpen)) feature_table("##out", m.outputs);
  if (!m.states.empty() && ImGui::CollapsingHeader("States", ImGuiTreeNodeFlags_DefaultOpen)) feature_table("##states", m.states);
  if (!m.functions.empty() && ImGui::CollapsingHeader("Functions", ImGuiTreeNodeFlags_DefaultOpen)) {
    for (size_t f = 0; f < m.functions.size(); ++f) {
      const auto& fn = m.functions[f];
      ImGui::PushID(static_cast<int>(f));
      const bool current = static_cast<int32_t>(f) == doc.selection().function;
      const std::string label = fn.name + "  (" + std::to_string(fn.ops.size()) + " ops, " + (fn.opset.empty() ? "no opset" : fn.opset) + ")";
      if (ImGui::Selectable(label.c_str(), current)) doc.select_function(static_cast<int32_t>(f));
      ImGui::PopID();
    }
  }
  if (ImGui::CollapsingHeader("Op types")) {
    std::vector<std::pair<std::string, int64_t>> counts(m.op_counts().begin(), m.op_counts().end());
    std::stable_sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [type, count] : counts) ImGui::BulletText("%s: %lld", type.c_str(), static_cast<long long>(count));
  }
  if (ImGui::CollapsingHeader("Placement", ImGuiTreeNodeFlags_DefaultOpen)) {
    if (!snap->placement) {
      ImGui::TextWrapped("No placement: %s", snap->placement_error.empty() ? "not computed" : snap->placement_error.c_str());
    } else {
      const auto& p = *snap->placement;
      ImGui::Text("Source: %s", std::string(analysis::source_name(p.source)).c_str());
      if (p.source == analysis::PlacementSource::Estimated) ImGui::TextDisabled("an estimate from rules, not a measurement");
      const auto counts = analysis::count_placement(p);
      for (const auto& [device, n] : counts.preferred) ImGui::BulletText("%s: %lld ops", device.c_str(), static_cast<long long>(n));
      for (const auto& f : p.findings) ImGui::TextWrapped("%s: %s", f.severity.c_str(), f.message.c_str());
      for (const auto& note : p.notes) ImGui::TextDisabled("%s", note.c_str());
    }
  }
  const auto& md = m.metadata;
  if (ImGui::CollapsingHeader("Metadata")) {
    if (ImGui::BeginTable("##meta", 2, ImGuiTableFlags_SizingStretchProp)) {
      ImGui::TableSetupColumn("k", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 7);
      ImGui::TableSetupColumn("v", ImGuiTableColumnFlags_WidthStretch);
      if (!md.short_description.empty()) row("Description", md.short_description);
      if (!md.author.empty()) row("Author", md.author);
      if (!md.license.empty()) row("License", md.license);
      if (!md.version.empty()) row("Version", md.version);
      for (const auto& [k, v] : md.user_defined) row(k.c_str(), v);
      for (const auto& [k, v] : m.program_attributes) row(k.c_str(), v);
      ImGui::EndTable();
    }
  }
  if (!m.submodels.empty() && ImGui::CollapsingHeader("Pipeline", ImGuiTreeNodeFlags_DefaultOpen))
    for (size_t i = 0; i < m.submodels.size(); ++i)
      ImGui::BulletText("%s: %s", i < m.submodel_names.size() ? m.submodel_names[i].c_str() : "(model)", m.submodels[i].kind.c_str());
  ImGui::End();
}

}  // namespace mlscope::gui
