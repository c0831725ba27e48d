// fp16 hazards (core/compare/hazards.h) on programs built in code: every expected count is
// worked out in the test from the inputs and fp16's definition, never captured from a run.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/compare/hazards.h"
#include "core/compare/hazards_report.h"
#include "core/compare/nonfinite.h"
#include "core/exec/band_runner.h"
#include "core/exec/interpreter.h"
#include "core/util/half.h"
#include "support/doc_keys.h"
#include "support/hazard_programs.h"

using namespace mlscope;
using namespace mlscope::compare;
using exec::NumericProfile;
using exec::Tensor;

namespace {

exec::RunInputs x_input(std::vector<float> v, ir::DType dt = ir::DType::Float32, exec::Dims shape = {}) {
  if (shape.empty()) shape = {int64_t(v.size())};
  return {{"x", Tensor::from_floats(dt, shape, std::move(v))}};
}

exec::RunInputs reduction_input(int64_t side) {
  return x_input(std::vector<float>(size_t(side * side), fixtures::kReductionOverflowInput), ir::DType::Float32, {1, 1, side, side});
}

std::vector<const Hazard*> of_kind(const HazardReport& r, HazardKind k) {
  std::vector<const Hazard*> out;
  for (const auto& h : r.hazards)
    if (h.kind == k) out.push_back(&h);
  return out;
}

// The sequential fp16 sum the fp16-reduction profiles define (exec Accumulator): every partial
// sum rounded to fp16.
float fp16_sequential_sum(float term, int64_t n) {
  float s = 0;
  for (int64_t i = 0; i < n; ++i) s = round_to_half(s + term);
  return s;
}

// What each channel of reduction_overflow_program holds before the mean under fp16 storage:
// weights 1, 1, 1/64 times x = 4 (exact), silu rounded to fp16, times 64 (exact in fp16).
std::vector<float> channel_terms() {
  std::vector<float> terms;
  for (double w : {1.0, 1.0, 1.0 / 64}) {
    const double v = w * fixtures::kReductionOverflowInput;
    terms.push_back(round_to_half(float(v / (1 + std::exp(-v)))) * fixtures::kReductionOverflowAmplify);
  }
  return terms;
}

NumericProfile fp16_reduce_mean_profile() {
  return NumericProfile::from_json(R"({"name": "gpu-fp16-mean", "base": "gpu", "by_op_type": {"reduce_mean": {"reduction_accumulation": "fp16"}}})",
                                   "user.json");
}

}  // namespace

TEST(Fp16Range, UnderflowBoundsAgreeWithFp16Rounding) {
  std::vector<float> probes;
  for (int e : {-26, -25, -24, -15, -14}) {
    const float b = std::ldexp(1.0f, e);
    for (float f : {b, std::nextafter(b, 0.0f), std::nextafter(b, 1.0f), b * 1.5f, b * 0.75f}) probes.push_back(f);
  }
  const float edge = kFp16MinNormal - std::ldexp(1.0f, -25);  // the tie between the largest subnormal and 2^-14
  for (float f : {edge, std::nextafter(edge, 0.0f), std::nextafter(edge, 1.0f)}) probes.push_back(f);
  for (int i = 1; i < 2000; ++i) probes.push_back(float(i) * 3.1e-8f);
  for (auto mode : {exec::RoundingMode::NearestEven, exec::RoundingMode::TowardZero}) {
    for (float v : probes) {
      const float r = exec::round_fp16(v, mode);
      const bool zero = r == 0.0f, subnormal = r != 0.0f && std::fabs(r) < kFp16MinNormal;
      const Fp16RangeCounts c = count_fp16_range(std::span<const float>(&v, 1), kFp16Max, 0, mode);
      EXPECT_EQ(c.to_zero, zero ? 1u : 0u) << v << " mode " << int(mode);
      EXPECT_EQ(c.subnormal, subnormal ? 1u : 0u) << v << " mode " << int(mode);
    }
  }
  // The nearest-even tie at 2^-25 goes to 0.
  const float tie = std::ldexp(1.0f, -25);
  EXPECT_EQ(count_fp16_range(std::span<const float>(&tie, 1), kFp16Max, 0, exec::RoundingMode::NearestEven).to_zero, 1u);
}

