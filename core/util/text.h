// Small text helpers shared by the list parsers ("fp32, gpu ,recording:R.json").
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace mlscope {

/// The items of `s` separated by `sep`, each without leading/trailing spaces; empty items dropped.
inline std::vector<std::string> split_trimmed(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, sep);) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(std::move(item));
  }
  return out;
}

}  // namespace mlscope
