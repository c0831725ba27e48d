// The app's own settings file (JSON, beside imgui.ini): recent files, theme, open windows.
#pragma once

#include <string>
#include <vector>

namespace mlscope::gui {

struct Settings {
  std::vector<std::string> recent;  ///< most recent first
  bool dark = true;
  bool show_model = true, show_graph = true, show_table = true, show_mil = true, show_inspector = true;

  /// Folder for settings.json and imgui.ini: $MLSCOPE_CONFIG_DIR, else $XDG_CONFIG_HOME/mlscope,
  /// else ~/.config/mlscope. Created on demand.
  static std::string config_dir();
  /// Missing or unreadable file: defaults (a broken settings file never stops the app).
  static Settings load(const std::string& dir);
  void save(const std::string& dir) const;
  void add_recent(const std::string& path);
};

}  // namespace mlscope::gui
