#include "widgets/op_table.h"

#include <imgui.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "widgets/color_modes.h"
#include "widgets/number_format.h"
#include "widgets/theme.h"

namespace mlscope::gui {
namespace {

// Display order: what a user scans first (device, lineage, cost) sits next to the name.
enum Column : int { kIndex, kType, kName, kDevice, kLineage, kCost, kOutput, kOpset, kBlock, kColumnCount };

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

const char* device_label(int d) {
  switch (d) {
    case 0: return "CPU";
    case 1: return "GPU";
    case 2: return "Neural Engine";
    case OpTable::kNoDevice: return "none";
    default: return "all devices";
  }
}

// The op's cost record, or null (const ops, no analysis).
const analysis::OpCost* cost_of(const ModelSnapshot* snap, const FunctionAnalysis* fa, ir::OpId o) {
  if (!snap || !snap->cost || !fa || static_cast<size_t>(o) >= fa->cost.size() || fa->cost[static_cast<size_t>(o)] < 0) return nullptr;
  return &snap->cost->ops[static_cast<size_t>(fa->cost[static_cast<size_t>(o)])];
}

}  // namespace

bool OpTable::parse_device(const std::string& t, int& out) {
  if (t == "cpu" || t == "CPU") out = 0;
  else if (t == "gpu" || t == "GPU") out = 1;
  else if (t == "ane" || t == "neural_engine" || t == "neural-engine" || t == "NE") out = 2;
  else if (t == "none") out = kNoDevice;
  else if (t == "all" || t == "any") out = kAnyDevice;
  else return false;
  return true;
}

void OpTable::set_text_filter(const std::string& text) { std::snprintf(filter_, sizeof filter_, "%s", text.c_str()); }

int OpTable::device_of(const Document& doc, ir::OpId o) const {
  const ModelSnapshot* snap = doc.snapshot();
  const size_t f = static_cast<size_t>(doc.selection().function);
  if (!snap || !snap->placement || f >= snap->op_device.size() || static_cast<size_t>(o) >= snap->op_device[f].size()) return kNoDevice;
  return snap->op_device[f][static_cast<size_t>(o)];
}

void OpTable::rebuild(const Document& doc) {
  built_generation_ = doc.generation();
  built_function_ = doc.selection().function;
  built_filter_ = filter_;
  built_type_ = type_filter_;
  built_device_ = device_filter_;
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
    if (device_filter_ != kAnyDevice && device_of(doc, o) != device_filter_) continue;
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
  const ModelSnapshot* snap = doc.snapshot();
  if (!fn || !snap) {
    ImGui::TextDisabled(snap ? "This model has no program (no ops)." : "No model open.");
    ImGui::End();
    return;
  }
  const FunctionAnalysis* fa = snap->function_analysis(doc.selection().function);
  const float font = ImGui::GetFontSize();
  ImGui::SetNextItemWidth(font * 10);
  ImGui::InputTextWithHint("##filter", "filter name / type", filter_, sizeof filter_);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 9);
  if (ImGui::BeginCombo("##type", type_filter_.empty() ? "all types" : type_filter_.c_str())) {
    if (ImGui::Selectable("all types", type_filter_.empty())) type_filter_.clear();
    for (const auto& t : types_)
      if (ImGui::Selectable(t.c_str(), t == type_filter_)) type_filter_ = t;
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(font * 8);
  ImGui::BeginDisabled(!snap->placement);
  if (ImGui::BeginCombo("##device", device_label(device_filter_))) {
    for (int d : {kAnyDevice, 0, 1, 2, kNoDevice})
      if (ImGui::Selectable(device_label(d), d == device_filter_)) device_filter_ = d;
    ImGui::EndCombo();
  }
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("Preferred device (%s)", snap->placement ? std::string(analysis::source_name(snap->placement->source)).c_str() : "no placement");
  ImGui::SameLine();
  ImGui::Checkbox("const", &show_constants_);
  if (built_generation_ != doc.generation() || built_function_ != doc.selection().function || built_filter_ != filter_ ||
      built_type_ != type_filter_ || built_device_ != device_filter_ || built_constants_ != show_constants_)
    rebuild(doc);
  ImGui::SameLine();
  ImGui::TextDisabled("%zu ops", rows_.size());

  const std::vector<ImU32> device_colors = NodeColors::colors_of(ColorMode::Device);
  const std::vector<ImU32> lineage_colors = NodeColors::colors_of(ColorMode::Lineage);
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter | ImGuiTableFlags_BordersV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_Sortable | ImGuiTableFlags_Hideable | ImGuiTableFlags_ScrollX;
  if (ImGui::BeginTable("##ops", kColumnCount, flags)) {
    ImGui::TableSetupScrollFreeze(1, 1);
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_DefaultSort | ImGuiTableColumnFlags_WidthFixed, font * 2.5f, kIndex);
    ImGui::TableSetupColumn("Type", ImGuiTableColumnFlags_WidthFixed, font * 8, kType);
    ImGui::TableSetupColumn("Name", ImGuiTableColumnFlags_WidthFixed, font * 10, kName);
    ImGui::TableSetupColumn("Device", ImGuiTableColumnFlags_WidthFixed, font * 3.6f, kDevice);
    ImGui::TableSetupColumn("Lineage", ImGuiTableColumnFlags_WidthFixed, font * 5.2f, kLineage);
    ImGui::TableSetupColumn("Est. MACs", ImGuiTableColumnFlags_WidthFixed, font * 7, kCost);
    ImGui::TableSetupColumn("Output", ImGuiTableColumnFlags_WidthFixed, font * 11, kOutput);
    ImGui::TableSetupColumn("Opset", ImGuiTableColumnFlags_WidthFixed, font * 4.5f, kOpset);
    ImGui::TableSetupColumn("Block", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_DefaultHide, font * 6, kBlock);
    ImGui::TableHeadersRow();
    if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && (specs->SpecsDirty || sort_dirty_)) {
      if (specs->SpecsCount > 0) {
        sort_column_ = static_cast<int>(specs->Specs[0].ColumnUserID);
        sort_ascending_ = specs->Specs[0].SortDirection != ImGuiSortDirection_Descending;
      }
      auto lineage_of = [&](ir::OpId o) { return fa && static_cast<size_t>(o) < fa->lineage.size() ? static_cast<int>(fa->lineage[static_cast<size_t>(o)]) : -1; };
      auto macs_of = [&](ir::OpId o) -> int64_t { const auto* c = cost_of(snap, fa, o); return c && c->known ? static_cast<int64_t>(c->macs) : -1; };
      auto key_less = [&](ir::OpId a, ir::OpId b) {
        const ir::Op &oa = fn->op(a), &ob = fn->op(b);
        switch (sort_column_) {
          case kType: return oa.type != ob.type ? oa.type < ob.type : a < b;
          case kOpset: return oa.dialect != ob.dialect ? oa.dialect < ob.dialect : a < b;
          case kName: return oa.name != ob.name ? oa.name < ob.name : a < b;
          case kOutput: return output_text(*fn, oa) < output_text(*fn, ob);
          case kDevice: { const int da = device_of(doc, a), db = device_of(doc, b); return da != db ? da < db : a < b; }
          case kLineage: { const int la = lineage_of(a), lb = lineage_of(b); return la != lb ? la < lb : a < b; }
          case kCost: { const int64_t ma = macs_of(a), mb = macs_of(b); return ma != mb ? ma < mb : a < b; }
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
    auto swatch = [&](ImU32 col) {
      const ImVec2 p = ImGui::GetCursorScreenPos();
      const float s = font * 0.7f;
      ImGui::GetWindowDrawList()->AddRectFilled({p.x, p.y + font * 0.15f}, {p.x + s, p.y + font * 0.15f + s}, col, 2);
      ImGui::Dummy({s, font});
      ImGui::SameLine(0, font * 0.3f);
    };
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows_.size()));
    char buf[64];
    while (clipper.Step())
      for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
        const ir::OpId o = rows_[static_cast<size_t>(r)];
        const ir::Op& op = fn->op(o);
        ImGui::PushID(o);  // the op id, stable under sorting
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        std::snprintf(buf, sizeof buf, "%d", o);
        if (ImGui::Selectable(buf, doc.selection().op == o, ImGuiSelectableFlags_SpanAllColumns)) {
          doc.select(doc.selection().function, o);
          seen_focus_ = doc.focus_serial();
        }
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(op.qualified_type().c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(op.name.c_str());
        ImGui::TableNextColumn();
        if (snap->placement) {
          const int d = device_of(doc, o);
          swatch(device_colors[d < 0 ? 3 : static_cast<size_t>(d)]);
          ImGui::TextUnformatted(d < 0 ? "-" : d == 2 ? "NE" : device_label(d));
          if (ImGui::IsItemHovered() && d >= 0) ImGui::SetTooltip("%s (%s)", device_label(d), std::string(analysis::source_name(snap->placement->source)).c_str());
        }
        ImGui::TableNextColumn();
        if (fa && static_cast<size_t>(o) < fa->lineage.size()) {
          const auto k = fa->lineage[static_cast<size_t>(o)];
          swatch(lineage_colors[static_cast<size_t>(k)]);
          ImGui::TextUnformatted(std::string(analysis::lineage_kind_short(k)).c_str());
          if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", std::string(analysis::lineage_kind_name(k)).c_str());
        }
        ImGui::TableNextColumn();
        if (const analysis::OpCost* c = cost_of(snap, fa, o)) {
          if (!c->known) ImGui::TextDisabled("unknown");
          else if (c->macs == 0) ImGui::TextDisabled("0");
          else {
            const double share = fa->total_macs ? 100.0 * static_cast<double>(c->macs) / static_cast<double>(fa->total_macs) : 0;
            std::snprintf(buf, sizeof buf, "%s (%.1f%%)", human_count(static_cast<double>(c->macs)).c_str(), share);
            ImGui::TextUnformatted(buf);
          }
        }
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(output_text(*fn, op).c_str());
        ImGui::TableNextColumn();
        // Ops carry their function's active specialization (MIL opset); NN layers have none.
        ImGui::TextUnformatted(op.dialect == ir::Dialect::NeuralNetwork ? "NN" : fn->opset.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(fn->block_path(op.parent).c_str());
        ImGui::PopID();
      }
    ImGui::EndTable();
  }
  ImGui::End();
}

}  // namespace mlscope::gui
