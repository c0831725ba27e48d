#include "core/analysis/placement_report.h"

#include <algorithm>
#include <cstdio>

namespace mlscope::analysis {

using nlohmann::json;

json placement_json(const Placement& p) {
  json j;
  j["source"] = source_name(p.source);
  json ops = json::array();
  for (const auto& op : p.ops) {
    json o;
    o["function"] = op.function;
    o["index"] = op.index;
    o["name"] = op.name;
    o["type"] = op.type;
    o["preferred"] = op.preferred ? json(device_name(*op.preferred)) : json(nullptr);
    json sup = json::array();
    for (Device d : op.supported.list()) sup.push_back(device_name(d));
    o["supported"] = std::move(sup);
    o["rule"] = op.rule;
    o["reason"] = op.reason;
    o["cost"] = op.cost ? json(*op.cost) : json(nullptr);
    ops.push_back(std::move(o));
  }
  j["ops"] = std::move(ops);
  const auto c = count_placement(p);
  j["counts"]["preferred"] = c.preferred;
  j["counts"]["op_type_by_device"] = c.type_by_device;
  json findings = json::array();
  for (const auto& f : p.findings) findings.push_back({{"rule", f.rule}, {"severity", f.severity}, {"message", f.message}});
  j["findings"] = std::move(findings);
  j["notes"] = p.notes;
  j["weight_bytes"] = p.weight_bytes;
  return j;
}

namespace {
template <class Row>
void sort_rows(std::vector<Row>& rows) {
  // Like the seed probe: most frequent first, then by name.
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
}
}  // namespace

std::string placement_text(const Placement& p, bool with_ops) {
  std::string s = "source: " + std::string(source_name(p.source)) + "\n";
  for (const auto& n : p.notes) s += "note: " + n + "\n";
  const auto c = count_placement(p);
  s += "total ops: " + std::to_string(p.ops.size()) + "\n\n== PREFERRED DEVICE COUNTS ==\n";
  std::vector<std::pair<std::string, int64_t>> rows(c.preferred.begin(), c.preferred.end());
  sort_rows(rows);
  for (const auto& [k, v] : rows) s += std::to_string(v) + " " + k + "\n";
  s += "\n== OP TYPE x PREFERRED DEVICE ==\n";
  rows.clear();
  for (const auto& [type, devs] : c.type_by_device)
    for (const auto& [dev, n] : devs) rows.push_back({type + " " + dev, n});
  sort_rows(rows);
  for (const auto& [k, v] : rows) s += std::to_string(v) + " " + k + "\n";
  if (!p.findings.empty()) {
    s += "\n== FINDINGS ==\n";
    for (const auto& f : p.findings) s += f.severity + ": " + f.message + "\n";
  }
  if (with_ops) {
    s += "\n== OPS ==\n";
    for (const auto& op : p.ops) {
      std::string sup;
      for (Device d : op.supported.list()) sup += (sup.empty() ? "" : ",") + std::string(device_name(d));
      s += op.function + "[" + std::to_string(op.index) + "] " + op.type + " '" + op.name + "' -> " + preferred_key(op) +
           " (supported: " + (sup.empty() ? "-" : sup) + ")";
      if (op.cost) {
        char buf[32];
        std::snprintf(buf, sizeof buf, " cost %.4f", *op.cost);
        s += buf;
      }
      s += "\n    " + op.reason + "\n";
    }
  }
  return s;
}

}  // namespace mlscope::analysis
