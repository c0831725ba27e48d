#include "widgets/file_browser.h"

#include <imgui.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace mlscope::gui {

namespace fs = std::filesystem;

bool FileBrowser::is_model_path(const std::string& path) {
  const std::string ext = fs::path(path).extension().string();
  return ext == ".mlpackage" || ext == ".mlmodelc" || ext == ".mlmodel" || ext == ".mil";
}

void FileBrowser::open(const std::string& dir, const std::string& title) {
  title_ = title;
  std::error_code ec;
  list(dir.empty() ? fs::current_path(ec).string() : dir);
  open_request_ = true;
}

void FileBrowser::list(const std::string& dir) {
  entries_.clear();
  error_.clear();
  selected_ = -1;
  std::error_code ec;
  dir_ = fs::weakly_canonical(fs::path(dir), ec).string();
  if (ec) dir_ = dir;
  std::snprintf(path_buf_, sizeof path_buf_, "%s", dir_.c_str());
  for (fs::directory_iterator it(dir_, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end; it.increment(ec)) {
    Entry e;
    e.name = it->path().filename().string();
    if (e.name.empty() || e.name[0] == '.') continue;
    std::error_code type_ec;
    e.directory = it->is_directory(type_ec);
    e.model = is_model_path(e.name);
    if (!e.directory && !e.model && !show_all_) continue;
    entries_.push_back(std::move(e));
  }
  if (ec) error_ = "Cannot list " + dir_ + ": " + ec.message();
  // Models first, then folders, then other files; each by name.
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    const int ra = a.model ? 0 : a.directory ? 1 : 2, rb = b.model ? 0 : b.directory ? 1 : 2;
    return ra != rb ? ra < rb : a.name < b.name;
  });
}

std::optional<std::string> FileBrowser::Draw() {
  if (open_request_) {
    ImGui::OpenPopup((title_ + "###filebrowser").c_str());
    open_request_ = false;
  }
  std::optional<std::string> chosen;
  const ImVec2 size{ImGui::GetFontSize() * 42, ImGui::GetFontSize() * 28};
  ImGui::SetNextWindowSize(size, ImGuiCond_Appearing);
  if (!ImGui::BeginPopupModal((title_ + "###filebrowser").c_str(), nullptr)) return chosen;
  if (ImGui::Button("Up")) list(fs::path(dir_).parent_path().string());
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 8);
  if (ImGui::InputText("##path", path_buf_, sizeof path_buf_, ImGuiInputTextFlags_EnterReturnsTrue)) {
    std::error_code ec;
    if (is_model_path(path_buf_) && fs::exists(path_buf_, ec)) chosen = path_buf_;
    else list(path_buf_);
  }
  ImGui::SameLine();
  if (ImGui::Checkbox("all files", &show_all_)) list(dir_);
  if (!error_.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", error_.c_str());
  ImGui::BeginChild("##entries", ImVec2(0, -ImGui::GetFrameHeightWithSpacing() * 1.3f), true);
  std::string enter_dir;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    ImGui::PushID(static_cast<int>(i));
    const std::string label = (e.model ? "[model]  " : e.directory ? "[dir]    " : "         ") + e.name + (e.directory && !e.model ? "/" : "");
    if (ImGui::Selectable(label.c_str(), selected_ == static_cast<int>(i), ImGuiSelectableFlags_AllowDoubleClick)) {
      selected_ = static_cast<int>(i);
      if (ImGui::IsMouseDoubleClicked(0)) {
        // A package folder is a model: open it instead of walking into it.
        if (e.model || !e.directory) chosen = (fs::path(dir_) / e.name).string();
        else enter_dir = (fs::path(dir_) / e.name).string();
      }
    }
    ImGui::PopID();
  }
  if (entries_.empty() && error_.empty()) ImGui::TextDisabled("No folders or Core ML models here.");
  ImGui::EndChild();
  if (!enter_dir.empty()) list(enter_dir);
  const bool can_open = selected_ >= 0 && static_cast<size_t>(selected_) < entries_.size();
  ImGui::BeginDisabled(!can_open);
  if (ImGui::Button("Open") && can_open) {
    const Entry& e = entries_[static_cast<size_t>(selected_)];
    if (e.directory && !e.model) list((fs::path(dir_) / e.name).string());
    else chosen = (fs::path(dir_) / e.name).string();
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
  if (chosen) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
  return chosen;
}

}  // namespace mlscope::gui