TEST(Hazards, FpSixteenReductionOverflowNamesReduceMeanAsOrigin) {
  const int64_t side = 32;
  const ir::Model m = fixtures::program_model(fixtures::reduction_overflow_program(side));
  uint64_t expect_inf = 0;
  for (float t : channel_terms()) expect_inf += std::isinf(fp16_sequential_sum(t, side * side));
  ASSERT_EQ(expect_inf, 2u);  // channels 0 and 1 (~251 each x 1024 terms); channel 2 stays finite
  for (const NumericProfile& p : {NumericProfile::builtin("gpu-lowacc"), fp16_reduce_mean_profile()}) {
    const HazardReport r = find_hazards(m, reduction_input(side), p);
    ASSERT_TRUE(r.nonfinite_origin) << p.name;
    EXPECT_EQ(r.nonfinite_origin->op, "pool");
    EXPECT_EQ(r.nonfinite_origin->type, "reduce_mean");
    EXPECT_EQ(r.nonfinite_origin->location, "function main, op #6");
    EXPECT_EQ(r.nonfinite_origin->count.pos_inf, expect_inf);
    ASSERT_TRUE(r.first_nonfinite);
    EXPECT_EQ(r.first_nonfinite->op, "pool");
    const auto nf = of_kind(r, HazardKind::Nonfinite);
    ASSERT_EQ(nf.size(), 1u) << "the NaN in fc follows from pool: not another origin";
    EXPECT_EQ(nf[0]->op, "pool");
    EXPECT_EQ(nf[0]->count, expect_inf);
    EXPECT_EQ(nf[0]->elements, 3u);
    EXPECT_DOUBLE_EQ(nf[0]->fraction, double(expect_inf) / 3);
    EXPECT_EQ(nf[0]->severity, HazardSeverity::Critical);
    EXPECT_NE(nf[0]->advice.find("before the reduction"), std::string::npos);
    EXPECT_EQ(&r.hazards.front(), nf[0]) << "most severe first";
    EXPECT_EQ(r.summary.at("nonfinite"), 1);
    EXPECT_TRUE(r.fails_gate());
    EXPECT_TRUE(of_kind(r, HazardKind::Overflow).empty()) << "no op output leaves the fp16 range in fp32";
    EXPECT_NE(r.provenance.find("emulated"), std::string::npos);
  }
  // fp32 reductions (gpu): finite; the quantize uses one code (x = 4 everywhere), clips nothing.
  const HazardReport gpu = find_hazards(m, reduction_input(side), NumericProfile::builtin("gpu"));
  EXPECT_FALSE(gpu.nonfinite_origin);
  EXPECT_FALSE(gpu.first_nonfinite);
  EXPECT_FALSE(gpu.fails_gate());
  const auto sat = of_kind(gpu, HazardKind::Saturation);
  ASSERT_EQ(sat.size(), 1u);
  EXPECT_EQ(sat[0]->op, "x_q");
  EXPECT_EQ(sat[0]->count, 0u);
  EXPECT_DOUBLE_EQ(sat[0]->codes_used, 1.0 / 256);
  EXPECT_EQ(sat[0]->severity, HazardSeverity::Low) << "one code used: the scale carries no resolution";
}

TEST(Hazards, ObservationKeepsThePlainRunsMemoryAndCountsDeferredCodes) {
  const ir::Model m = fixtures::program_model(fixtures::reduction_overflow_program(64));
  exec::Interpreter gpu(NumericProfile::builtin("gpu"));
  const uint64_t plain_peak = gpu.run(m, reduction_input(64), {}).peak_live_bytes;
  const ObservedRun o = observe_run(gpu, m, reduction_input(64), NumericProfile::builtin("gpu"), {});
  EXPECT_EQ(o.peak_live_bytes, plain_peak) << "the dequantize read by conv stays deferred, nothing is kept";
  // x_dq reaches the observer as codes + table (histogram path): 4096 values, all 4.
  const ValueObservation* dq = nullptr;
  for (const auto& v : o.values) dq = v.value == "x_dq" ? &v : dq;
  ASSERT_NE(dq, nullptr);
  EXPECT_EQ(dq->range.elements, 64u * 64u);
  EXPECT_EQ(dq->range.nonzero, 64u * 64u);
  EXPECT_EQ(dq->range.max_abs, 4.0);
  EXPECT_EQ(dq->range.subnormal + dq->range.to_zero + dq->range.above_limit, 0u);
}

