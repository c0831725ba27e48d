#include "core/compare/hazards_report.h"

#include <cstdio>
#include <sstream>

#include "core/report/format_text.h"

namespace mlscope::compare {

using nlohmann::json;

json nonfinite_origin_json(const std::optional<NonfiniteOrigin>& o) {
  if (!o) return nullptr;
  return {{"op", o->op},
          {"type", o->type},
          {"output", o->output},
          {"location", o->location},
          {"from_input", o->from_input},
          {"nan", o->count.nan},
          {"inf", o->count.pos_inf + o->count.neg_inf},
          {"elements", o->count.elements}};
}

json band_partings_json(const std::vector<exec::BandParting>& partings) {
  json j = json::array();
  for (const auto& p : partings)
    j.push_back({{"op", p.op_name}, {"type", p.op_type}, {"groups", p.groups.size()}, {"max_abs_diff", p.max_abs_diff},
                 {"max_abs", p.max_abs}, {"spread", p.spread}, {"non_finite", p.non_finite}});
  return j;
}

namespace {
json band_json(const HazardReport& r) {
  if (r.band.empty()) return nullptr;
  return {{"backend", r.band},
          {"members", r.band_member_count},
          {"first_parting_op", r.band_partings.empty() ? json(nullptr) : json(r.band_partings.front().op_name)},
          {"partings", band_partings_json(r.band_partings)}};
}
}  // namespace

json hazards_json(const HazardReport& r) {
  json list = json::array();
  for (const Hazard& h : r.hazards) {
    json j = {{"op", h.op},
              {"type", h.type},
              {"output", h.output},
              {"location", h.location},
              {"kind", std::string(hazard_kind_name(h.kind))},
              {"count", h.count},
              {"elements", h.elements},
              {"fraction", h.fraction},
              {"max_abs", h.max_abs},
              {"severity", std::string(severity_name(h.severity))},
              {"detail", h.detail},
              {"advice", h.advice.empty() ? json(nullptr) : json(h.advice)}};
    if (h.kind == HazardKind::Overflow) j["clamped"] = h.clamped;
    if (h.kind == HazardKind::Underflow) {
      j["to_zero"] = h.to_zero;
      j["collapsed_to_zero"] = h.collapsed_to_zero;
    }
    if (h.kind == HazardKind::Saturation) j["codes_used"] = h.codes_used >= 0 ? json(h.codes_used) : json(nullptr);
    list.push_back(std::move(j));
  }
  json first = r.first_nonfinite ? json(r.first_nonfinite->op.empty() ? r.first_nonfinite->output : r.first_nonfinite->op) : json(nullptr);
  return {{"function", r.function},
          {"profile", r.profile},
          {"provenance", r.provenance},
          {"hazards", list},
          {"first_nonfinite_op", first},
          {"nonfinite_origin", nonfinite_origin_json(r.nonfinite_origin)},
          {"summary", r.summary},
          {"band", band_json(r)},
          {"notes", r.notes}};
}

namespace {
std::string short_num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}
}  // namespace

std::string hazards_text(const HazardReport& r) {
  std::ostringstream out;
  out << r.provenance << "\n";
  out << "fp16 hazards under profile " << r.profile << " (function " << r.function << "):";
  for (const auto& [kind, n] : r.summary) out << " " << kind << " " << n;
  out << "\n";
  if (r.nonfinite_origin)
    out << "non-finite values start at " << r.nonfinite_origin->describe() << ", output '" << r.nonfinite_origin->output << "'\n";
  else
    out << "no non-finite values under the profile\n";
  if (!r.hazards.empty()) {
    report::TextTable t({"severity", "kind", "type", "op", "count", "fraction", "max |x|", "detail"});
    for (size_t c : {4u, 5u, 6u}) t.align_right(c);
    for (const Hazard& h : r.hazards)
      t.add_row({std::string(severity_name(h.severity)), std::string(hazard_kind_name(h.kind)), h.type, h.op, std::to_string(h.count),
                 short_num(h.fraction), short_num(h.max_abs), h.detail});
    out << t.render("  ") << "\n";
    bool any_advice = false;
    for (const Hazard& h : r.hazards) {
      if (h.advice.empty() || h.severity == HazardSeverity::Info) continue;
      if (!any_advice) out << "advice:\n";
      any_advice = true;
      out << "  " << h.op << " (" << hazard_kind_name(h.kind) << "): " << h.advice << "\n";
    }
  }
  if (!r.band.empty() && !r.band_partings.empty()) {
    out << "Neural Engine band " << r.band << " (" << r.band_member_count << " accumulation schemes): members part at\n";
    report::TextTable t({"type", "op", "schemes", "max |diff|", "of max |x|", "non-finite"});
    for (size_t c : {2u, 3u, 4u, 5u}) t.align_right(c);
    for (const auto& p : r.band_partings)
      t.add_row({p.op_type, p.op_name, std::to_string(p.groups.size()), short_num(p.max_abs_diff), short_num(p.spread),
                 std::to_string(p.non_finite)});
    out << t.render("  ") << "\n";
  }
  for (const auto& n : r.notes) out << "note: " << n << "\n";
  return out.str();
}

}  // namespace mlscope::compare
