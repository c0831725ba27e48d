#include "core/analysis/placement_estimator.h"

#include "core/analysis/cost.h"

#include <cstdio>
#include <set>
#include <utility>

#include "core/analysis/placement_checks.h"

namespace mlscope::analysis {

namespace {

using detail::is_constant_op;

void add_constant_bytes(const ir::Constant& c, std::set<std::pair<const void*, uint64_t>>& seen_blobs, uint64_t& n) {
  if (c.is_blob()) {
    // Shared blobs (multifunction programs) are stored once.
    if (seen_blobs.insert({c.blob->file.get(), c.blob->record.record_offset}).second) n += c.blob->record.size_bytes;
    return;
  }
  n += c.stored_bytes();
}

void model_constant_bytes(const ir::Model& m, std::set<std::pair<const void*, uint64_t>>& seen, uint64_t& n) {
  for (const auto& f : m.functions)
    for (const auto& op : f.ops) {
      for (const auto& a : op.attributes)
        if (a.value) add_constant_bytes(*a.value, seen, n);
      for (const auto& in : op.inputs)
        for (const auto& b : in.bindings)
          if (b.literal) add_constant_bytes(*b.literal, seen, n);
    }
  for (const auto& s : m.submodels) model_constant_bytes(s, seen, n);
}

std::string rule_prefix(const PlacementRule& r) {
  std::string s(r.key);
  if (r.doc_row > 0) s += " (rule " + std::to_string(r.doc_row) + ", grade " + std::string(r.grade) + ")";
  else s += " (grade " + std::string(r.grade) + ")";
  return s;
}

std::string format_bytes(uint64_t b) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(b) / 1e6);
  return buf;
}

std::vector<ir::ValueId> flexible_function_inputs(const ir::Model& m, const ir::Function& fn) {
  std::vector<ir::ValueId> out;
  auto check = [&](const std::vector<ir::Feature>& features) {
    for (const auto& f : features) {
      bool flexible = false;
      for (const auto& [lo, hi] : f.type.shape_ranges)
        if (lo != hi) flexible = true;
      if (!flexible) continue;
      for (ir::ValueId v : fn.inputs)
        if (fn.value(v).name == f.name) out.push_back(v);
    }
  };
  check(m.inputs);
  for (const auto& d : m.function_descriptions)
    if (d.name == fn.name) check(d.inputs);
  return out;
}

struct Estimator {
  const PlacementThresholds& t;
  const PlacementRule* model_rule = nullptr;  ///< set when a model-wide size limit moves every op
  std::string model_rule_detail;
  Placement out;
  std::string const_reason;

  void add_model(const ir::Model& m) {
    // Flexible-input lookups use the top-level description (sub-models rarely have ranges).
    for (const auto& [label, fn] : plan_functions(m)) add_function(m, *fn, label);
  }

  void add_function(const ir::Model& m, const ir::Function& fn, const std::string& label) {
    const auto flexible = flexible_function_inputs(m, fn);
    const auto order = fn.program_order();
    // Per-op cost is the cost model's roofline estimate (core/analysis/cost), which lists
    // every non-constant op in the same program order.
    CostReport costs;
    costs.chip = default_chip();
    analyze_function_cost(fn, costs);
    size_t next_cost = 0;
    for (size_t i = 0; i < order.size(); ++i) {
      const ir::Op& op = fn.op(order[i]);
      std::optional<double> cost;
      if (!op.is_const() && !op.is_constexpr() && next_cost < costs.ops.size())
        cost = costs.ops[next_cost++].estimate_seconds;
      OpPlacement p;
      p.function = label;
      p.index = static_cast<int32_t>(i);
      p.op = order[i];
      p.name = op.name;
      p.type = op.qualified_type();
      if (is_constant_op(op)) {
        // Most ops of a program are consts: share one reason string instead of rebuilding it.
        if (const_reason.empty()) {
          decide(p, placement_rule("const"), "");
          const_reason = p.reason;
        } else {
          const auto& r = placement_rule("const");
          p.preferred = r.preferred;
          p.supported = r.supported;
          p.rule = std::string(r.key);
          p.reason = const_reason;
        }
      } else {
        auto hits = detail::check_op({fn, op, t, flexible});
        if (model_rule) {
          decide(p, *model_rule, model_rule_detail);
        } else if (!hits.empty()) {
          decide(p, placement_rule(hits.front().key), hits.front().detail);
          hits.erase(hits.begin());
        } else {
          decide(p, placement_rule("ne-eligible"), "");
        }
        if (!hits.empty()) {
          p.reason += "; also";
          for (const auto& h : hits) p.reason += " " + std::string(h.key) + ":" + " " + h.detail + ";";
          p.reason.pop_back();
        }
        p.cost = cost;
      }
      out.ops.push_back(std::move(p));
    }
  }

  static void decide(OpPlacement& p, const PlacementRule& r, const std::string& detail) {
    p.preferred = r.preferred;
    p.supported = r.supported;
    p.rule = std::string(r.key);
    p.reason = rule_prefix(r) + ": " + (detail.empty() ? std::string(r.summary) : detail + " — " + std::string(r.summary));
  }
};

}  // namespace

uint64_t constant_weight_bytes(const ir::Model& model) {
  std::set<std::pair<const void*, uint64_t>> seen;
  uint64_t n = 0;
  model_constant_bytes(model, seen, n);
  return n;
}

Placement estimate_placement(const ir::Model& model, const PlacementThresholds& t) {
  Estimator e{t, nullptr, {}, {}, {}};
  e.out.source = PlacementSource::Estimated;
  const uint64_t bytes = constant_weight_bytes(model);
  e.out.weight_bytes = bytes;
  auto finding = [&](std::string_view key, const char* severity, uint64_t limit) {
    const auto& r = placement_rule(key);
    std::string msg = rule_prefix(r) + ": weights " + format_bytes(bytes) + " > " + format_bytes(limit) + " — " +
                      std::string(r.summary);
    e.out.findings.push_back({std::string(key), severity, msg});
    return "model weights " + format_bytes(bytes) + " > " + format_bytes(limit);
  };
  if (bytes > t.weight_file_max_bytes) {
    e.model_rule = &placement_rule("weight-file-max");
    e.model_rule_detail = finding("weight-file-max", "error", t.weight_file_max_bytes);
  } else if (bytes > t.model_limit_bytes) {
    e.model_rule = &placement_rule("model-weights");
    e.model_rule_detail = finding("model-weights", "limit", t.model_limit_bytes);
  } else if (bytes > t.shard_warn_bytes) {
    finding("shard-size", "warning", t.shard_warn_bytes);
  }
  e.add_model(model);
  // Normalize cost to a fraction of the model's total, as MLComputePlan's estimated cost is.
  double total = 0;
  for (const auto& p : e.out.ops) total += p.cost.value_or(0);
  if (total > 0)
    for (auto& p : e.out.ops)
      if (p.cost) *p.cost /= total;
  e.out.notes.push_back("estimated from rules (docs/ane-placement-rules.md); not a measurement");
  return std::move(e.out);
}

}  // namespace mlscope::analysis