TEST(Hazards, TinyActivationsUnderflowAndCollapse) {
  std::vector<float> x(4, 0.0f);
  for (int i = 1; i <= 256; ++i) x.push_back(0.5f * float(i));
  const float factor = std::ldexp(1.0f, -20);
  uint64_t expect = 0;
  for (float v : x)
    if (v != 0 && v * factor < kFp16MinNormal - std::ldexp(1.0f, -25)) ++expect;  // rounds to a subnormal
  ASSERT_EQ(expect, 127u);  // 0.5 .. 63.5 (x * 2^-20 < 2^-14 - 2^-25 means x < 63.96875)
  const ir::Model m = fixtures::program_model(fixtures::scale_program(factor, int64_t(x.size()), ir::DType::Float16));
  const HazardReport r = find_hazards(m, x_input(x, ir::DType::Float16), NumericProfile::builtin("fp16"));
  const auto u = of_kind(r, HazardKind::Underflow);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0]->op, "scale");
  EXPECT_EQ(u[0]->count, expect);
  EXPECT_EQ(u[0]->to_zero, 0u);
  EXPECT_DOUBLE_EQ(u[0]->fraction, double(expect) / 256);  // of the nonzero values
  EXPECT_FALSE(u[0]->collapsed_to_zero);
  EXPECT_EQ(u[0]->severity, HazardSeverity::Medium);
  EXPECT_FALSE(r.fails_gate()) << "underflow is not a gate failure";
  // Under fp32 storage nothing is stored in fp16: no underflow.
  EXPECT_TRUE(of_kind(find_hazards(m, x_input(x, ir::DType::Float16), NumericProfile::builtin("fp32")), HazardKind::Underflow).empty());

  // 2^-34: every product (at most 128 * 2^-34 = 2^-27 <= 2^-25) rounds to 0: the output collapses.
  const ir::Model tiny = fixtures::program_model(fixtures::scale_program(std::ldexp(1.0f, -34), int64_t(x.size()), ir::DType::Float16));
  const HazardReport c = find_hazards(tiny, x_input(x, ir::DType::Float16), NumericProfile::builtin("fp16"));
  const auto cu = of_kind(c, HazardKind::Underflow);
  ASSERT_EQ(cu.size(), 1u);
  EXPECT_EQ(cu[0]->count, 256u);
  EXPECT_EQ(cu[0]->to_zero, 256u);
  EXPECT_TRUE(cu[0]->collapsed_to_zero);
  EXPECT_EQ(cu[0]->severity, HazardSeverity::High);
}

TEST(Hazards, OverflowCountsAndInfOrigin) {
  std::vector<float> x;
  for (int i = 1; i <= 256; ++i) x.push_back(float(i));
  uint64_t above = 0, inf = 0;
  for (float v : x) {
    above += v * 512 > 65504;
    inf += v * 512 >= 65520;  // fp16's rounding boundary to inf (half an ulp above 65504)
  }
  ASSERT_EQ(above, 129u);  // 128 .. 256
  const ir::Model m = fixtures::program_model(fixtures::scale_program(512, 256, ir::DType::Float32));
  const HazardReport r = find_hazards(m, x_input(x), NumericProfile::builtin("gpu"));
  const auto o = of_kind(r, HazardKind::Overflow);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0]->op, "scale");
  EXPECT_EQ(o[0]->count, above);
  EXPECT_DOUBLE_EQ(o[0]->fraction, double(above) / 256);
  EXPECT_EQ(o[0]->max_abs, 256.0 * 512);
  EXPECT_EQ(o[0]->clamped, 0u);
  ASSERT_TRUE(r.nonfinite_origin);
  EXPECT_EQ(r.nonfinite_origin->op, "scale");
  EXPECT_EQ(r.nonfinite_origin->count.pos_inf, inf);
  EXPECT_EQ(r.hazards.front().kind, HazardKind::Nonfinite);
  EXPECT_TRUE(r.fails_gate());
}

