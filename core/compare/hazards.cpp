#include "core/compare/hazards.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "core/exec/band_runner.h"
#include "core/exec/interpreter.h"
#include "core/util/error.h"

namespace mlscope::compare {

std::string_view hazard_kind_name(HazardKind k) {
  switch (k) {
    case HazardKind::Overflow: return "overflow";
    case HazardKind::Underflow: return "underflow";
    case HazardKind::Nonfinite: return "nonfinite";
    case HazardKind::Saturation: return "saturation";
    case HazardKind::Accumulation: return "accumulation";
  }
  return "?";
}

std::string_view severity_name(HazardSeverity s) {
  switch (s) {
    case HazardSeverity::Info: return "info";
    case HazardSeverity::Low: return "low";
    case HazardSeverity::Medium: return "medium";
    case HazardSeverity::High: return "high";
    case HazardSeverity::Critical: return "critical";
  }
  return "?";
}

bool HazardReport::fails_gate() const {
  return std::any_of(hazards.begin(), hazards.end(),
                     [](const Hazard& h) { return h.kind == HazardKind::Overflow || h.kind == HazardKind::Nonfinite; });
}

namespace {

constexpr const char* kKeepFp32 = "keep this op in fp32: coremltools compute_precision op selector";

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

bool is_reduction(const std::string& type) {
  static const char* kinds[] = {"reduce_", "avg_pool", "l2_pool", "batch_norm", "layer_norm", "instance_norm", "l2_norm",
                                "local_response_norm", "softmax", "nn.pooling", "nn.reduce", "nn.batchnorm", "nn.softmax"};
  return std::any_of(std::begin(kinds), std::end(kinds), [&](const char* k) { return type.rfind(k, 0) == 0; });
}

Hazard base(const ValueObservation& o, HazardKind kind) {
  Hazard h;
  h.op = o.op;
  h.type = o.type;
  h.output = o.value;
  h.location = o.location;
  h.kind = kind;
  h.order = o.order;
  h.elements = o.range.elements ? o.range.elements : o.nonfinite.elements;
  return h;
}

void overflow(const ValueObservation& p, const ValueObservation& f, std::vector<Hazard>& out) {
  if (!p.stored_fp16 && p.clamp == 0) return;
  const uint64_t above = f.range.above_limit, clamped = p.range.at_clamp;
  if (above == 0 && clamped == 0) return;
  Hazard h = base(f, HazardKind::Overflow);
  h.count = above;
  h.fraction = h.elements ? double(above) / double(h.elements) : 0;
  h.max_abs = f.range.max_abs;
  h.clamped = clamped;
  h.severity = HazardSeverity::High;
  h.detail = std::to_string(above) + " value(s) above " + num(f.limit) + " in fp32 (max |x| = " + num(f.range.max_abs) + ")";
  if (p.clamp > 0) h.detail += "; " + std::to_string(clamped) + " clamped at ±" + num(p.clamp) + " under the profile";
  else h.detail += ": inf in fp16";
  h.advice = std::string(kKeepFp32) + ", or rescale its inputs";
  out.push_back(std::move(h));
}

void underflow(const ValueObservation& p, const ValueObservation& f, const HazardOptions& opt, std::vector<Hazard>& out) {
  if (!p.stored_fp16 || f.range.nonzero == 0) return;
  const uint64_t under = f.range.subnormal + f.range.to_zero;
  const bool collapsed = p.range.nonzero == 0 && p.range.nonfinite == 0 && p.range.elements > 0;
  const double fraction = double(under) / double(f.range.nonzero);
  if (!collapsed && (under == 0 || fraction < opt.min_underflow_fraction)) return;
  Hazard h = base(f, HazardKind::Underflow);
  h.count = under;
  h.fraction = fraction;
  h.max_abs = f.range.max_abs;
  h.to_zero = f.range.to_zero;
  h.collapsed_to_zero = collapsed;
  h.severity = collapsed ? HazardSeverity::High : fraction >= 0.01 ? HazardSeverity::Medium : HazardSeverity::Low;
  h.detail = std::to_string(under) + " of " + std::to_string(f.range.nonzero) + " nonzero value(s) below fp16's normal range (" +
             std::to_string(f.range.to_zero) + " round to 0; max |x| = " + num(f.range.max_abs) + ")";
  if (collapsed) h.detail += "; the whole output is 0 under the profile";
  h.advice = "rescale (move the small factor to a later op) or " + std::string(kKeepFp32);
  out.push_back(std::move(h));
}

void nonfinite(const ValueObservation& p, const ValueObservation* f, std::vector<Hazard>& out) {
  if (p.nonfinite.total() == 0 || !p.inputs_finite) return;  // only origins: downstream NaN is no news
  Hazard h = base(p, HazardKind::Nonfinite);
  h.elements = p.nonfinite.elements;
  h.count = p.nonfinite.total();
  h.fraction = h.elements ? double(h.count) / double(h.elements) : 0;
  h.max_abs = f ? f->range.max_abs : 0;
  h.severity = HazardSeverity::Critical;
  h.detail = std::to_string(p.nonfinite.nan) + " NaN, " + std::to_string(p.nonfinite.pos_inf + p.nonfinite.neg_inf) +
             " inf under the profile from finite inputs";
  if (f) h.detail += f->nonfinite.total() == 0 ? "; finite in fp32 (max |x| = " + num(f->range.max_abs) + ")" : "; non-finite in fp32 too";
  if (is_reduction(p.type)) h.advice = "rescale before the reduction (its fp16 partial sums leave the range), or " + std::string(kKeepFp32);
  else h.advice = std::string(kKeepFp32) + ", or rescale its inputs";
  out.push_back(std::move(h));
}

void saturation(const QuantizeObservation& q, const std::unordered_map<std::string, size_t>& by_value,
                const ObservedRun& run, std::vector<Hazard>& out) {
  Hazard h;
  h.op = q.op;
  h.type = "quantize";
  h.output = q.value;
  h.location = q.location;
  h.kind = HazardKind::Saturation;
  h.order = q.order;
  if (auto it = by_value.find(q.value); it != by_value.end()) h.order = run.values[it->second].order;
  h.elements = q.elements;
  h.count = q.clipped_low + q.clipped_high;
  h.fraction = q.elements ? double(h.count) / double(q.elements) : 0;
  h.max_abs = q.max_abs_scaled;
  h.codes_used = q.codes_used >= 0 ? q.codes_used / 256.0 : -1;
  if (q.elements == 0 && q.codes_used < 0) return;  // never ran (an untaken branch)
  const bool few_codes = q.codes_used >= 0 && q.codes_used < 16;
  h.severity = h.fraction >= 0.01 ? HazardSeverity::Medium : (h.count > 0 || few_codes) ? HazardSeverity::Low : HazardSeverity::Info;
  h.detail = std::to_string(q.clipped_low) + " clipped at " + std::to_string(q.code_min) + ", " + std::to_string(q.clipped_high) +
             " at " + std::to_string(q.code_max) + " (max |x/scale| = " + num(q.max_abs_scaled) + ")";
  if (q.codes_used >= 0) h.detail += "; " + std::to_string(q.codes_used) + " of 256 codes used";
  else h.detail += "; codes not produced under this profile (activation quantization bypassed)";
  if (!q.note.empty()) h.detail += "; " + q.note;
  if (h.fraction >= 0.01) h.advice = "the scale is too small for these values: recalibrate the activation range (more representative calibration data)";
  else if (h.count > 0) h.advice = "a few outliers clip at the code range's ends (calibration often clips on purpose); recalibrate if they matter";
  else if (few_codes) h.advice = "the scale is too large: few codes carry the values; recalibrate the activation range";
  out.push_back(std::move(h));
}

}  // namespace

HazardReport analyze_hazards(const ObservedRun& fp32, const ObservedRun& profiled, const HazardOptions& options) {
  HazardReport r;
  r.profile = profiled.profile;
  r.provenance = profiled.provenance;
  r.function = profiled.function;
  r.first_nonfinite = profiled.first_nonfinite;
  r.nonfinite_origin = profiled.nonfinite_origin;
  std::unordered_map<std::string, size_t> f_by_value, p_by_value;
  for (size_t i = 0; i < fp32.values.size(); ++i) f_by_value.emplace(fp32.values[i].value, i);
  for (size_t i = 0; i < profiled.values.size(); ++i) p_by_value.emplace(profiled.values[i].value, i);
  size_t unmatched = 0;
  for (const ValueObservation& p : profiled.values) {
    auto it = f_by_value.find(p.value);
    const ValueObservation* f = it == f_by_value.end() ? nullptr : &fp32.values[it->second];
    nonfinite(p, f, r.hazards);  // weights included: a NaN constant is an origin too
    if (p.constant) continue;
    if (!f) {
      ++unmatched;
      continue;
    }
    overflow(p, *f, r.hazards);
    underflow(p, *f, options, r.hazards);
  }
  if (unmatched) r.notes.push_back(std::to_string(unmatched) + " op output(s) of the profile run have no fp32 counterpart (control flow took another path)");
  for (const QuantizeObservation& q : profiled.quantizes) saturation(q, p_by_value, profiled, r.hazards);
  for (const AccumulationObservation& a : profiled.accumulation) {
    if (a.overflowed_partials == 0) continue;
    Hazard h;
    h.op = a.op;
    h.type = a.type;
    h.kind = HazardKind::Accumulation;
    h.count = a.overflowed_partials;
    h.elements = a.sums;
    h.fraction = a.sums ? std::min(1.0, double(a.overflowed_partials) / double(a.sums)) : 0;
    h.max_abs = a.max_abs_partial;
    h.severity = HazardSeverity::High;
    for (const ValueObservation& p : profiled.values)
      if (p.op == a.op) {
        h.output = p.value, h.location = p.location, h.order = p.order;
        break;
      }
    h.detail = std::to_string(a.overflowed_partials) + " fp16 partial sum(s) above 65504 in " + std::to_string(a.sums) +
               " sum(s) (max |partial| = " + num(a.max_abs_partial) + ")";
    h.advice = "rescale before the reduction (e.g. scale by 1/N first), or " + std::string(kKeepFp32);
    r.hazards.push_back(std::move(h));
  }
  std::stable_sort(r.hazards.begin(), r.hazards.end(), [](const Hazard& a, const Hazard& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.fraction != b.fraction) return a.fraction > b.fraction;
    if (a.count != b.count) return a.count > b.count;
    return a.order < b.order;
  });
  for (HazardKind k : kHazardKinds) r.summary[std::string(hazard_kind_name(k))] = 0;
  for (const Hazard& h : r.hazards)
    if (h.severity != HazardSeverity::Info) ++r.summary[std::string(hazard_kind_name(h.kind))];
  return r;
}

