// Reduction schemes (core/exec/accumulator.h) against sums written out here, the rule before
// schemes kept bit for bit, the schemes reached through the kernels and profile JSON, and the
// fp16 partial-sum statistics a run reports.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "core/exec/accumulator.h"
#include "core/exec/interpreter.h"
#include "core/util/error.h"
#include "core/util/half.h"
#include "exec_ir_builder.h"

using namespace mlscope;
using namespace mlscope::exec;
using test::in;
using test::ProgramBuilder;

namespace {

OpNumerics fp16_partials(ReductionOrder order, int chunk = 0, int tile = 0, AccumMode combine = AccumMode::Fp32) {
  OpNumerics n;
  n.reduction_accumulation = AccumMode::Fp16;
  n.reduction.order = order;
  n.reduction.chunk = chunk;
  n.reduction.tile_h = n.reduction.tile_w = tile;
  n.reduction.combine = combine;
  return n;
}

float sum(const OpNumerics& n, const std::vector<float>& terms, SumGeometry g = SumGeometry::line(), AccumulationTally* t = nullptr) {
  Accumulator a(n, g, t);
  for (float v : terms) a.add(v);
  return a.result();
}

// 2048 then eight ones: in fp16, 2048 + 1 = 2049 is a tie and rounds back to 2048 (ulp 2).
const std::vector<float> kStall = {2048, 1, 1, 1, 1, 1, 1, 1, 1};

}  // namespace

TEST(ExecReductionSchemes, SequentialFp16StallsAtTheFirstLargeTerm) {
  EXPECT_EQ(sum(fp16_partials(ReductionOrder::Sequential), kStall), 2048.0f);  // every +1 lost
  OpNumerics wide;
  wide.reduction.order = ReductionOrder::Sequential;
  EXPECT_EQ(sum(wide, kStall), 2056.0f);
}

TEST(ExecReductionSchemes, ChunksCombinedInFp32OrFp16) {
  // Chunks of 4: [2048,1,1,1] -> 2048 (each +1 lost), [1,1,1,1] -> 4, [1] -> 1.
  EXPECT_EQ(sum(fp16_partials(ReductionOrder::Chunks, 4), kStall), 2048.0f + 4 + 1);
  // Combined in fp16: 2048 + 4 = 2052, then 2052 + 1 = 2053 is a tie between 2052 and 2054 -> 2052.
  EXPECT_EQ(sum(fp16_partials(ReductionOrder::Chunks, 4, 0, AccumMode::Fp16), kStall), 2052.0f);
}

TEST(ExecReductionSchemes, TilesOverThePlaneCombinedInRowMajorOrder) {
  // The terms as a 3x3 plane, tiles of 2x2:   2048 1 | 1     tile (0,0) = 2048 + 1 + 1 + 1 -> 2048
  //                                               1 1 | 1     tile (0,1) = 1 + 1 = 2
  //                                               ----+--     tile (1,0) = 1 + 1 = 2
  //                                               1 1 | 1     tile (1,1) = 1
  const SumGeometry plane = SumGeometry::plane(3, 3);
  EXPECT_EQ(sum(fp16_partials(ReductionOrder::Tiles, 0, 2), kStall, plane), 2048.0f + 2 + 2 + 1);
  // In fp16: 2048 + 2 = 2050, + 2 = 2052, + 1 = 2053 -> 2052 (tie to even).
  EXPECT_EQ(sum(fp16_partials(ReductionOrder::Tiles, 0, 2, AccumMode::Fp16), kStall, plane), 2052.0f);
  // A tile's own terms are summed in the plane's row-major order: with the big term third in
  // tile (0,0), the two ones before it survive: 1 + 1 + 2048 = 2050, + 1 = 2051 -> 2052 (tie).
  const std::vector<float> late = {1, 1, 1, 2048, 1, 1, 1, 1, 1};
  EXPECT_EQ(sum(fp16_partials(ReductionOrder::Tiles, 0, 2), late, plane), 2052.0f + 2 + 2 + 1);
  // A 1-D group degrades to chunks of tile_h * tile_w = 4 terms.
  EXPECT_EQ(sum(fp16_partials(ReductionOrder::Tiles, 0, 2), kStall), sum(fp16_partials(ReductionOrder::Chunks, 4), kStall));
}

TEST(ExecReductionSchemes, PairwiseIsALevelByLevelTree) {
  // Level 1: 2048+1 -> 2048, 1+1, 1+1, 1+1, carry 1;  level 2: 2048+2 = 2050, 2+2 = 4, carry 1;
  // level 3: 2050 + 4 = 2054, carry 1;  level 4: 2054 + 1 = 2055, a tie -> 2056.
  EXPECT_EQ(sum(fp16_partials(ReductionOrder::Pairwise), kStall), 2056.0f);
  // Against the definition on random lengths 1..70: adjacent pairs, odd last term carried up.
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-300.0f, 900.0f);
  for (size_t n = 1; n <= 70; ++n) {
    std::vector<float> v(n);
    for (float& x : v) x = round_to_half(dist(rng));
    std::vector<float> level = v;
    while (level.size() > 1) {
      std::vector<float> next;
      for (size_t i = 0; i + 1 < level.size(); i += 2) next.push_back(round_to_half(level[i] + level[i + 1]));
      if (level.size() % 2) next.push_back(level.back());
      level = next;
    }
    EXPECT_EQ(sum(fp16_partials(ReductionOrder::Pairwise), v), level[0]) << "n=" << n;
  }
}