TEST(Hazards, SaturatingProfileCountsClampedValues) {
  // fc = 1000 * identity on x = [10, 40, 50, 70]: 10000, 40000, 50000, 70000. ane clamps
  // conv/matmul-class outputs at ±32752, so three values clamp (70000's fp16 product is inf,
  // clamped too) and nothing becomes non-finite.
  std::vector<float> w(16, 0.0f);
  for (int i = 0; i < 4; ++i) w[size_t(i * 5)] = 1000;
  const std::vector<float> x = {10, 40, 50, 70};
  uint64_t expect = 0;
  for (float v : x) expect += 1000 * v > 32752;
  const ir::Model m = fixtures::program_model(fixtures::linear_program(w, 4, 4));
  const HazardReport r = find_hazards(m, x_input(x, ir::DType::Float32, {1, 4}), NumericProfile::builtin("ane"));
  const auto o = of_kind(r, HazardKind::Overflow);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0]->op, "fc");
  EXPECT_EQ(o[0]->count, expect);
  EXPECT_EQ(o[0]->clamped, expect);
  EXPECT_EQ(o[0]->max_abs, 70000.0);
  EXPECT_FALSE(r.nonfinite_origin);
  // gpu does not saturate: only 70000 is above 65504 (and becomes inf).
  const HazardReport g = find_hazards(m, x_input(x, ir::DType::Float32, {1, 4}), NumericProfile::builtin("gpu"));
  ASSERT_EQ(of_kind(g, HazardKind::Overflow).size(), 1u);
  EXPECT_EQ(of_kind(g, HazardKind::Overflow)[0]->count, 1u);
  EXPECT_EQ(of_kind(g, HazardKind::Overflow)[0]->clamped, 0u);
}

TEST(Hazards, QuantizeSaturationFromScaleAndZeroPoint) {
  for (int64_t zp : {0, 10}) {
    const float scale = 0.05f;  // too small for |x| up to 10
    std::vector<float> x;
    for (int i = 0; i <= 200; ++i) x.push_back(float(i - 100) * 0.1f);
    uint64_t clipped = 0;
    double max_scaled = 0;
    std::set<int64_t> codes;
    for (float v : x) {
      const float r = std::nearbyint(v / scale);  // quantize rounds x / scale half to even
      const bool low = r < float(-128 - zp), high = r > float(127 - zp);
      clipped += low || high;
      codes.insert(low ? -128 : high ? 127 : int64_t(r) + zp);
      max_scaled = std::max(max_scaled, double(std::fabs(v / scale)));
    }
    const ir::Model m = fixtures::program_model(fixtures::quantize_program(scale, zp, int64_t(x.size())));
    const HazardReport r = find_hazards(m, x_input(x), NumericProfile::builtin("gpu"));
    const auto s = of_kind(r, HazardKind::Saturation);
    ASSERT_EQ(s.size(), 1u) << zp;
    EXPECT_EQ(s[0]->op, "q");
    EXPECT_EQ(s[0]->count, clipped) << zp;
    EXPECT_GT(clipped, 60u);
    EXPECT_DOUBLE_EQ(s[0]->fraction, double(clipped) / double(x.size()));
    EXPECT_DOUBLE_EQ(s[0]->codes_used, double(codes.size()) / 256);
    EXPECT_DOUBLE_EQ(s[0]->max_abs, max_scaled);
    EXPECT_EQ(s[0]->severity, HazardSeverity::Medium);
    EXPECT_NE(s[0]->advice.find("scale is too small"), std::string::npos);
  }
}

TEST(Hazards, AccumulationFromRunStatisticsRanksWithTheRest) {
  // The pure analysis over observations as RunResult::accumulation would give them.
  ObservedRun fp32, prof;
  ValueObservation v;
  v.op = v.value = "pool";
  v.type = "reduce_mean";
  v.location = "function main, op #3";
  v.stored_fp16 = true;
  v.range.elements = v.range.nonzero = 16;
  v.range.max_abs = 100;
  fp32.values = {v};
  prof.values = {v};
  prof.accumulation = {{"pool", "reduce_mean", 70000, 12, 16}, {"other", "reduce_sum", 900, 0, 4}};
  const HazardReport r = analyze_hazards(fp32, prof);
  const auto a = of_kind(r, HazardKind::Accumulation);
  ASSERT_EQ(a.size(), 1u) << "a reduction whose partials stayed in range is no hazard";
  EXPECT_EQ(a[0]->op, "pool");
  EXPECT_EQ(a[0]->output, "pool");
  EXPECT_EQ(a[0]->location, "function main, op #3");
  EXPECT_EQ(a[0]->count, 12u);
  EXPECT_DOUBLE_EQ(a[0]->fraction, 12.0 / 16);
  EXPECT_EQ(a[0]->max_abs, 70000.0);
  EXPECT_EQ(a[0]->severity, HazardSeverity::High);
  EXPECT_EQ(r.summary.at("accumulation"), 1);
  EXPECT_FALSE(r.fails_gate()) << "--fail-on-hazard gates overflow / nonfinite only";
}