HazardReport find_hazards(const ir::Model& model, const exec::RunInputs& inputs, const exec::NumericProfile& profile,
                          const HazardRunOptions& options) {
  exec::RunOptions ro;
  ro.function = options.function;
  ro.cancel = options.cancel;
  // One stream over every run: run `index` of run_count(), named for the user.
  auto report_as = [&options](int index, const char* stage) {
    const double runs = options.run_count();
    return [&options, index, runs, stage](const Progress& p) { options.progress({index + p.fraction(), runs, stage}); };
  };
  auto run_once = [&](const exec::NumericProfile& numerics, int index) {
    if (options.progress) ro.progress = report_as(index, index == 0 ? "fp32 run" : "run under the profile");
    exec::Interpreter backend(numerics);
    ObservedRun run = observe_run(backend, model, inputs, profile, ro);
    run.profile = numerics.name;
    return run;
  };
  const ObservedRun fp32 = run_once(exec::NumericProfile::builtin("fp32"), 0);
  const ObservedRun profiled = run_once(profile, 1);
  HazardReport r = analyze_hazards(fp32, profiled, options.analysis);
  r.profile = profile.name;
  r.profile_label = profile.label();
  r.notes.push_back("overflow / underflow counts are from the fp32 run (" + fp32.provenance +
                    "); non-finite values, clamps, collapses, codes from the run under the profile");
  if (!options.band.empty()) {
    exec::BandBackend band(options.band);
    if (options.progress) ro.progress = report_as(2, "Neural Engine band");
    exec::RunResult b = band.run(model, inputs, ro);
    r.band = options.band;
    r.band_member_count = band.members().size();
    r.band_partings = std::move(b.band_partings);
    r.notes.push_back(r.band_partings.empty()
                          ? "the " + std::to_string(r.band_member_count) + " members of " + r.band +
                                " never part: this input's values do not depend on how the Neural Engine accumulates"
                          : "band " + r.band + ": members part at " + std::to_string(r.band_partings.size()) + " op(s), first at " +
                                r.band_partings.front().op_name + " (" + r.band_partings.front().op_type +
                                "); the Neural Engine's accumulation is unknown, so values from there on are a range");
  }
  return r;
}

}  // namespace mlscope::compare
