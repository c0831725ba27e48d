// The GUI's windows in one registration list: each entry says how a window is drawn, where the
// menus list it, the key its open state is saved under (settings.json "windows") and its name
// for the script verb `panel NAME [TAB]`. The app iterates the list for drawing, menus, saved
// state and the verb; nothing else names the windows.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace mlscope::gui {

struct Panel {
  std::string title;         ///< ImGui window name ("Graph", "fp16 hazards")
  std::string menu;          ///< the main-menu entry that lists it ("View", "Compare")
  std::string menu_label;    ///< its item there
  std::string key;           ///< settings.json windows.<key> and `panel <key>`
  bool* open = nullptr;      ///< the open state, owned by the part that draws the window
  bool default_open = false; ///< before settings.json says otherwise
  bool covers_graph = false; ///< drawn over the graph: `panel graph` / `panel none` close it
  std::function<void(bool* open)> draw;
  /// `panel KEY TAB`: show one of its tabs (empty when it has none).
  std::function<void(const std::string& tab)> show_tab;
};

using PanelList = std::vector<Panel>;

}  // namespace mlscope::gui
