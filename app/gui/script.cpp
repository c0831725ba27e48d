#include "app/gui/script.h"

#include <algorithm>
#include <fstream>

namespace mlscope::gui {

std::optional<std::string> Script::load(const std::string& path, const ScriptVerbs& verbs, Script& out) {
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
    const ScriptVerb* verb = verbs.find(c.verb);
    if (!verb) return path + ":" + std::to_string(n) + ": unknown verb '" + c.verb + "'";
    if (verb->needs_arg && c.arg.empty()) return path + ":" + std::to_string(n) + ": '" + c.verb + "' needs an argument (" + verb->usage + ")";
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
