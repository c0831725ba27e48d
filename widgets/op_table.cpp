#include "widgets/op_table.h"

#include <imgui.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace mlscope::gui {
namespace {

enum Column : int { kIndex, kType, kName, kOutput, kBlock };

bool contains_ci(std::string_view hay, std::string_view needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); });
  return it != hay.end();
}

std::string output_text(const ir::Function& fn, const ir::Op& op) {
  if (op.outputs.empty()) return {};
  std::string s = fn.value(op.outputs.front()).type.str();
  if (op.outputs.size() > 1) s += " (+" + std::to_string(op.outputs.size() - 1) + ")";
  return s;
}

}  // namespace

void OpTable::rebuild(const Document& doc) {
  built_generation_ = doc.generation();
  built_function_ = doc.selection().function;
  built_filter_ = filter_;
  built_type_ = type_filter_;
  built_constants_ = show_constants_;
  rows_.clear();
  types_.clear();
  const ir::Function* fn = doc.current_function();
  if (!fn) return;
  std::set<std::string> types;
  for (ir::OpId o : fn->program_order()) {
    const ir::Op& op = fn->op(o);
    types.insert(op.type);
    if (op.is_const() && !show_constants_ && type_filter_ != "const") continue;
    if (!type_filter_.empty() && op.type != type_filter_) continue;
    if (filter_[0]) {
      bool hit = contains_ci(op.type, filter_) || contains_ci(op.name, filter_);
      for (ir::ValueId v : op.outputs) hit = hit || contains_ci(fn->value(v).name, filter_);
      if (!hit) continue;
    }
    rows_.push_back(o);
  }
  types_.assign(types.begin(), types.end());
  sort_dirty_ = true;
}

void OpTable::Draw(Document& doc, bool* open) {
  if (!ImGui::Begin("Ops", open)) { ImGui::End(); return; }
  const ir::Function* fn = doc.current_function();
  if (!fn) {
    ImGui::TextDisabled("No model open.");
    ImGui::End();
    return;
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  ImGui::InputTextWithHint("##filter", "filter name / type", filter_, sizeof filter_);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  if (ImGui::BeginCombo("##type", type_filter_.empty() ? "all types" : type_filter_.c_str())) {
    if (ImGui::Selectable("all types", type_filter_.empty())) type_filter_.clear();
    for (const auto& t : types_)
      if (ImGui::Selectable(t.c_str(), t == type_filter_)) type_filter_ = t;
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::Checkbox("const", &show_constants_);
  if (built_generation_ != doc.generation() || built_function_ != doc.selection().function || built_filter_ != filter_ ||
      built_type_ != type_filter_ || built_constants_ != show_constants_)
    rebuild(doc);
  ImGui::SameLine();
  ImGui::TextDisabled("%zu ops", rows_.size());

  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter | ImGuiTableFlags_BordersV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_Sortable | ImGuiTableFlags_Hideable;
  if (ImGui::BeginTable("##ops", 5, flags)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_DefaultSort | ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 3.5f, kIndex);
    ImGui::TableSetupColumn("Type", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 8, kType);
    ImGui::TableSetupColumn("Name", ImGuiTableColumnFlags_WidthStretch, 0, kName);
    ImGui::TableSetupColumn("Output", ImGuiTableColumnFlags_WidthStretch, 0, kOutput);
    ImGui::TableSetupColumn("Block", ImGuiTableColumnFlags_DefaultHide, 0, kBlock);
    ImGui::TableHeadersRow();
    if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && (specs->SpecsDirty || sort_dirty_)) {
      if (specs->SpecsCount > 0) {
        sort_column_ = static_cast<int>(specs->Specs[0].ColumnUserID);
        sort_ascending_ = specs->Specs[0].SortDirection != ImGuiSortDirection_Descending;
      }
      auto key_less = [&](ir::OpId a, ir::OpId b) {
        const ir::Op &oa = fn->op(a), &ob = fn->op(b);
        switch (sort_column_) {
          case kType: return oa.type != ob.type ? oa.type < ob.type : a < b;
          case kName: return oa.name != ob.name ? oa.name < ob.name : a < b;
          case kOutput: return output_text(*fn, oa) < output_text(*fn, ob);
          case kBlock: return oa.parent != ob.parent ? oa.parent < ob.parent : a < b;
          default: return a < b;
        }
      };
      std::stable_sort(rows_.begin(), rows_.end(), [&](ir::OpId a, ir::OpId b) { return sort_ascending_ ? key_less(a, b) : key_less(b, a); });
      specs->SpecsDirty = false;
      sort_dirty_ = false;
    }
    // Scroll the selected op into view when another view selected it.
    if (seen_focus_ != doc.focus_serial()) {
      seen_focus_ = doc.focus_serial();
      auto it = std::find(rows_.begin(), rows_.end(), doc.selection().op);
      if (it != rows_.end()) {
        const float row_h = ImGui::GetTextLineHeightWithSpacing();
        ImGui::SetScrollY(std::max(0.0f, static_cast<float>(it - rows_.begin()) * row_h - ImGui::GetWindowHeight() * 0.4f));
      }
    }
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows_.size()));
    while (clipper.Step())
      for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
        const ir::OpId o = rows_[static_cast<size_t>(r)];
        const ir::Op& op = fn->op(o);
        ImGui::PushID(o);  // the op id, stable under sorting
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        char idx[16];
        std::snprintf(idx, sizeof idx, "%d", o);
        if (ImGui::Selectable(idx, doc.selection().op == o, ImGuiSelectableFlags_SpanAllColumns)) {
          doc.select(doc.selection().function, o);
          seen_focus_ = doc.focus_serial();
        }
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(op.qualified_type().c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(op.name.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(output_text(*fn, op).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(fn->block_path(op.parent).c_str());
        ImGui::PopID();
      }
    ImGui::EndTable();
  }
  ImGui::End();
}

}  // namespace mlscope::gui
