// fp16 numeric hazards: which op outputs overflow, underflow or turn non-finite when a program
// runs in fp16, which quantize ops clip, which reductions' fp16 partial sums leave the range.
//
// Two observed runs feed one pure analysis: an fp32 run (the values an fp16 backend would try to
// store) and a run under the profile (what it stores). Each run is reduced op output by op output
// as it is produced (exec::RunOptions::on_value / on_codes, no kept intermediates), so memory
// stays that of a plain run. Every number is emulated. JSON contract: docs/cli-json.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/compare/fp16_range.h"
#include "core/compare/nonfinite.h"
#include "core/exec/backend.h"
#include "core/exec/numeric_profile.h"

namespace mlscope::compare {

enum class HazardKind : uint8_t { Overflow, Underflow, Nonfinite, Saturation, Accumulation };
std::string_view hazard_kind_name(HazardKind k);  ///< "overflow", ...
inline constexpr HazardKind kHazardKinds[] = {HazardKind::Overflow, HazardKind::Underflow, HazardKind::Nonfinite,
                                              HazardKind::Saturation, HazardKind::Accumulation};

/// Ranked high to low; the scale is documented in docs/cli-json.md (`hazards --json`).
enum class HazardSeverity : uint8_t { Info, Low, Medium, High, Critical };
std::string_view severity_name(HazardSeverity s);  ///< "info", "low", "medium", "high", "critical"

/// One op output as one run saw it (several visits of a value, e.g. in a loop, are merged).
struct ValueObservation {
  std::string op, type, value, location;
  int64_t order = 0;         ///< first observation, program order of execution
  bool constant = false;     ///< const / constexpr_* op (weights: not reported as hazards)
  bool stored_fp16 = false;  ///< the analyzed profile stores this value in fp16
  float limit = kFp16Max;    ///< out-of-range magnitude (65504, or the op's saturation level)
  float clamp = 0;           ///< the op's saturation level under the profile (0: none)
  Fp16RangeCounts range;     ///< float values only
  NonfiniteCount nonfinite;
  bool inputs_finite = true;  ///< every observed input of the op was finite
};

/// One quantize op: its input against its scale / zero point, its output codes.
struct QuantizeObservation {
  std::string op, value, location;
  int64_t order = 0;
  uint64_t elements = 0, clipped_low = 0, clipped_high = 0;
  double max_abs_scaled = 0;  ///< largest |x / scale|
  int code_min = -128, code_max = 127;
  int codes_used = -1;        ///< distinct output codes (-1: output not seen as codes)
  std::string note;           ///< why clipping was not computed ("scale is not a constant")
};

/// A reduction that accumulated in fp16 (filled from exec::RunResult::accumulation; see
/// accumulation_observations).
struct AccumulationObservation {
  std::string op, type;
  double max_abs_partial = 0;
  uint64_t overflowed_partials = 0, sums = 0;
};

struct ObservedRun {
  std::string profile, provenance, function;
  std::vector<ValueObservation> values;  ///< program order
  std::vector<QuantizeObservation> quantizes;
  std::vector<AccumulationObservation> accumulation;
  std::optional<NonfiniteOrigin> first_nonfinite, nonfinite_origin;
  uint64_t peak_live_bytes = 0;  ///< the run's own (observation keeps no values)
};

/// The local adapter to exec::RunResult's reduction statistics (branch `band` adds
/// RunResult::accumulation {op name, op type, max_abs_partial, overflowed_partials, sums}).
std::vector<AccumulationObservation> accumulation_observations(const exec::RunResult& result);

struct Hazard {
  std::string op, type, output, location;
  HazardKind kind = HazardKind::Overflow;
  uint64_t count = 0;     ///< values concerned (see docs for each kind)
  uint64_t elements = 0;  ///< values of the output
  double fraction = 0;    ///< count over elements (underflow: over nonzero values)
  double max_abs = 0;     ///< largest |x| in the fp32 run (saturation: |x / scale|; accumulation: partial sum)
  HazardSeverity severity = HazardSeverity::Info;
  std::string detail, advice;
  int64_t order = 0;
  // Kind-specific (0 / false when not applicable).
  uint64_t clamped = 0;          ///< overflow: values clamped at ±saturation under the profile
  uint64_t to_zero = 0;          ///< underflow: values that round to exactly 0
  bool collapsed_to_zero = false;  ///< underflow: all zero under the profile, fp32 had nonzero values
  double codes_used = -1;        ///< saturation: fraction of the 256 codes the output uses (-1: unknown)
};

struct HazardOptions {
  /// Underflow below this fraction of an output's nonzero values is not listed (continuous
  /// values always have a few near zero); a collapse to zero always is.
  double min_underflow_fraction = 1e-3;
};

struct HazardReport {
  std::string profile, profile_label, provenance, function;
  std::vector<Hazard> hazards;  ///< most severe first
  std::optional<NonfiniteOrigin> first_nonfinite, nonfinite_origin;  ///< under the profile
  std::map<std::string, int> summary;  ///< kind name -> entries (every kind present)
  std::vector<std::string> notes;
  /// The Neural Engine band run beside (HazardRunOptions::band; empty otherwise): its name, its
  /// member count and the ops where its members first part (exec::BandParting, program order).
  std::string band;
  size_t band_member_count = 0;
  std::vector<exec::BandParting> band_partings;
  bool fails_gate() const;  ///< an overflow or nonfinite hazard (--fail-on-hazard)
};

/// Pure: the hazards of `profiled` (the run under the analyzed profile) against `fp32`.
HazardReport analyze_hazards(const ObservedRun& fp32, const ObservedRun& profiled, const HazardOptions& options = {});

/// Observes one run of `backend`, deciding fp16 storage and saturation from `analyzed` (the
/// profile the hazards are for, also when `backend` runs fp32).
ObservedRun observe_run(exec::Backend& backend, const ir::Model& model, const exec::RunInputs& inputs,
                        const exec::NumericProfile& analyzed, const exec::RunOptions& options);

struct HazardRunOptions {
  std::string function;
  CancelToken cancel;
  /// Runs done of run_count() (fractional within a run); stage names the run.
  ProgressFn progress;
  HazardOptions analysis;
  /// "ane-band" / "ane-w8a8-band": also run that band and report where its members first part
  /// (exec::BandBackend::band_of_profile gives the profile's own band). "" = no band run.
  std::string band;
  int run_count() const { return band.empty() ? 2 : 3; }
};

/// The driver: runs `model` in fp32 and under `profile` (emulated) and analyzes; with
/// options.band, runs the band third.
HazardReport find_hazards(const ir::Model& model, const exec::RunInputs& inputs, const exec::NumericProfile& profile,
                          const HazardRunOptions& options = {});

}  // namespace mlscope::compare
