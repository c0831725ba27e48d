// Ties, all-equal outputs, NaN/inf and position-wise outputs: what a comparison may call a flip.
// Every expected number is worked out by hand in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/compare/compare_report.h"
#include "core/compare/compare_runs.h"
#include "core/compare/plot_data.h"
#include "core/compare/sweep.h"
#include "support/synthetic_runs.h"

using namespace mlscope;
using namespace mlscope::compare;

namespace {

using test::f32;
using test::run_of;

Comparison compare_two(exec::Tensor ref, exec::Tensor other, ClassAxis axis = {}) {
  CompareOptions o;
  o.output_order = {"y"};
  o.class_axis = axis;
  return compare_runs({run_of("ref", {{"y", ref}}), run_of("other", {{"y", other}})}, "ref", o);
}

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

}  // namespace

TEST(CompareDecisions, DecideNamesEveryCase) {
  EXPECT_EQ(decide(std::vector<double>{1, 3, 2}), Decision::Strict);
  EXPECT_EQ(decide(std::vector<double>{3, 1, 3}), Decision::Tie);         // top two equal
  EXPECT_EQ(decide(std::vector<double>{0, 0, 0, 0}), Decision::Degenerate);  // an fp16 underflow's zeros
  EXPECT_EQ(decide(std::vector<double>{2, 2}), Decision::Degenerate);
  EXPECT_EQ(decide(std::vector<double>{1, std::nan("")}), Decision::NonFinite);
  EXPECT_EQ(decide(std::vector<double>{1, -INFINITY}), Decision::NonFinite);
  // A strict winner below two equal runners-up is still strict.
  EXPECT_EQ(decide(std::vector<double>{5, 1, 1}), Decision::Strict);
  // NaN sorts first, like numpy's argmax (which returns the first NaN).
  EXPECT_EQ(class_stats(std::vector<double>{1, std::nan(""), 3}, 2).argmax, 1);
}

TEST(CompareDecisions, AllZeroOutputIsDegenerateNotAFlip) {
  // fp32 scores with a strict winner at 2; the fp16 run underflowed to exactly 0 everywhere.
  // argmax of the zeros is 0 (first maximum), which differs from 2 — but that is no flip.
  Comparison c = compare_two(f32({1, 4}, {0.1f, 0.2f, 0.4f, 0.3f}), f32({1, 4}, {0, 0, 0, 0}));
  const OutputDelta& d = c.find("other")->vs_reference.at("y");
  EXPECT_FALSE(d.argmax_equal);
  EXPECT_EQ(d.verdict, Verdict::Degenerate);
  EXPECT_FALSE(d.flip);
  CompareReport r;
  r.comparison = c;
  EXPECT_FALSE(any_flip(r));
  const auto j = report_json(r);
  const auto& jd = j["backends"][1]["vs_reference"]["y"];
  EXPECT_EQ(jd["verdict"], "degenerate");
  EXPECT_EQ(jd["flip"], false);
  EXPECT_EQ(j["backends"][1]["outputs"]["y"]["decision"], "degenerate");
  EXPECT_NE(report_text(r).find("degenerate: all scores equal, not a flip"), std::string::npos);
  const OutputPlot p = output_plot(c, "y", {}, 5);
  EXPECT_FALSE(p.any_flip);
  EXPECT_EQ(p.backends[1].verdict, Verdict::Degenerate);
}

TEST(CompareDecisions, ReferenceTieIsATieNotAFlip) {
  // Reference's top two equal (class 0 and 2 at 0.5): any other winner is no flip.
  Comparison c = compare_two(f32({3}, {0.5f, 0.1f, 0.5f}), f32({3}, {0.4f, 0.1f, 0.6f}));
  const OutputDelta& d = c.find("other")->vs_reference.at("y");
  EXPECT_EQ(d.verdict, Verdict::Tie);
  EXPECT_FALSE(d.flip);
  // And a strict flip stays one: 0.6 > 0.4 against the reference's strict 0.7 > 0.3.
  Comparison f = compare_two(f32({2}, {0.7f, 0.3f}), f32({2}, {0.4f, 0.6f}));
  EXPECT_EQ(f.find("other")->vs_reference.at("y").verdict, Verdict::Flipped);
  EXPECT_TRUE(f.find("other")->vs_reference.at("y").flip);
}