TEST(ExecReductionSchemes, MeansScaledBeforeTheSumDoNotOverflow) {
  // mean(40000, 40000) with fp16 partial sums: 80000 > 65504 becomes inf when dividing after
  // the sum; scaling each term by 1/2 first (0.5 and 20000 are exact in fp16) gives 40000.
  OpNumerics after = fp16_partials(ReductionOrder::Sequential), before = after;
  before.reduction.scale_terms = true;
  AccumulationTally t;
  Accumulator a(after, SumGeometry::line(), &t), b(before, SumGeometry::line(), nullptr);
  for (Accumulator* acc : {&a, &b}) {
    acc->begin_mean(2, /*fp16_storage=*/true);
    acc->add(40000);
    acc->add(40000);
  }
  EXPECT_TRUE(std::isinf(a.mean(2)));
  EXPECT_EQ(b.mean(2), 40000.0f);
  EXPECT_EQ(t.overflowed_partials, 1u);
  EXPECT_EQ(t.max_abs_partial, 80000.0f);
  EXPECT_EQ(t.sums, 1u);
  // 1/3 rounded to fp16 (0.333251953125) scales each term when the storage is fp16.
  OpNumerics wide;
  wide.reduction.scale_terms = true;
  Accumulator c(wide, SumGeometry::line(), nullptr);
  c.begin_mean(3, true);
  for (int i = 0; i < 3; ++i) c.add(3.0f);
  EXPECT_EQ(c.mean(3), round_to_half(3.0f * 0.333251953125f) * 3);
}

// The rule before schemes (the old Accumulator, written out): every existing profile keeps it.
TEST(ExecReductionSchemes, LegacyOrderKeepsTheOldRuleBitForBit) {
  auto old_sum = [](bool fp16, int chunk, const std::vector<float>& v) {
    float part = 0, total = 0;
    int n = 0;
    auto flush = [&] {
      total += part;
      if (fp16 && chunk <= 0) total = round_to_half(total);
      part = 0;
      n = 0;
    };
    for (float x : v) {
      part = fp16 ? round_to_half(part + x) : part + x;
      if (chunk > 0 && ++n == chunk) flush();
    }
    flush();
    return total;
  };
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-50.0f, 400.0f);
  std::vector<float> v(3001);
  for (float& x : v) x = dist(rng);
  for (bool fp16 : {false, true})
    for (int chunk : {0, 7, 1024}) {
      OpNumerics n;
      n.reduction_accumulation = fp16 ? AccumMode::Fp16 : AccumMode::Fp32;
      n.accumulation_chunk = chunk;
      ASSERT_EQ(n.reduction.order, ReductionOrder::Legacy);
      EXPECT_EQ(sum(n, v), old_sum(fp16, chunk, v)) << fp16 << " " << chunk;
      EXPECT_EQ(sum(n, v, SumGeometry::plane(3, 1000)), old_sum(fp16, chunk, v)) << "geometry is ignored";
    }
}

namespace {

ir::Type f32(std::vector<int64_t> d) { return ir::Type::tensor(ir::DType::Float32, ir::Shape(std::move(d))); }
ir::Binding ints(std::vector<int64_t> v) { return ProgramBuilder::lit(ir::Constant::from_ints(v, ir::Shape{int64_t(v.size())}, ir::DType::Int32)); }

// reduce_sum over the 3x3 plane and avg_pool with a 3x3 window of x [1, 1, 3, 3].
ir::Model plane_program() {
  ProgramBuilder p;
  auto x = p.input("x", f32({1, 1, 3, 3}));
  auto s = p.op("reduce_sum", "s", {in("x", ProgramBuilder::ref(x)), in("axes", ints({2, 3})),
                                    in("keep_dims", ProgramBuilder::lit(ir::Constant::from_bool(false)))}, {f32({1, 1})});
  auto a = p.op("avg_pool", "a", {in("x", ProgramBuilder::ref(x)), in("kernel_sizes", ints({3, 3})), in("strides", ints({1, 1})),
                                  in("pad_type", ProgramBuilder::lit(ir::Constant::from_string("valid")))}, {f32({1, 1, 1, 1})});
  p.output(s[0]);
  p.output(a[0]);
  return p.model();
}

}  // namespace

