#include "app/gui/script.h"

#include <algorithm>
#include <fstream>
#include <set>

namespace mlscope::gui {

std::optional<std::string> Script::load(const std::string& path, Script& out) {
  static const std::set<std::string> kVerbs = {"open", "select", "function", "color-mode", "search", "fit", "zoom", "constants",
                                              "theme", "wait", "screenshot", "measure", "quit", "recording",
                                              "table-filter", "table-device", "table-type", "print-table", "print-graph", "submodel", "collapse", "expand",
                                              // comparison verbs (widgets/compare_ui.cpp)
                                              "backends", "reference", "load-recording", "input", "run", "wait-runs", "stop", "drift",
                                              "sweep", "divergence", "select-sweep-input", "panel", "export-plot", "export-csv",
                                              "export-json", "dump-state", "frame-times", "what-if", "divergence-focus", "class-axis", "position",
                                              // fp16 hazards verbs (widgets/hazards_panel.cpp)
                                              "hazards", "wait-hazards", "select-hazard", "dump-hazards"};
  static const std::set<std::string> kNeedArg = {"open", "select", "function", "color-mode", "search", "zoom", "constants",
                                                "theme", "wait", "screenshot", "measure", "recording",
                                                "table-filter", "table-device", "table-type", "submodel", "collapse", "expand",
                                                "backends", "reference", "load-recording", "input", "drift", "sweep",
                                                "select-sweep-input", "panel", "export-plot", "export-csv", "export-json", "dump-state",
                                                "frame-times", "what-if", "class-axis", "position", "select-hazard", "dump-hazards"};
  std::ifstream in(path);
  if (!in) return path + ": cannot read script";
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos || line[start] == '#') continue;
    size_t end = line.find_last_not_of(" \t\r");
    line = line.substr(start, end - start + 1);
    ScriptCommand c;
    c.line = n;
    const size_t space = line.find(' ');
    c.verb = line.substr(0, space);
    if (space != std::string::npos) c.arg = line.substr(line.find_first_not_of(' ', space));
    if (!kVerbs.count(c.verb)) return path + ":" + std::to_string(n) + ": unknown verb '" + c.verb + "'";
    if (kNeedArg.count(c.verb) && c.arg.empty()) return path + ":" + std::to_string(n) + ": '" + c.verb + "' needs an argument";
    out.commands_.push_back(std::move(c));
  }
  return std::nullopt;
}

const ScriptCommand* Script::poll(bool document_busy) {
  if (document_busy || done()) return nullptr;
  if (wait_ > 0) { --wait_; return nullptr; }
  const ScriptCommand* c = &commands_[next_++];
  wait_ = 3;  // let views react (fit, focus, window sizes) before the next command
  return c;
}

}  // namespace mlscope::gui