TEST(Nonfinite, TraceNamesOriginAndCostsNothingWhenFinite) {
  struct Counting : exec::Backend {
    exec::Interpreter inner;
    int runs = 0;
    explicit Counting(NumericProfile p) : inner(std::move(p)) {}
    std::string name() const override { return inner.name(); }
    exec::BackendKind kind() const override { return inner.kind(); }
    exec::RunResult run(const ir::Model& m, const exec::RunInputs& in, const exec::RunOptions& o) override {
      ++runs;
      return inner.run(m, in, o);
    }
  };
  const ir::Model m = fixtures::program_model(fixtures::reduction_overflow_program(32));
  Counting gpu(NumericProfile::builtin("gpu"));
  exec::RunResult ok = gpu.run(m, reduction_input(32), {});
  EXPECT_FALSE(check_nonfinite_outputs(ok, &gpu, m, reduction_input(32), {}).any());
  EXPECT_EQ(gpu.runs, 1) << "finite outputs: no second run";

  Counting low(NumericProfile::builtin("gpu-lowacc"));
  exec::RunResult bad = low.run(m, reduction_input(32), {});
  const NonfiniteCheck c = check_nonfinite_outputs(bad, &low, m, reduction_input(32), {});
  EXPECT_EQ(low.runs, 2);
  ASSERT_EQ(c.outputs.size(), 1u);
  EXPECT_EQ(c.outputs[0].name, "fc");
  EXPECT_EQ(c.outputs[0].count.nan, 1u);  // inf - inf
  EXPECT_EQ(c.outputs[0].count.pos_inf, 1u);
  ASSERT_TRUE(c.origin);
  EXPECT_EQ(c.origin->op, "pool");
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("output 'fc'"), std::string::npos) << c.warnings[0];
  EXPECT_NE(c.warnings[0].find("reduce_mean 'pool'"), std::string::npos) << c.warnings[0];
  EXPECT_NE(c.warnings[0].find("1 NaN"), std::string::npos) << c.warnings[0];

  // A NaN input is its own origin; without a backend to re-run, the warning says so.
  const ir::Model s = fixtures::program_model(fixtures::scale_program(2, 3, ir::DType::Float32));
  exec::Interpreter fp32(NumericProfile::builtin("fp32"));
  const auto in = x_input({1, NAN, 3});
  const auto origin = trace_nonfinite(fp32, s, in, {});
  ASSERT_TRUE(origin);
  EXPECT_TRUE(origin->from_input);
  EXPECT_EQ(origin->describe(), "input 'x'");
  const auto w = check_nonfinite_outputs(fp32.run(s, in, {}), nullptr, s, in, {}).warnings;
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("origin not traced"), std::string::npos) << w[0];
}

