#include "app/gui/settings.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace mlscope::gui {

std::string Settings::config_dir() {
  namespace fs = std::filesystem;
  fs::path dir;
  if (const char* d = std::getenv("MLSCOPE_CONFIG_DIR"); d && *d) dir = d;
  else if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) dir = fs::path(x) / "mlscope";
  else if (const char* h = std::getenv("HOME"); h && *h) dir = fs::path(h) / ".config" / "mlscope";
  else dir = ".mlscope";
  std::error_code ec;
  fs::create_directories(dir, ec);
  return dir.string();
}

Settings Settings::load(const std::string& dir) {
  Settings s;
  std::ifstream in(dir + "/settings.json");
  if (!in) return s;
  try {
    const auto j = nlohmann::json::parse(in);
    if (j.contains("recent") && j["recent"].is_array())
      for (const auto& r : j["recent"]) if (r.is_string()) s.recent.push_back(r.get<std::string>());
    s.dark = j.value("dark", true);
    const auto& w = j.contains("windows") && j["windows"].is_object() ? j["windows"] : nlohmann::json::object();
    for (const auto& [key, open] : w.items())
      if (open.is_boolean()) s.windows[key] = open.get<bool>();
  } catch (const std::exception&) {
    return Settings{};
  }
  return s;
}

void Settings::save(const std::string& dir) const {
  nlohmann::json j;
  j["recent"] = recent;
  j["dark"] = dark;
  j["windows"] = windows;
  std::ofstream out(dir + "/settings.json");
  out << j.dump(2) << "\n";
}

void Settings::add_recent(const std::string& path) {
  std::erase(recent, path);
  recent.insert(recent.begin(), path);
  if (recent.size() > 10) recent.resize(10);
}

}  // namespace mlscope::gui
