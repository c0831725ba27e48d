#include "widgets/hazards_panel.h"

#include <imgui.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/compare/hazards.h"
#include "core/exec/band_runner.h"
#include "core/io/input_files.h"
#include "core/exec/numeric_profile.h"

namespace mlscope::gui {

namespace {

std::string percent(double f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, f > 0 && f < 1e-3 ? "%.2g%%" : "%.3g%%", 100 * f);
  return buf;
}

}  // namespace

bool HazardsUi::start(const Document& doc, const std::string& profile_name, const std::string& input, std::string& error) {
  const bool started = session_.start(doc, profile_name, input, error);
  if (started || session_.task().busy()) {  // the request was valid: the controls show it
    const auto names = exec::NumericProfile::builtin_names();
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == profile_name) profile_ = int(i);
    std::snprintf(input_, sizeof input_, "%s", input.c_str());
  }
  return started;
}

bool HazardsUi::waiting() {
  if (!wait_) return false;
  if (session_.task().busy()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(40));  // give the CPU to the job
    return true;
  }
  wait_ = false;
  return false;
}

void HazardsUi::update(Document& doc, GraphView& graph) {
  const bool was_busy = session_.task().busy();
  session_.poll(doc);
  overlay_.set_result(session_.result());
  if (was_busy && !session_.task().busy() && !session_.error().empty()) error_ = session_.error();
  graph.set_overlay(ColorMode::Hazards, &overlay_);
}

void HazardsUi::add_panels(PanelList& panels, Document& doc) {
  panels.push_back({"fp16 hazards", "View", "fp16 hazards", "hazards", &show_, false, false, [this, &doc](bool* open) {
                      ImGui::SetNextWindowBgAlpha(1.0f);
                      draw_panel(doc, open);
                    }, {}});
}

