// The app's own settings file (JSON, beside imgui.ini): recent files, theme, open windows.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace mlscope::gui {

struct Settings {
  std::vector<std::string> recent;  ///< most recent first
  bool dark = true;
  /// Open state per window, by its panel key (widgets/panels.h); absent = the panel's default.
  std::map<std::string, bool> windows;

  /// Folder for settings.json and imgui.ini: $MLSCOPE_CONFIG_DIR, else $XDG_CONFIG_HOME/mlscope,
  /// else ~/.config/mlscope. Created on demand.
  static std::string config_dir();
  /// Missing or unreadable file: defaults (a broken settings file never stops the app).
  static Settings load(const std::string& dir);
  void save(const std::string& dir) const;
  void add_recent(const std::string& path);
};

}  // namespace mlscope::gui
