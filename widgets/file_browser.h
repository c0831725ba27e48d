// In-app file browser (modal): lists folders and Core ML files (.mlpackage, .mlmodelc, .mlmodel,
// .mil); package folders open as models instead of being entered.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mlscope::gui {

class FileBrowser {
 public:
  /// Opens the dialog at `dir` (the current folder when empty), titled `title`.
  void open(const std::string& dir, const std::string& title = "Open model");
  /// The title it was last opened with (tells the caller what the chosen path is for).
  const std::string& title() const { return title_; }
  /// Draws the dialog if open; returns the chosen model path once.
  std::optional<std::string> Draw();

  /// True for the model extensions above (directories included).
  static bool is_model_path(const std::string& path);

 private:
  void list(const std::string& dir);

  struct Entry {
    std::string name;
    bool directory = false;
    bool model = false;
  };
  bool open_request_ = false;
  std::string dir_, error_, title_ = "Open model";
  char path_buf_[1024] = {};
  std::vector<Entry> entries_;
  int selected_ = -1;
  bool show_all_ = false;
};

}  // namespace mlscope::gui
