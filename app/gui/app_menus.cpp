// App: menu bar, default window arrangement, progress / error / empty-state overlays.
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <filesystem>

#include "app/gui/app.h"
#include "widgets/theme.h"

namespace mlscope::gui {

App::GraphArea App::default_graph_area() {
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  const float top = ImGui::GetFrameHeight(), lw = d.x * 0.22f, rw = d.x * 0.30f, h = d.y - top;
  return {{lw, top}, {d.x - lw - rw, h * 0.64f}};
}

void App::default_layout() {
  // First use only: afterwards imgui.ini remembers where the user put each window.
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  const float top = ImGui::GetFrameHeight();
  // MIL text lines are long (typed tensors): give that pane ~30% of the width.
  const float lw = d.x * 0.22f, rw = d.x * 0.30f, h = d.y - top;
  const float cw = d.x - lw - rw, gh = h * 0.64f;
  struct Place { const char* name; ImVec2 pos, size; };
  const Place places[] = {
      {"Model", {0, top}, {lw, h * 0.48f}},
      {"Inspector", {0, top + h * 0.48f}, {lw, h * 0.52f}},
      {"Graph", {lw, top}, {cw, gh}},
      {"Ops", {lw, top + gh}, {cw, h - gh}},
      {"MIL text", {lw + cw, top}, {rw, h}},
  };
  for (const auto& p : places) {
    ImGui::SetWindowPos(p.name, p.pos, ImGuiCond_FirstUseEver);
    ImGui::SetWindowSize(p.name, p.size, ImGuiCond_FirstUseEver);
  }
  compare_.default_layout(top);
}

void App::draw_menu() {
  ImGuiIO& io = ImGui::GetIO();
  if (io.KeyCtrl && ImGui::IsKeyPressed('O', false)) browser_.open(doc_.path().empty() ? "" : std::filesystem::path(doc_.path()).parent_path().string());
  if (io.KeyCtrl && ImGui::IsKeyPressed('R', false)) doc_.reload();
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open...", "Ctrl+O")) browser_.open(doc_.path().empty() ? "" : std::filesystem::path(doc_.path()).parent_path().string());
    if (ImGui::BeginMenu("Open recent", !settings_.recent.empty())) {
      std::string chosen;
      for (size_t i = 0; i < settings_.recent.size(); ++i) {
        ImGui::PushID(static_cast<int>(i));
        if (ImGui::MenuItem(settings_.recent[i].c_str())) chosen = settings_.recent[i];
        ImGui::PopID();
      }
      ImGui::Separator();
      if (ImGui::MenuItem("Clear list")) settings_.recent.clear();
      ImGui::EndMenu();
      if (!chosen.empty()) open(chosen);
    }
    if (ImGui::MenuItem("Reload", "Ctrl+R", false, !doc_.path().empty())) doc_.reload();
    // Model B beside this one: its outputs as a backend, per-op divergence against it.
    if (ImGui::MenuItem("Compare with model...", nullptr, false, compare_session_.has_model()))
      browser_.open(std::filesystem::path(doc_.path()).parent_path().parent_path().string(), kCompareWithTitle);
    ImGui::Separator();
    if (ImGui::MenuItem("Quit", "Ctrl+Q")) quit_ = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    for (Panel& p : panels_)
      if (p.menu == "View") ImGui::MenuItem(p.menu_label.c_str(), nullptr, p.open);
    ImGui::Separator();
    if (ImGui::MenuItem("Dark theme", nullptr, current_theme() == Theme::Dark)) { apply_theme(Theme::Dark, scale_); settings_.dark = true; }
    if (ImGui::MenuItem("Light theme", nullptr, current_theme() == Theme::Light)) { apply_theme(Theme::Light, scale_); settings_.dark = false; }
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Compare")) {
    for (Panel& p : panels_)
      if (p.menu == "Compare") ImGui::MenuItem(p.menu_label.c_str(), nullptr, p.open);
    ImGui::EndMenu();
  }
  if (io.KeyCtrl && ImGui::IsKeyPressed('Q', false)) quit_ = true;
  // Right side: what is open.
  if (const ModelSnapshot* s = doc_.snapshot()) {
    const std::string name = std::filesystem::path(s->model->path).filename().string();
    char info[512];
    std::snprintf(info, sizeof info, "%s  ·  %s  ·  %lld ops", name.c_str(), s->model->kind.c_str(), static_cast<long long>(s->model->op_count()));
    const float w = ImGui::CalcTextSize(info).x;
    ImGui::SameLine(std::max(ImGui::GetCursorPosX() + 20, ImGui::GetWindowWidth() - w - 16));
    ImGui::TextDisabled("%s", info);
  }
  ImGui::EndMainMenuBar();
}

void App::draw_status_overlays() {
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  const ImVec2 center{d.x * 0.5f, d.y * 0.45f};
  const float font = ImGui::GetFontSize();
  const ImGuiWindowFlags overlay = ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove;
  if (doc_.busy()) {
    ImGui::SetNextWindowPos(center, ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowFocus();
    if (ImGui::Begin("Opening###progress", nullptr, overlay)) {
      ImGui::Text("Opening %s", doc_.pending_path().c_str());
      ImGui::ProgressBar(doc_.progress_fraction(), ImVec2(font * 24, 0), doc_.progress_text().c_str());
      if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) doc_.cancel();
    }
    ImGui::End();
  } else if (doc_.error()) {
    const LoadError& e = *doc_.error();
    ImGui::SetNextWindowPos(center, ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSizeConstraints(ImVec2(font * 20, 0), ImVec2(d.x * 0.7f, d.y * 0.6f));
    ImGui::SetNextWindowFocus();
    if (ImGui::Begin("Could not open the model###error", nullptr, overlay)) {
      ImGui::PushTextWrapPos(d.x * 0.65f);
      ImGui::TextColored(ImVec4(1.0f, 0.35f, 0.35f, 1.0f), "%s", e.message.c_str());
      ImGui::Spacing();
      ImGui::Text("Where: %s", e.where.c_str());
      ImGui::TextDisabled("File: %s", e.path.c_str());
      if (doc_.has_model()) ImGui::TextDisabled("Still showing the previous model.");
      ImGui::PopTextWrapPos();
      if (ImGui::Button("Dismiss")) doc_.dismiss_error();
      ImGui::SameLine();
      if (ImGui::Button("Open another...")) { doc_.dismiss_error(); browser_.open(""); }
    }
    ImGui::End();
  } else if (!doc_.has_model()) {
    ImGui::SetNextWindowPos(center, ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    if (ImGui::Begin("Welcome to mlscope###empty", nullptr, overlay)) {
      ImGui::TextUnformatted(empty_message_.c_str());
      ImGui::Spacing();
      if (ImGui::Button("Open a model...")) browser_.open("");
      if (!settings_.recent.empty()) {
        ImGui::Separator();
        ImGui::TextDisabled("Recent");
        for (size_t i = 0; i < settings_.recent.size() && i < 5; ++i) {
          ImGui::PushID(static_cast<int>(i));
          if (ImGui::Selectable(settings_.recent[i].c_str())) open(settings_.recent[i]);
          ImGui::PopID();
        }
      }
    }
    ImGui::End();
  }
}

}  // namespace mlscope::gui