TEST(ExecReductionSchemes, KernelsSumTheirPlaneInTiles) {
  NumericProfile prof = NumericProfile::builtin("fp32");
  prof.defaults = fp16_partials(ReductionOrder::Tiles, 0, 2);
  const RunInputs x = {{"x", Tensor::from_floats(ir::DType::Float32, {1, 1, 3, 3}, kStall)}};
  RunResult r = Interpreter(prof).run(plane_program(), x, {});
  EXPECT_EQ(std::get<Tensor>(r.outputs.at("s")).floats()[0], 2053.0f);
  EXPECT_EQ(std::get<Tensor>(r.outputs.at("a")).floats()[0], 2053.0f / 9.0f);
  prof.defaults = fp16_partials(ReductionOrder::Sequential);
  r = Interpreter(prof).run(plane_program(), x, {});
  EXPECT_EQ(std::get<Tensor>(r.outputs.at("s")).floats()[0], 2048.0f);
  // Statistics per op: both ops accumulated one fp16 sum; the largest partial is 2049.
  ASSERT_EQ(r.accumulation.size(), 2u);
  EXPECT_EQ(r.accumulation[0].op_name, "s");
  EXPECT_EQ(r.accumulation[0].op_type, "reduce_sum");
  EXPECT_EQ(r.accumulation[0].sums, 1u);
  EXPECT_EQ(r.accumulation[0].max_abs_partial, 2049.0);
  EXPECT_EQ(r.accumulation[0].overflowed_partials, 0u);
  // fp32 reductions report nothing.
  EXPECT_TRUE(Interpreter(NumericProfile::builtin("ane")).run(plane_program(), x, {}).accumulation.empty());
}

TEST(ExecReductionSchemes, JsonKeysAndErrorsNamingFileAndKey) {
  NumericProfile p = NumericProfile::from_json(
      R"({"base": "ane", "reduction_accumulation": "fp16", "reduction_order": "tiles", "reduction_tile": [7, 8],
          "reduction_combine": "fp16", "mean_scaling": "before_sum",
          "by_op_type": {"softmax": {"reduction_order": "chunks", "reduction_chunk": 64}}})",
      "band.json");
  EXPECT_EQ(p.defaults.reduction.order, ReductionOrder::Tiles);
  EXPECT_EQ(p.defaults.reduction.tile_h, 7);
  EXPECT_EQ(p.defaults.reduction.tile_w, 8);
  EXPECT_EQ(p.defaults.reduction.combine, AccumMode::Fp16);
  EXPECT_TRUE(p.defaults.reduction.scale_terms);
  EXPECT_EQ(p.by_op_type.at("softmax").reduction.order, ReductionOrder::Chunks);
  EXPECT_EQ(p.by_op_type.at("softmax").reduction.chunk, 64);
  // accumulation_chunk keeps its meaning: reductions chunk too while the order is legacy.
  EXPECT_EQ(NumericProfile::from_json(R"({"accumulation_chunk": 32})", "c.json").defaults.reduction.order, ReductionOrder::Legacy);
  struct Bad {
    const char* json;
    const char* key;
  };
  for (const Bad& b : {Bad{R"({"reduction_order": "chunks"})", "reduction_order"}, Bad{R"({"reduction_tile": [0, 4]})", "reduction_tile"},
                       Bad{R"({"reduction_order": "spiral"})", "reduction_order"}, Bad{R"({"reduction_chunk": -1})", "reduction_chunk"},
                       Bad{R"({"mean_scaling": "sometimes"})", "mean_scaling"},
                       Bad{R"({"by_op_type": {"reduce_mean": {"reduction_order": "tiles"}}})", "by_op_type.reduce_mean.reduction_order"}}) {
    try {
      NumericProfile::from_json(b.json, "bad.json");
      ADD_FAILURE() << b.json;
    } catch (const Error& e) {
      EXPECT_EQ(e.where().file, "bad.json");
      EXPECT_EQ(e.where().op, b.key) << b.json;
    }
  }
}

// The partial sums' fast rounding gives round_to_half's bits for every kind of float: a stride
// through all 2^32 bit patterns (every exponent, both signs, NaNs) plus the edges of the fp16
// normal range and the halfway points around them.
TEST(ExecReductionSchemes, FastPartialSumRoundingIsRoundToHalfBitForBit) {
  auto same = [](uint32_t bits) {
    float f;
    std::memcpy(&f, &bits, 4);
    const float a = Accumulator::round_normal_half(f), b = round_to_half(f);
    return std::memcmp(&a, &b, 4) == 0;
  };
  uint64_t checked = 0, wrong = 0;
  for (uint64_t bits = 0; bits <= 0xFFFFFFFFull; bits += 4093) wrong += !same(uint32_t(bits)), ++checked;
  for (uint32_t edge : {0x38800000u, 0x477FF000u, 0x477FE000u, 0x477FEFFFu, 0x387FFFFFu, 0x3F801000u, 0x3F803000u, 0x3F800FFFu})
    for (int d = -3; d <= 3; ++d)
      for (uint32_t sign : {0u, 0x80000000u}) wrong += !same((edge + uint32_t(d)) | sign), ++checked;
  EXPECT_GT(checked, 1000000u);
  EXPECT_EQ(wrong, 0u);
}
