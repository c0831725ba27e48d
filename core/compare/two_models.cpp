#include "core/compare/two_models.h"

#include <cmath>
#include <cstdio>
#include <unordered_set>

#include "core/compare/other_model_backend.h"

namespace mlscope::compare {

namespace {

// Named as per-op divergence names ops, so name_counterparts finds them.
std::string op_label(const ir::Function& f, ir::OpId id) { return divergence_op_name(f, f.op(id)); }

}  // namespace

TwoModelReport summarize_match(const ir::Model& a, const ir::Model& b, const ModelMatch& m) {
  TwoModelReport r;
  r.a_path = a.path;
  r.b_path = b.path;
  r.mode = m.mode;
  r.by_name = m.by_name;
  r.by_structure = m.by_structure;
  r.a_compute_ops = m.ops.size() + m.unmatched_a.size();
  r.b_compute_ops = m.ops.size() + m.unmatched_b.size();
  r.inputs = m.inputs;
  r.outputs = m.outputs;
  for (ir::OpId id : m.unmatched_a) r.unmatched_a.push_back({op_label(*m.a, id), m.a->op(id).type});
  for (ir::OpId id : m.unmatched_b) r.unmatched_b.push_back({op_label(*m.b, id), m.b->op(id).type});
  r.plumbing_a = m.plumbing_a;
  r.plumbing_b = m.plumbing_b;
  r.notes = m.notes;
  std::vector<std::pair<ir::OpId, ir::OpId>> pairs;
  for (const OpPair& p : m.ops) pairs.emplace_back(p.a, p.b);
  r.weights = diff_weights(a, *m.a, b, *m.b, pairs);
  r.weight_totals = weight_totals(r.weights);
  return r;
}

BackendSpec other_model_backend_spec(const BackendSpec& inner, std::shared_ptr<const ir::Model> b,
                                     std::shared_ptr<const ModelMatch> match) {
  BackendSpec s;
  s.name = "B:" + inner.name;
  s.kind = inner.kind;
  s.variant = "model " + b->path + " under " + inner.fingerprint();
  s.make = [inner, b, match, name = s.name] { return std::make_unique<OtherModelBackend>(make_backend(inner), b, match, name); };
  return s;
}

DivergenceOptions two_model_divergence_options(DivergenceOptions base, const ModelMatch& m) {
  auto compared = std::make_shared<std::unordered_set<std::string>>();
  for (const auto& [bn, an] : m.a_value_of_b) compared->insert(an);
  base.compare_value = [compared](const std::string& v) { return compared->count(v) > 0; };
  base.rejected_note = "no counterpart in B";
  return base;
}

void name_counterparts(DivergenceReport& d, const ModelMatch& m) {
  std::map<std::string, std::string> b_of_a;
  for (const OpPair& p : m.ops) b_of_a[op_label(*m.a, p.a)] = op_label(*m.b, p.b);
  for (auto& op : d.ops)
    if (auto it = b_of_a.find(op.name); it != b_of_a.end()) op.other_name = it->second;
}

nlohmann::json two_model_json(const TwoModelReport& r) {
  using nlohmann::json;
  auto ops = [](const std::vector<UnmatchedOp>& v) {
    json a = json::array();
    for (const auto& o : v) a.push_back({{"name", o.name}, {"type", o.type}});
    return a;
  };
  auto pairs = [](const std::vector<std::pair<std::string, std::string>>& v) {
    json a = json::array();
    for (const auto& [x, y] : v) a.push_back({{"a", x}, {"b", y}});
    return a;
  };
  json j;
  j["a"] = r.a_path;
  j["b"] = r.b_path;
  j["mode"] = std::string(match_mode_name(r.mode));
  j["a_compute_ops"] = r.a_compute_ops;
  j["b_compute_ops"] = r.b_compute_ops;
  j["matched"] = r.by_name + r.by_structure;
  j["by_name"] = r.by_name;
  j["by_structure"] = r.by_structure;
  j["inputs"] = pairs(r.inputs);
  j["outputs"] = pairs(r.outputs);
  j["plumbing_a"] = r.plumbing_a;
  j["plumbing_b"] = r.plumbing_b;
  j["notes"] = r.notes;
  json top;
  top["against"] = r.b_path;
  top["match"] = j;
  top["unmatched"] = {{"a", ops(r.unmatched_a)}, {"b", ops(r.unmatched_b)}};
  top["weights"] = json::array();
  for (const auto& w : r.weights) top["weights"].push_back(weight_diff_json(w));
  const WeightTotals& t = r.weight_totals;
  top["weight_totals"] = {{"bytes_a", t.bytes_a}, {"bytes_b", t.bytes_b}, {"compared", t.compared}, {"identical", t.identical},
                          {"not_compared", t.not_compared}, {"worst", t.worst.empty() ? json(nullptr) : json(t.worst)},
                          {"worst_snr_db", std::isfinite(t.worst_snr_db) ? json(t.worst_snr_db) : json(nullptr)}};
  return top;
}

std::string two_model_text(const TwoModelReport& r) {
  std::string s = "A: " + r.a_path + "\nB: " + r.b_path + "\n";
  s += "ops matched (" + std::string(match_mode_name(r.mode)) + "): " + std::to_string(r.by_name + r.by_structure) + " of " +
       std::to_string(r.a_compute_ops) + " compute ops of A, " + std::to_string(r.b_compute_ops) + " of B (" +
       std::to_string(r.by_name) + " by name, " + std::to_string(r.by_structure) + " by structure)\n";
  auto plumbing = [&](const char* side, const std::map<std::string, int64_t>& p) {
    if (p.empty()) return;
    s += std::string("plumbing in ") + side + ":";
    for (const auto& [t, n] : p) s += " " + t + " x" + std::to_string(n);
    s += "\n";
  };
  plumbing("A", r.plumbing_a);
  plumbing("B", r.plumbing_b);
  auto unmatched = [&](const char* side, const std::vector<UnmatchedOp>& v) {
    if (v.empty()) return;
    s += std::string("unmatched in ") + side + " (" + std::to_string(v.size()) + "):";
    for (const auto& o : v) s += " " + o.name + " (" + o.type + ")";
    s += "\n";
  };
  unmatched("A", r.unmatched_a);
  unmatched("B", r.unmatched_b);
  if (!r.weights.empty()) {
    const WeightTotals& t = r.weight_totals;
    char line[256];
    std::snprintf(line, sizeof line, "weights: %zu compared (%zu identical, %zu not compared), %.1f KiB in A, %.1f KiB in B (%.2fx)\n",
                  t.compared, t.identical, t.not_compared, static_cast<double>(t.bytes_a) / 1024, static_cast<double>(t.bytes_b) / 1024,
                  t.bytes_b ? static_cast<double>(t.bytes_a) / static_cast<double>(t.bytes_b) : 0.0);
    s += line;
    for (const auto& w : r.weights) {
      if (w.identical()) continue;
      if (!w.compared) {
        s += "  " + w.a_op + "." + w.param + ": not compared: " + w.note + "\n";
        continue;
      }
      std::snprintf(line, sizeof line, "  %-24s %-28s SNR %6.2f dB  max abs %-10.4g rel %-10.4g %8llu -> %llu B\n",
                    (w.a_op + "." + w.param).c_str(), w.b_scheme.c_str(), w.snr_db, w.max_abs_error, w.rel_error,
                    static_cast<unsigned long long>(w.bytes_a), static_cast<unsigned long long>(w.bytes_b));
      s += line;
    }
  }
  for (const auto& n : r.notes) s += "note: " + n + "\n";
  return s;
}

}  // namespace mlscope::compare