TEST(CompareDecisions, NonFiniteOutputIsReportedNotPlottedNorFlipped) {
  Comparison c = compare_two(f32({1, 2}, {3.1015625f, 3.5722656f}), f32({1, 2}, {kNaN, kNaN}));
  const auto& b = *c.find("other");
  EXPECT_EQ(b.outputs.at("y").nonfinite.nan, 2u);
  const OutputDelta& d = b.vs_reference.at("y");
  EXPECT_EQ(d.verdict, Verdict::NonFinite);
  EXPECT_FALSE(d.flip);
  CompareReport r;
  r.comparison = c;
  const auto j = report_json(r);
  EXPECT_TRUE(j["backends"][1]["outputs"]["y"]["margin"].is_null());  // never a number
  EXPECT_TRUE(j["backends"][1]["vs_reference"]["y"]["margin_delta"].is_null());
  EXPECT_TRUE(j["backends"][1]["vs_reference"]["y"]["max_abs_diff"].is_null());
  EXPECT_EQ(j["backends"][1]["outputs"]["y"]["nonfinite"]["nan"], 2);
  EXPECT_NE(report_text(r).find("2 NaN of 2 values — not plotted, no flip counted"), std::string::npos);
  // +inf beside a finite value is non-finite too.
  Comparison inf = compare_two(f32({2}, {1, 2}), f32({2}, {kInf, 2}));
  EXPECT_EQ(inf.find("other")->outputs.at("y").nonfinite.pos_inf, 1u);
  EXPECT_EQ(inf.find("other")->vs_reference.at("y").verdict, Verdict::NonFinite);
}

TEST(CompareDecisions, PositionWiseOutputComparedPerPosition) {
  // [1, 4, 3]: 4 positions of 3 classes.
  //   pos 0: ref [1 2 3] → 2;  other [1 2 3.5] → 2 same   margin pair (2,1): 1 → 1.5, delta +0.5
  //   pos 1: ref [3 2 1] → 0;  other [3 2 1]   → 0 same   pair (0,1): 1 → 1, delta 0
  //   pos 2: ref [1 3 2] → 1;  other [1 2 3]   → 2 FLIP   pair (1,2): 1 → −1, delta −2
  //   pos 3: ref [2 1 0] → 0;  other [2 2 0]   → tie      pair (0,1): 1 → 0, delta −1
  Comparison c = compare_two(f32({1, 4, 3}, {1, 2, 3, 3, 2, 1, 1, 3, 2, 2, 1, 0}),
                             f32({1, 4, 3}, {1, 2, 3.5f, 3, 2, 1, 1, 2, 3, 2, 2, 0}));
  const auto& o = c.find("other")->outputs.at("y");
  ASSERT_TRUE(o.positions);
  EXPECT_FALSE(o.classification);
  EXPECT_EQ(o.positions->layout.positions, 4);
  EXPECT_EQ(o.positions->layout.classes, 3);
  const OutputDelta& d = c.find("other")->vs_reference.at("y");
  ASSERT_TRUE(d.positions);
  EXPECT_EQ(d.positions->decided, 3);
  EXPECT_EQ(d.positions->agree, 2);
  EXPECT_EQ(d.positions->flipped, 1);
  EXPECT_EQ(d.positions->undecided, 1);
  EXPECT_DOUBLE_EQ(d.positions->argmax_agreement, 2.0 / 3.0);
  EXPECT_EQ(d.positions->margin_delta, (std::vector<double>{0.5, 0, -2, -1}));
  ASSERT_FALSE(d.positions->worst.empty());
  EXPECT_EQ(d.positions->worst[0], 2);  // the flip first
  EXPECT_EQ(d.positions->worst[1], 3);  // then the most negative margin delta
  EXPECT_TRUE(d.flip);
  EXPECT_EQ(d.verdict, Verdict::Flipped);

  CompareReport r;
  r.comparison = c;
  const auto j = report_json(r);
  const auto& jp = j["backends"][1]["vs_reference"]["y"]["positions"];
  EXPECT_EQ(jp["flipped"], 1);
  EXPECT_EQ(jp["undecided"], 1);
  EXPECT_EQ(j["backends"][1]["outputs"]["y"]["positions"]["argmax"], (std::vector<int64_t>{2, 0, 2, 0}));
  // The plot shows one position at a time: the worst by default, any on request.
  OutputPlot p = output_plot(c, "y", {}, 5);
  EXPECT_TRUE(p.position_wise);
  EXPECT_EQ(p.position, 2);
  EXPECT_EQ(p.backends[1].values, (std::vector<double>{1, 2, 3}));
  EXPECT_TRUE(p.backends[1].flip);
  EXPECT_EQ(p.backends[1].position_state, (std::vector<uint8_t>{0, 0, 1, 2}));
  p = output_plot(c, "y", {}, 5, 1);
  EXPECT_EQ(p.backends[0].values, (std::vector<double>{3, 2, 1}));
  EXPECT_FALSE(p.backends[1].flip);
}

TEST(CompareDecisions, ClassAxisRuleChoosesPositions) {
  const exec::Tensor a = f32({1, 3, 2}, {1, 0, 0, 1, 2, 3});
  // Auto: last axis (2 classes) over 3 positions.
  EXPECT_EQ(compare_two(a, a).find("ref")->outputs.at("y").positions->layout.positions, 3);
  // Forced axis 1: 3 classes, 2 positions; element (p, c) at c·2 + p.
  const Comparison c = compare_two(a, a, {ClassAxis::Mode::Axis, 1});
  const auto& l = c.find("ref")->outputs.at("y").positions->layout;
  EXPECT_EQ(l.classes, 3);
  EXPECT_EQ(l.positions, 2);
  EXPECT_EQ(position_scores(c.find("ref")->outputs.at("y").value, l, 1), (std::vector<double>{0, 1, 3}));
  // Off: neither position-wise nor a score vector.
  const Comparison off = compare_two(a, a, {ClassAxis::Mode::Off, 0});
  EXPECT_FALSE(off.find("ref")->outputs.at("y").positions);
  // Images / feature maps ([1, 3, 4, 4]) are not split by default.
  std::vector<float> img(48, 1.0f);
  EXPECT_FALSE(compare_two(f32({1, 3, 4, 4}, img), f32({1, 3, 4, 4}, img)).find("ref")->outputs.at("y").positions);
}

