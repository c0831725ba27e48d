#include "core/format/manifest.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/util/error.h"

namespace mlscope::format {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

Location at_key(const std::string& file, const std::string& key) {
  Location l = Location::in_file(file);
  l.op = key;  // the JSON key is the "place" in a manifest
  return l;
}

const json& require(const json& obj, const std::string& key, json::value_t type, const std::string& file,
                    const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end()) throw Error(at_key(file, where + key), "missing key \"" + key + "\"");
  if (it->type() != type) throw Error(at_key(file, where + key), "key \"" + key + "\" has the wrong JSON type");
  return *it;
}

// Item paths are relative to Data/ and must stay inside it.
fs::path checked_item_path(const std::string& rel, const std::string& file, const std::string& key) {
  fs::path p(rel);
  if (rel.empty() || p.is_absolute()) throw Error(at_key(file, key), "item path \"" + rel + "\" must be relative to Data/");
  for (const auto& part : p)
    if (part == "..") throw Error(at_key(file, key), "item path \"" + rel + "\" escapes the package (contains \"..\")");
  return p;
}

}  // namespace

PackageManifest read_manifest(const std::string& package_dir) {
  const fs::path dir(package_dir);
  const std::string file = (dir / "Manifest.json").string();
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(Location::in_file(file), "cannot open the package manifest");
  std::stringstream ss;
  ss << in.rdbuf();
  json j;
  try {
    j = json::parse(ss.str());
  } catch (const json::parse_error& e) {
    throw Error(Location::at_byte(file, static_cast<int64_t>(e.byte)), "Manifest.json is not valid JSON");
  }
  if (!j.is_object()) throw Error(Location::in_file(file), "Manifest.json is not a JSON object");

  PackageManifest m;
  m.file_format_version = require(j, "fileFormatVersion", json::value_t::string, file, "").get<std::string>();
  {
    int major = 0, minor = 0, patch = 0;
    char tail = 0;
    if (std::sscanf(m.file_format_version.c_str(), "%d.%d.%d%c", &major, &minor, &patch, &tail) != 3 || major < 0 ||
        minor < 0 || patch < 0)
      throw Error(at_key(file, "fileFormatVersion"), "\"" + m.file_format_version + "\" is not major.minor.patch");
    if (major > 1)
      throw Error(at_key(file, "fileFormatVersion"), "package format " + m.file_format_version + " is newer than 1.x");
  }
  const json& items = require(j, "itemInfoEntries", json::value_t::object, file, "");
  const std::string root_id = require(j, "rootModelIdentifier", json::value_t::string, file, "").get<std::string>();

  const fs::path data = dir / "Data";
  for (const auto& [id, item] : items.items()) {
    const std::string where = "itemInfoEntries." + id + ".";
    if (!item.is_object()) throw Error(at_key(file, "itemInfoEntries." + id), "item is not a JSON object");
    for (const char* key : {"path", "name", "author", "description"})
      require(item, key, json::value_t::string, file, where);
    const std::string rel = item["path"].get<std::string>();
    fs::path full = data / checked_item_path(rel, file, where + "path");
    std::error_code ec;
    if (!fs::exists(full, ec))
      throw Error(at_key(file, where + "path"), "item file \"Data/" + rel + "\" does not exist in the package");
    if (id == root_id) {
      if (!fs::is_regular_file(full, ec))
        throw Error(at_key(file, where + "path"), "root model item \"Data/" + rel + "\" is not a file");
      m.root_model_path = full.string();
    }
    if (item["name"] == "weights" && item["author"] == "com.apple.CoreML") m.weights_dir = full.string();
  }
  if (m.root_model_path.empty())
    throw Error(at_key(file, "rootModelIdentifier"), "root model \"" + root_id + "\" is not listed in itemInfoEntries");
  return m;
}

}  // namespace mlscope::format
