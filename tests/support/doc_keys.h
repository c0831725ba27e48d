// Reads the key tables of docs/cli-json.md and checks that JSON documents produce every key, so
// the documented contract and the code cannot drift apart silently. Header-only test helper.
#pragma once

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/test_paths.h"

namespace mlscope::test {

/// Key paths of the tables in the section of docs/<doc> whose heading contains `section`
/// (e.g. "`info --json`"), up to the next "## " heading. Paths look like `a.b`, `a[]`, `{name}`.
inline std::vector<std::string> documented_keys(const std::string& section, const std::string& doc = "cli-json.md") {
  std::ifstream in(source_dir() / "docs" / doc);
  std::vector<std::string> keys;
  std::string line;
  bool inside = false;
  static const std::regex row(R"(^\|\s*`([^`]+)`\s*\|)");
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) inside = line.find(section) != std::string::npos;
    std::smatch m;
    if (inside && std::regex_search(line, m, row)) keys.push_back(m[1]);
  }
  return keys;
}

namespace detail {
inline void collect(const nlohmann::json& node, const std::vector<std::string>& segs, size_t i,
                    std::vector<const nlohmann::json*>& out) {
  if (i == segs.size()) {
    out.push_back(&node);
    return;
  }
  std::string seg = segs[i];
  bool each = seg.size() > 2 && seg.compare(seg.size() - 2, 2, "[]") == 0;
  if (each) seg.resize(seg.size() - 2);
  std::vector<const nlohmann::json*> here;
  if (seg.front() == '{') {  // any key of a map
    if (node.is_object())
      for (const auto& [k, v] : node.items()) here.push_back(&v);
  } else if (node.is_object() && node.contains(seg)) {
    here.push_back(&node[seg]);
  }
  for (const nlohmann::json* h : here) {
    if (!each) {
      collect(*h, segs, i + 1, out);
    } else if (h->is_array() && i + 1 == segs.size()) {
      out.push_back(h);  // "a[]" at the end: the array exists (it may be empty)
    } else if (h->is_array()) {
      for (const auto& e : *h) collect(e, segs, i + 1, out);
    }
  }
}
}  // namespace detail

/// True when `path` resolves to at least one node in `doc`.
inline bool has_key_path(const nlohmann::json& doc, const std::string& path) {
  std::vector<std::string> segs;
  std::stringstream ss(path);
  for (std::string s; std::getline(ss, s, '.');) segs.push_back(s);
  std::vector<const nlohmann::json*> found;
  detail::collect(doc, segs, 0, found);
  return !found.empty();
}

/// Documented keys of `section` that none of `docs` produces (except those in `exempt`).
inline std::vector<std::string> missing_documented_keys(const std::string& section,
                                                        const std::vector<nlohmann::json>& docs,
                                                        const std::set<std::string>& exempt = {},
                                                        const std::string& doc = "cli-json.md") {
  std::vector<std::string> missing;
  for (const auto& key : documented_keys(section, doc)) {
    if (exempt.count(key)) continue;
    bool any = false;
    for (const auto& d : docs) any = any || has_key_path(d, key);
    if (!any) missing.push_back(key);
  }
  return missing;
}

}  // namespace mlscope::test
