// The verbs of `mlscope --script FILE` in one table. Each part of the window registers the verbs
// that drive it beside its own code (CompareUi, HazardsUi, the app's views); the script reader
// checks every line against this table and the app runs a line by looking its verb up here.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace mlscope::gui {

struct ScriptVerb {
  std::string name;
  bool needs_arg = false;
  std::string usage;  ///< "sweep N", for the unknown-verb message and docs
  /// Runs the verb with its argument; returns an error text ("" = done).
  std::function<std::string(const std::string& arg)> run;
};

class ScriptVerbs {
 public:
  void add(std::string name, bool needs_arg, std::string usage, std::function<std::string(const std::string&)> run) {
    verbs_.push_back({std::move(name), needs_arg, std::move(usage), std::move(run)});
  }
  const ScriptVerb* find(const std::string& name) const {
    for (const auto& v : verbs_)
      if (v.name == name) return &v;
    return nullptr;
  }
  const std::vector<ScriptVerb>& all() const { return verbs_; }

 private:
  std::vector<ScriptVerb> verbs_;
};

/// "A B C" → {"A", "B C"}: a verb argument's first word and the rest.
inline std::pair<std::string, std::string> split_first_word(const std::string& a) {
  const size_t sp = a.find(' ');
  if (sp == std::string::npos) return {a, ""};
  const size_t rest = a.find_first_not_of(' ', sp);
  return {a.substr(0, sp), rest == std::string::npos ? std::string() : a.substr(rest)};
}

}  // namespace mlscope::gui
