#include "json_schema_subset.h"

#include <regex>
#include <set>

namespace mlscope::test {

namespace {
using nlohmann::json;

bool type_ok(const std::string& t, const json& v) {
  if (t == "object") return v.is_object();
  if (t == "array") return v.is_array();
  if (t == "string") return v.is_string();
  if (t == "integer") return v.is_number_integer();
  if (t == "number") return v.is_number();
  if (t == "boolean") return v.is_boolean();
  if (t == "null") return v.is_null();
  return false;
}

void check(const json& root, const json& s, const json& v, const std::string& ptr, std::vector<std::string>& errs) {
  if (s.contains("$ref")) {
    const std::string ref = s["$ref"];
    const std::string prefix = "#/$defs/";
    if (ref.rfind(prefix, 0) != 0 || !root["$defs"].contains(ref.substr(prefix.size()))) {
      errs.push_back(ptr + ": unresolvable $ref " + ref);
      return;
    }
    check(root, root["$defs"][ref.substr(prefix.size())], v, ptr, errs);
  }
  if (s.contains("type")) {
    bool ok = false;
    if (s["type"].is_array()) {
      for (const auto& t : s["type"]) ok = ok || type_ok(t, v);
    } else {
      ok = type_ok(s["type"], v);
    }
    if (!ok) {
      errs.push_back(ptr + ": wrong type (want " + s["type"].dump() + ")");
      return;
    }
  }
  if (s.contains("const") && s["const"] != v) errs.push_back(ptr + ": must be " + s["const"].dump());
  if (s.contains("enum")) {
    bool found = false;
    for (const auto& e : s["enum"]) found = found || e == v;
    if (!found) errs.push_back(ptr + ": " + v.dump() + " not in " + s["enum"].dump());
  }
  if (s.contains("pattern") && v.is_string() && !std::regex_search(v.get<std::string>(), std::regex(s["pattern"].get<std::string>())))
    errs.push_back(ptr + ": does not match " + s["pattern"].get<std::string>());
  if (s.contains("minimum") && v.is_number() && v.get<double>() < s["minimum"].get<double>())
    errs.push_back(ptr + ": below minimum");
  if (s.contains("required") && v.is_object())
    for (const auto& k : s["required"])
      if (!v.contains(k.get<std::string>())) errs.push_back(ptr + ": missing " + k.get<std::string>());
  if (s.contains("properties") && v.is_object())
    for (const auto& [k, sub] : s["properties"].items())
      if (v.contains(k)) check(root, sub, v[k], ptr + "/" + k, errs);
  if (s.contains("items") && v.is_array())
    for (size_t i = 0; i < v.size(); ++i) check(root, s["items"], v[i], ptr + "/" + std::to_string(i), errs);
  if (s.contains("uniqueItems") && s["uniqueItems"].get<bool>() && v.is_array()) {
    std::set<std::string> seen;
    for (const auto& e : v)
      if (!seen.insert(e.dump()).second) errs.push_back(ptr + ": duplicate item " + e.dump());
  }
  if (s.contains("oneOf")) {
    int matches = 0;
    for (const auto& alt : s["oneOf"]) {
      std::vector<std::string> sub;
      check(root, alt, v, ptr, sub);
      if (sub.empty()) ++matches;
    }
    if (matches != 1) errs.push_back(ptr + ": matches " + std::to_string(matches) + " of oneOf (want exactly 1)");
  }
}
}  // namespace

std::vector<std::string> schema_errors(const json& schema, const json& doc) {
  std::vector<std::string> errs;
  check(schema, schema, doc, "", errs);
  return errs;
}

}  // namespace mlscope::test