void HazardsUi::draw_panel(Document& doc, bool* open) {
  // First use: the lower right, over the MIL text, clear of the graph's legend.
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos({display.x * 0.42f, display.y * 0.56f}, ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize({display.x * 0.57f, display.y * 0.42f}, ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("fp16 hazards", open)) {
    ImGui::End();
    return;
  }
  const auto names = exec::NumericProfile::builtin_names();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  if (ImGui::BeginCombo("profile", names[static_cast<size_t>(profile_)].c_str())) {
    for (size_t i = 0; i < names.size(); ++i)
      if (ImGui::Selectable(names[i].c_str(), int(i) == profile_)) profile_ = int(i);
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
  ImGui::InputTextWithHint("input", "random:0, or name=file.npy", input_, sizeof input_);
  ImGui::SameLine();
  if (session_.task().busy()) {
    if (ImGui::Button("Stop")) session_.stop();
    ImGui::SameLine();
    ImGui::ProgressBar(session_.task().fraction(), {-1, 0}, session_.task().stage().c_str());
  } else if (ImGui::Button("Analyze")) {
    error_.clear();
    start(doc, names[static_cast<size_t>(profile_)], input_, error_);
  }
  if (!error_.empty()) ImGui::TextColored({1, 0.4f, 0.4f, 1}, "%s", error_.c_str());
  if (!session_.result()) {
    ImGui::TextDisabled("Runs the program in fp32 and under the profile and lists, per op output, fp16 overflow, underflow,");
    ImGui::TextDisabled("NaN/inf (and where it starts), quantize clipping. Then Graph > color: fp16 hazards.");
    ImGui::End();
    return;
  }
  const compare::HazardReport& r = session_.result()->report;
  ImGui::Text("%s", r.provenance.c_str());
  std::string summary;
  for (const auto& [kind, n] : r.summary) summary += kind + " " + std::to_string(n) + "   ";
  ImGui::Text("profile %s, input %s, %.2f s:  %s", r.profile.c_str(), session_.result()->input_label.c_str(), session_.result()->seconds, summary.c_str());
  if (r.nonfinite_origin) ImGui::TextColored({1, 0.45f, 0.4f, 1}, "NaN/inf starts at %s", r.nonfinite_origin->describe().c_str());
  else ImGui::TextDisabled("no NaN/inf under this profile");
  draw_band_partings(r);
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable;
  if (ImGui::BeginTable("hazards", 6, flags)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    for (const char* h : {"severity", "kind", "op", "count", "fraction", "detail"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < r.hazards.size(); ++i) {
      const compare::Hazard& h = r.hazards[i];
      const ir::OpId op = session_.result()->hazard_op[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushID(static_cast<int>(i));
      const bool selected = op != ir::kNone && doc.selection().op == op && doc.selection().function == session_.result()->function;
      ImGui::ColorButton("##sev", ImGui::ColorConvertU32ToFloat4(HazardsOverlay::severity_color(int(h.severity))), ImGuiColorEditFlags_NoTooltip,
                         {ImGui::GetFontSize() * 0.8f, ImGui::GetFontSize() * 0.8f});
      ImGui::SameLine();
      if (ImGui::Selectable(std::string(compare::severity_name(h.severity)).c_str(), selected, ImGuiSelectableFlags_SpanAllColumns) && op != ir::kNone)
        doc.select(session_.result()->function, op);
      ImGui::PopID();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(std::string(compare::hazard_kind_name(h.kind)).c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%s (%s)", h.op.c_str(), h.type.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%llu", static_cast<unsigned long long>(h.count));
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(percent(h.fraction).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(h.detail.c_str());
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

// Where the Neural Engine band's accumulation schemes first part (profiles ane / ane-w8a8):
// from that op on, the emulated Neural Engine value is a range, not a number.
void HazardsUi::draw_band_partings(const compare::HazardReport& r) const {
  if (r.band.empty()) return;
  if (r.band_partings.empty()) {
    ImGui::TextDisabled("Neural Engine band (%zu schemes): members never part on this input", r.band_member_count);
    return;
  }
  const exec::BandParting& first = r.band_partings.front();
  ImGui::TextColored({1.0f, 0.72f, 0.25f, 1}, "Neural Engine band (%zu schemes) parts at %zu op(s), first at %s (%s)", r.band_member_count,
                     r.band_partings.size(), first.op_name.c_str(), first.op_type.c_str());
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::TextUnformatted("ops where the band's accumulation schemes give different values (emulated):");
    for (const auto& p : r.band_partings)
      ImGui::Text("%s (%s): %zu groups, max |diff| %.4g = %.3g of max |x|", p.op_name.c_str(), p.op_type.c_str(), p.groups.size(),
                  p.max_abs_diff, p.spread);
    ImGui::EndTooltip();
  }
}

void HazardsUi::draw_inspector_section(const Document& doc) const {
  if (!session_.result() || doc.selection().function != session_.result()->function) return;
  const ir::OpId op = doc.selection().op;
  if (op < 0 || static_cast<size_t>(op) >= session_.result()->by_op.size()) return;
  if (!ImGui::CollapsingHeader("fp16 hazards", ImGuiTreeNodeFlags_DefaultOpen)) return;
  const auto& list = session_.result()->by_op[static_cast<size_t>(op)];
  ImGui::TextDisabled("emulated: fp32 run vs %s run", session_.result()->report.profile.c_str());
  if (list.empty()) ImGui::TextUnformatted("none for this op");
  for (size_t i : list) {
    const compare::Hazard& h = session_.result()->report.hazards[i];
    ImGui::ColorButton("##sev", ImGui::ColorConvertU32ToFloat4(HazardsOverlay::severity_color(int(h.severity))), ImGuiColorEditFlags_NoTooltip,
                       {ImGui::GetFontSize() * 0.8f, ImGui::GetFontSize() * 0.8f});
    ImGui::SameLine();
    if (h.kind == compare::HazardKind::Accumulation)  // count is partial sums, elements are sums: not "N of M"
      ImGui::Text("%s accumulation: max |partial sum| %.4g", std::string(compare::severity_name(h.severity)).c_str(), h.max_abs);
    else
      ImGui::Text("%s %s: %llu of %llu (%s), max |x| %.4g", std::string(compare::severity_name(h.severity)).c_str(),
                  std::string(compare::hazard_kind_name(h.kind)).c_str(), static_cast<unsigned long long>(h.count),
                  static_cast<unsigned long long>(h.elements), percent(h.fraction).c_str(), h.max_abs);
    ImGui::TextWrapped("%s", h.detail.c_str());
    if (!h.advice.empty()) ImGui::TextWrapped("advice: %s", h.advice.c_str());
  }
}

void HazardsUi::add_script_verbs(ScriptVerbs& v, Document& doc, GraphView& graph) {
  v.add("hazards", false, "hazards [PROFILE [INPUT]]", [this, &doc](const std::string& arg) {
    const auto [profile, input] = split_first_word(arg);
    show_ = true;
    std::string error;
    start(doc, profile.empty() ? "gpu" : profile, input, error);
    return error;
  });
  v.add("wait-hazards", false, "wait-hazards", [this](const std::string&) { wait_ = true; return std::string(); });
  v.add("select-hazard", true, "select-hazard I", [this, &doc](const std::string& arg) {
    const size_t i = std::strtoull(arg.c_str(), nullptr, 10);
    const auto& r = session_.result();
    if (!r || i >= r->hazard_op.size() || r->hazard_op[i] == ir::kNone) return "no hazard #" + arg;
    doc.select(r->function, r->hazard_op[i]);
    return std::string();
  });
  v.add("dump-hazards", true, "dump-hazards FILE", [this, &doc, &graph](const std::string& arg) { return dump_state(arg, doc, graph); });
}

std::string HazardsUi::dump_state(const std::string& path, const Document& doc, const GraphView& graph) const {
  nlohmann::json j;
  j["job_running"] = session_.task().busy();
  j["last_error"] = session_.error();
  std::string mode;
  for (const ColorModeInfo& info : color_modes())
    if (info.mode == graph.color_mode()) mode = info.script_name;
  j["color_mode"] = mode;
  std::string why;
  j["overlay_available"] = overlay_.available(doc.selection().function, &why);
  j["overlay_why"] = why;
  const ir::Function* fn = doc.current_function();
  const ir::OpId sel = doc.selection().op;
  j["selected_op"] = fn && sel != ir::kNone ? nlohmann::json(fn->op(sel).name) : nlohmann::json(nullptr);
  if (session_.result()) {
    const compare::HazardReport& r = session_.result()->report;
    j["profile"] = r.profile;
    j["hazards"] = r.hazards.size();
    j["summary"] = r.summary;
    j["nonfinite_origin"] = r.nonfinite_origin ? nlohmann::json(r.nonfinite_origin->op) : nlohmann::json(nullptr);
    j["band"] = r.band.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.band);
    j["band_first_parting"] = r.band_partings.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.band_partings.front().op_name);
    j["origin_marked"] = session_.result()->origin != ir::kNone && overlay_.op_marked(session_.result()->function, session_.result()->origin);
    j["origin_color"] = session_.result()->origin != ir::kNone ? overlay_.op_color(session_.result()->function, session_.result()->origin) : 0u;
    j["critical_color"] = HazardsOverlay::severity_color(int(compare::HazardSeverity::Critical));
    nlohmann::json sel_h = nlohmann::json::array();
    if (sel != ir::kNone && static_cast<size_t>(sel) < session_.result()->by_op.size() && doc.selection().function == session_.result()->function)
      for (size_t i : session_.result()->by_op[static_cast<size_t>(sel)])
        sel_h.push_back({{"kind", std::string(compare::hazard_kind_name(r.hazards[i].kind))},
                         {"severity", std::string(compare::severity_name(r.hazards[i].severity))}});
    j["selected_op_hazards"] = sel_h;
    j["seconds"] = session_.result()->seconds;
  }
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  return out ? "" : "cannot write " + path;
}

}  // namespace mlscope::gui
