// What the GUI's comparison views draw, computed in core: plot classes/flags (plot_data.h), the
// table CSV, value histograms and their streaming sketches (value_histograms.h), and the
// backend catalog's cache keys (backend_catalog.h). Expected numbers are worked out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "core/compare/backend_catalog.h"
#include "core/exec/band_runner.h"
#include "core/compare/compare_runs.h"
#include "core/compare/plot_data.h"
#include "core/compare/value_histograms.h"

using namespace mlscope;
using namespace mlscope::compare;

namespace {

exec::Tensor f32(exec::Dims shape, std::vector<float> v) { return exec::Tensor::from_floats(ir::DType::Float32, shape, v); }

BackendRun run_of(const std::string& name, std::vector<float> y, exec::BackendKind kind = exec::BackendKind::Emulated) {
  BackendRun r;
  r.name = name;
  r.kind = kind;
  r.provenance = "synthetic " + name;
  const auto n = static_cast<int64_t>(y.size());
  r.result.outputs = {{"y", f32({1, n}, std::move(y))}};
  return r;
}

}  // namespace

TEST(ComparePlotData, SeedPairShowsEveryClassAndFlagsTheFlip) {
  // The seed's recorded pair: CPU_ONLY [3.1015625, 3.5722656] (class 1), CPU_AND_NE [4.4414062, 3.6835938] (class 0).
  const Comparison c = compare_runs({run_of("cpu", {3.1015625f, 3.5722656f}, exec::BackendKind::Recorded),
                                     run_of("ne", {4.4414062f, 3.6835938f}, exec::BackendKind::Recorded)},
                                    "cpu", {});
  const OutputPlot p = output_plot(c, "y", {}, 5);
  ASSERT_EQ(p.classes, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(p.labels, (std::vector<std::string>{"class 0", "class 1"}));
  ASSERT_EQ(p.backends.size(), 2u);
  EXPECT_TRUE(p.backends[0].reference);
  EXPECT_FALSE(p.backends[0].flip);
  EXPECT_TRUE(p.backends[1].flip);
  EXPECT_TRUE(p.any_flip);
  EXPECT_EQ(p.backends[1].argmax, 0);
  // delta = ne − cpu per class; margin (y0 − y1): −0.4707031 → 0.7578124, delta 1.2285155.
  EXPECT_NEAR(p.backends[1].delta[0], 4.4414062 - 3.1015625, 1e-6);
  EXPECT_NEAR(p.backends[1].margin_delta, (4.4414062 - 3.6835938) - (3.1015625 - 3.5722656), 1e-6);
}

TEST(ComparePlotData, WideOutputShowsTopKPlusEveryWinnerWithLabels) {
  // 20 classes: reference top-3 are 19, 18, 17; the other backend's winner is class 2.
  std::vector<float> ref(20), other(20);
  for (int i = 0; i < 20; ++i) ref[static_cast<size_t>(i)] = other[static_cast<size_t>(i)] = static_cast<float>(i);
  other[2] = 100;
  const Comparison c = compare_runs({run_of("a", ref), run_of("b", other)}, "a", {});
  std::vector<std::string> labels;
  for (int i = 0; i < 20; ++i) labels.push_back("L" + std::to_string(i));
  const OutputPlot p = output_plot(c, "y", labels, 3);
  EXPECT_EQ(p.classes, (std::vector<int64_t>{2, 17, 18, 19}));
  EXPECT_EQ(p.labels, (std::vector<std::string>{"L2", "L17", "L18", "L19"}));
  EXPECT_EQ(p.total_classes, 20u);
  EXPECT_TRUE(p.backends[1].flip);
  EXPECT_DOUBLE_EQ(p.backends[1].values[0], 100.0);
}

TEST(ComparePlotData, CsvHasOneRowPerBackendAndNamesTheFlip) {
  const Comparison c = compare_runs({run_of("cpu", {1, 2}), run_of("ne", {2, 1})}, "cpu", {});
  const std::string csv = comparison_csv(c);
  EXPECT_EQ(csv.rfind("backend,kind,reference,output,values,argmax,margin,margin_delta,argmax_flip,", 0), 0u) << csv;
  EXPECT_NE(csv.find("\ncpu,emulated,yes,y,1 2,1,-1,0,no,0,1,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nne,emulated,no,y,2 1,0,1,2,yes,1,"), std::string::npos) << csv;
}

TEST(CompareValueHistograms, SketchesRebinOntoTheSharedRange) {
  // Reference values 0..9, other 5.5..14.5: shared range [0, 14.5]; 2 bins of width 7.25.
  std::vector<float> a(10), b(10);
  for (int i = 0; i < 10; ++i) { a[static_cast<size_t>(i)] = static_cast<float>(i); b[static_cast<size_t>(i)] = static_cast<float>(i) + 5.5f; }
  ValuePairHistogram h;
  ASSERT_TRUE(combine_sketches("v", sketch_value(f32({10}, a)), sketch_value(f32({10}, b)), 2, h));
  EXPECT_DOUBLE_EQ(h.reference.lo, 0);
  EXPECT_DOUBLE_EQ(h.reference.hi, 14.5);
  EXPECT_EQ(h.reference.counts, (std::vector<int64_t>{8, 2}));  // 0..7 | 8, 9
  EXPECT_EQ(h.other.counts, (std::vector<int64_t>{2, 8}));      // 5.5, 6.5 | 7.5..14.5
  // The exact path (kept intermediates) agrees.
  exec::RunResult ra, rb;
  ra.intermediates["v"] = f32({10}, a);
  rb.intermediates["v"] = f32({10}, b);
  const auto exact = value_pair_histograms(ra, rb, 2);
  ASSERT_EQ(exact.count("v"), 1u);
  EXPECT_EQ(exact.at("v").reference.counts, h.reference.counts);
  EXPECT_EQ(exact.at("v").other.counts, h.other.counts);
}

TEST(CompareValueHistograms, NonFiniteAndTextValuesAreLeftOut) {
  ValueSketch s = sketch_value(f32({3}, {NAN, INFINITY, 2.0f}));
  ASSERT_EQ(s.counts.size(), 1024u);
  int64_t total = 0;
  for (auto c : s.counts) total += c;
  EXPECT_EQ(total, 1);
  EXPECT_TRUE(sketch_value(exec::Tensor::from_strings({1}, {"a"})).counts.empty());
  ValuePairHistogram h;
  EXPECT_FALSE(combine_sketches("t", sketch_value(exec::Tensor::from_strings({1}, {"a"})), s, 4, h));
}

TEST(CompareBackendCatalog, FingerprintChangesWithEveryEditedRule) {
  auto specs = builtin_backend_specs();
  ASSERT_EQ(specs.size(), exec::NumericProfile::builtin_names().size() + exec::BandBackend::band_names().size());
  BackendSpec s = specs.front();
  const std::string base = s.fingerprint();
  s.profile->defaults.accumulation_chunk = 32;
  EXPECT_NE(s.fingerprint(), base);
  BackendSpec t = specs.front();
  t.profile->defaults.honor_activation_quant = !t.profile->defaults.honor_activation_quant;
  EXPECT_NE(t.fingerprint(), base);
  EXPECT_NE(t.fingerprint(), s.fingerprint());
  // Instances run under the spec's name.
  EXPECT_EQ(make_backend(specs.front())->name(), "emulated:" + specs.front().name);
}