TEST(CompareDecisions, SweepCountsNoFlipWithoutStrictWinners) {
  // Three inputs: a strict flip, a tie on b's side, all-zero scores on b's side.
  std::vector<SweepRow> rows(3);
  auto row = [](std::vector<double> a, std::vector<double> b) {
    SweepRow r;
    r.done = true;
    for (auto* s : {&a, &b}) {
      const ClassStats cs = class_stats(*s, 2);
      r.argmax.push_back(cs.argmax);
      r.gap.push_back(cs.top1_top2_gap);
      r.decision.push_back(cs.decision);
      r.scores.push_back(*s);
    }
    return r;
  };
  rows[0] = row({2, 1}, {1, 2});
  rows[1] = row({1, 2, 0}, {2, 2, 0});
  rows[2] = row({1, 2, 0}, {0, 0, 0});
  const PairFlip p = pair_flip(rows, 0, 1, {"a", "b"}, 4, 3);
  EXPECT_EQ(p.inputs, 3u);
  EXPECT_EQ(p.flips, 1u);
  EXPECT_EQ(p.undecided, 2u);
  EXPECT_DOUBLE_EQ(p.flip_rate, 1.0 / 3.0);
}

TEST(CompareDecisions, BandRangeAndArgmaxStability) {
  // A band backend: default member [3.1, 3.5]; two more members [4.4, 3.7] and [3.0, 3.6].
  BackendRun band = run_of("ane-band", {{"y", f32({1, 2}, {3.1f, 3.5f})}});
  band.result.band_members = {{"wide", {{"y", f32({1, 2}, {3.1f, 3.5f})}}},
               {"chunk", {{"y", f32({1, 2}, {4.4f, 3.7f})}}},
               {"tile", {{"y", f32({1, 2}, {3.0f, 3.6f})}}}};
  CompareOptions o;
  o.output_order = {"y"};
  const Comparison c = compare_runs({run_of("fp32", {{"y", f32({1, 2}, {3.1f, 3.57f})}}), band}, "fp32", o);
  const auto& b = c.find("ane-band")->outputs.at("y");
  ASSERT_TRUE(b.band);
  EXPECT_EQ(b.band->members.size(), 3u);
  EXPECT_EQ(b.band->min, (std::vector<double>{3.0f, 3.5f}));
  EXPECT_EQ(b.band->max, (std::vector<double>{4.4f, 3.7f}));
  EXPECT_FALSE(b.band->argmax_stable);  // the "chunk" member picks class 0
  EXPECT_EQ(b.band->member_argmax, (std::vector<int64_t>{1, 0, 1}));
  CompareReport r;
  r.comparison = c;
  const auto j = report_json(r);
  EXPECT_EQ(j["backends"][1]["outputs"]["y"]["band"]["argmax_stable"], false);
  EXPECT_EQ(j["backends"][1]["outputs"]["y"]["band"]["members"].size(), 3u);
  const OutputPlot p = output_plot(c, "y", {}, 5);
  EXPECT_EQ(p.backends[1].band_min, (std::vector<double>{3.0f, 3.5f}));
  EXPECT_FALSE(p.backends[1].band_argmax_stable);
}

TEST(CompareDecisions, SweepReportsTheBandsFlipRange) {
  // b is a band of three members. Input 0: a says 1; members say 1, 0, 0 (two flip).
  // Input 1: a says 0; members say 0, 0, 1 (one flips). Input 2: a ties: nothing can flip.
  auto row = [](int64_t a, Decision da, std::vector<int64_t> members) {
    SweepRow r;
    r.done = true;
    r.argmax = {a, members[0]};
    r.decision = {da, Decision::Strict};
    r.gap = {1, 1};
    r.scores = {{0, 1}, {0, 1}};
    r.member_argmax = {{}, members};
    r.member_decision = {{}, std::vector<Decision>(members.size(), Decision::Strict)};
    return r;
  };
  const std::vector<SweepRow> rows{row(1, Decision::Strict, {1, 0, 0}), row(0, Decision::Strict, {0, 0, 1}),
                                   row(0, Decision::Tie, {1, 1, 1})};
  const PairFlip p = pair_flip(rows, 0, 1, {"fp16", "ane-band"}, 4, 3);
  ASSERT_TRUE(p.band);
  // Member flips: m0 = 0, m1 = 1 (input 0), m2 = 2 (inputs 0 and 1).
  EXPECT_EQ(p.band_min_flips, 0u);
  EXPECT_EQ(p.band_max_flips, 2u);
  EXPECT_EQ(p.band_any_flip, 2u);
}