// Under ane the band runs too and names where its accumulation schemes first part: the 1024-term
// mean. Channel 0's terms sum past 65504 in a sequential fp16 sum (inf in the seq-fp16 members)
// while the wide member's mean is the term itself; the 1x1 conv before it has one product per
// output, so no scheme can change it.
TEST(Hazards, NeuralEngineBandNamesWhereItsSchemesPart) {
  EXPECT_EQ(exec::BandBackend::band_of_profile("ane"), "ane-band");
  EXPECT_EQ(exec::BandBackend::band_of_profile("ane-w8a8:tile16x16-f16"), "ane-w8a8-band");
  EXPECT_EQ(exec::BandBackend::band_of_profile("gpu"), "");
  const int64_t side = 32;
  const ir::Model m = fixtures::program_model(fixtures::reduction_overflow_program(side));
  ASSERT_TRUE(std::isinf(fp16_sequential_sum(channel_terms()[0], side * side)));
  HazardRunOptions o;
  o.band = "ane-band";
  // One progress stream over the three runs: each named, the fraction never going back.
  std::vector<std::string> runs_seen;
  float last_fraction = 0;
  o.progress = [&](const Progress& p) {
    EXPECT_EQ(p.total, 3.0);
    EXPECT_GE(p.fraction(), last_fraction);
    last_fraction = p.fraction();
    if (runs_seen.empty() || runs_seen.back() != p.stage) runs_seen.emplace_back(p.stage);
  };
  const HazardReport r = find_hazards(m, reduction_input(side), NumericProfile::builtin("ane"), o);
  EXPECT_EQ(runs_seen, (std::vector<std::string>{"fp32 run", "run under the profile", "Neural Engine band"}));
  EXPECT_FLOAT_EQ(last_fraction, 1.0f);
  EXPECT_EQ(r.band, "ane-band");
  EXPECT_EQ(r.band_member_count, NumericProfile::band_members("ane").size());
  ASSERT_FALSE(r.band_partings.empty());
  EXPECT_EQ(r.band_partings.front().op_name, "pool");
  EXPECT_EQ(r.band_partings.front().op_type, "reduce_mean");
  EXPECT_GE(r.band_partings.front().non_finite, 2u) << "channels 0 and 1 overflow in the sequential fp16 members";
  EXPECT_FALSE(r.nonfinite_origin) << "ane itself accumulates wide: 251 per term stays finite";
  const nlohmann::json j = hazards_json(r);
  EXPECT_EQ(j.at("band").at("first_parting_op"), "pool");
  EXPECT_EQ(j.at("band").at("partings").size(), r.band_partings.size());
  EXPECT_NE(hazards_text(r).find("members part at"), std::string::npos);
  EXPECT_TRUE(hazards_json(find_hazards(m, reduction_input(side), NumericProfile::builtin("ane"))).at("band").is_null());
  // The member that sums in fp16 (the rule `ane` had before the band) has the NaN, at pool.
  const HazardReport seq = find_hazards(m, reduction_input(side), NumericProfile::builtin("ane:seq-fp16"));
  ASSERT_TRUE(seq.nonfinite_origin);
  EXPECT_EQ(seq.nonfinite_origin->op, "pool");
  EXPECT_EQ(seq.nonfinite_origin->count.pos_inf, 2u);
}

TEST(Hazards, JsonProducesEveryDocumentedKey) {
  std::vector<nlohmann::json> docs;
  const ir::Model red = fixtures::program_model(fixtures::reduction_overflow_program(32));
  docs.push_back(hazards_json(find_hazards(red, reduction_input(32), NumericProfile::builtin("gpu-lowacc"))));
  HazardRunOptions banded;
  banded.band = "ane-band";
  docs.push_back(hazards_json(find_hazards(red, reduction_input(32), NumericProfile::builtin("ane"), banded)));
  std::vector<float> x;
  for (int i = 1; i <= 64; ++i) x.push_back(float(i));
  const ir::Model big = fixtures::program_model(fixtures::scale_program(2000, 64, ir::DType::Float32));
  docs.push_back(hazards_json(find_hazards(big, x_input(x), NumericProfile::builtin("gpu"))));
  const ir::Model tiny = fixtures::program_model(fixtures::scale_program(std::ldexp(1.0f, -34), 64, ir::DType::Float32));
  docs.push_back(hazards_json(find_hazards(tiny, x_input(x), NumericProfile::builtin("gpu"))));
  ObservedRun a;
  a.accumulation = {{"pool", "reduce_mean", 70000, 3, 4}};
  docs.push_back(hazards_json(analyze_hazards({}, a)));
  // `model` and `input` are added by the CLI (cli_hazards_test checks them).
  EXPECT_EQ(test::missing_documented_keys("`hazards --json`", docs, {"model", "input"}), std::vector<std::string>{});
  EXPECT_GE(test::documented_keys("`hazards --json`").size(), 20u) << "the section is found";
  for (const auto& d : docs)
    for (const auto& h : d.at("hazards")) {
      const std::string kind = h.at("kind");
      EXPECT_TRUE(kind == "overflow" || kind == "underflow" || kind == "nonfinite" || kind == "saturation" || kind == "accumulation");
    }
  EXPECT_TRUE(docs[4].at("first_nonfinite_op").is_null());
  EXPECT_EQ(docs[0].at("first_nonfinite_op"), "pool");
  EXPECT_EQ(docs[0].at("nonfinite_origin").at("type"), "reduce_mean");
}
