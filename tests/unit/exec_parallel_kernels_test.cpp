// Elementwise kernels split across threads, quantized activations kept one byte per code and the
// contiguous-axes reduction path: each must give exactly the bits of the plain single-threaded
// definition, written out here independently.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <random>
#include <thread>

#include "core/exec/interpreter.h"
#include "core/exec/parallel.h"
#include "core/exec/run_cancel.h"
#include "core/util/error.h"
#include "core/util/half.h"
#include "exec_ir_builder.h"

namespace mlscope::exec {
namespace {

using test::in;
using test::ProgramBuilder;

ir::Type tensor_type(ir::DType dt, std::vector<int64_t> d) { return ir::Type::tensor(dt, ir::Shape(std::move(d))); }

std::vector<float> random_floats(size_t n, uint32_t seed, float scale = 3.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

TEST(ExecParallel, ParallelForCoversEveryIndexExactlyOnce) {
  for (uint64_t n : {uint64_t(0), uint64_t(1), uint64_t(1000), uint64_t(1) << 18, (uint64_t(1) << 18) + 7}) {
    std::vector<std::atomic<int>> hits(n);
    parallel_for(n, [&](uint64_t b, uint64_t e) {
      for (uint64_t i = b; i < e; ++i) hits[i]++;
    });
    for (uint64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "n=" << n << " i=" << i;
  }
}

TEST(ExecParallel, CappedThreadRunsInlineAndErrorsPropagate) {
  {
    ScopedKernelThreads one(1);
    EXPECT_EQ(kernel_threads(), 1);
    const auto caller = std::this_thread::get_id();
    parallel_for(uint64_t(1) << 20, [&](uint64_t, uint64_t) { EXPECT_EQ(std::this_thread::get_id(), caller); });
  }
  EXPECT_GE(kernel_threads(), 1);
  EXPECT_THROW(parallel_for(uint64_t(1) << 20,
                            [](uint64_t b, uint64_t) {
                              if (b > 0) throw Error(Location{}, "chunk failed");
                              if (std::thread::hardware_concurrency() < 2) throw Error(Location{}, "one core");
                            }),
               Error);
}

// The helper threads persist between calls. Callers on several threads at once (two lockstep
// runs), calls nested inside a chunk and a failing chunk must neither deadlock nor lose an
// index, and a chunk on a helper thread sees its caller's run cancellation.
TEST(ExecParallel, ConcurrentAndNestedCallsCoverEveryIndexAndPropagateCancel) {
  constexpr uint64_t kN = uint64_t(1) << 18;
  auto nested_sum = [&]() {
    std::atomic<uint64_t> sum{0};
    parallel_for(kN, [&](uint64_t b, uint64_t e) {
      parallel_for(e - b, [&](uint64_t ib, uint64_t ie) {
        uint64_t s = 0;
        for (uint64_t i = ib; i < ie; ++i) s += b + i;
        sum += s;
      }, 1024);
    });
    return sum.load();
  };
  const uint64_t expected = kN * (kN - 1) / 2;
  for (int round = 0; round < 20; ++round) {
    uint64_t other = 0;
    std::thread t([&] { other = nested_sum(); });
    EXPECT_EQ(nested_sum(), expected);
    t.join();
    EXPECT_EQ(other, expected);
  }
  std::atomic<bool> cancel{true};
  std::atomic<int> saw_cancel{0};
  {
    ScopedRunCancel run(cancel);
    parallel_for(kN, [&](uint64_t, uint64_t) { saw_cancel += run_cancel_requested() ? 1 : 0; });
  }
  EXPECT_EQ(saw_cancel.load(), std::min<int>(kernel_threads(), int(kN >> 16)));
  for (int round = 0; round < 10; ++round)
    EXPECT_THROW(parallel_for(kN, [](uint64_t, uint64_t e) { if (e == kN) throw Error(Location{}, "last chunk failed"); }),
                 std::exception) << "round " << round;
}

TEST(ExecByteStorage, Int8AndUInt8BytesReadBackAsTheirValues) {
  Tensor s = Tensor::from_bytes(ir::DType::Int8, {4}, {0x80, 0xFF, 0x00, 0x7F});
  ASSERT_TRUE(s.has_byte_storage());
  EXPECT_EQ(s.storage_bytes(), 4u);
  EXPECT_EQ(s.at(0), -128.0);
  EXPECT_EQ(s.at(1), -1.0);
  EXPECT_EQ(std::vector<int64_t>(s.ints().begin(), s.ints().end()), (std::vector<int64_t>{-128, -1, 0, 127}));
  Tensor u = Tensor::from_bytes(ir::DType::UInt8, {2}, {0x80, 0xFF});
  EXPECT_EQ(u.at(0), 128.0);
  EXPECT_EQ(u.cast_to(ir::DType::Float32).floats()[1], 255.0f);
  EXPECT_EQ(u.cast_to(ir::DType::Int8).ints()[1], -1);  // wraps like MIL cast
  Tensor w = s;
  w.mutable_ints()[0] = 5;  // writes move the copy to wide storage; the original is untouched
  EXPECT_FALSE(w.has_byte_storage());
  EXPECT_EQ(w.at(0), 5.0);
  EXPECT_EQ(s.at(0), -128.0);
  EXPECT_THROW(Tensor::from_bytes(ir::DType::Int32, {1}, {1}), Error);
  EXPECT_THROW(Tensor::from_bytes(ir::DType::Int8, {3}, {1}), Error);
}

// quantize -> dequantize with per-channel scales over an activation big enough to be split across
// threads, with a channel length (9973, prime) that puts chunk boundaries inside a channel.
TEST(ExecParallel, QuantizeDequantizeMatchTheFormulaPerChannelAcrossThreadChunks) {
  const int64_t C = 37, L = 9973;
  ProgramBuilder p;
  auto x = p.input("x", tensor_type(ir::DType::Float32, {1, C, L}));
  std::vector<float> scales(static_cast<size_t>(C));
  std::vector<int64_t> zps(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) {
    scales[size_t(c)] = 0.01f + 0.007f * float(c);
    zps[size_t(c)] = (c % 5) * 20;  // uint8 zero points 0..80
  }
  auto sc = ProgramBuilder::lit(ir::Constant::from_floats(scales, ir::Shape{C}));
  auto zp = ProgramBuilder::lit(ir::Constant::from_ints(zps, ir::Shape{C}, ir::DType::UInt8));
  auto axis = ProgramBuilder::lit(ir::Constant::from_ints({1}, ir::Shape{}, ir::DType::Int32));
  auto odt = ProgramBuilder::lit(ir::Constant::from_string("uint8"));
  auto q = p.op("quantize", "q", {in("input", ProgramBuilder::ref(x)), in("scale", sc), in("zero_point", zp), in("axis", axis), in("output_dtype", odt)},
                {tensor_type(ir::DType::UInt8, {1, C, L})});
  auto d = p.op("dequantize", "dq", {in("input", ProgramBuilder::ref(q[0])), in("scale", sc), in("zero_point", zp), in("axis", axis)},
                {tensor_type(ir::DType::Float32, {1, C, L})});
  p.output(q[0]);
  p.output(d[0]);
  ir::Model m = p.model();
  std::vector<float> xv = random_floats(size_t(C * L), 7);
  xv[5] = NAN;
  xv[6] = 1e30f;
  RunResult r = Interpreter(NumericProfile::builtin("fp32")).run(m, {{"x", Tensor::from_floats(ir::DType::Float32, {1, C, L}, xv)}}, {});
  const Tensor& qt = std::get<Tensor>(r.outputs.at("q"));
  const Tensor& dt = std::get<Tensor>(r.outputs.at("dq"));
  ASSERT_TRUE(qt.has_byte_storage());
  for (int64_t c = 0; c < C; ++c)
    for (int64_t l = 0; l < L; ++l) {
      const size_t i = size_t(c * L + l);
      const double v = double(xv[i]) / double(scales[size_t(c)]);
      // round half to even, clamp to [0, 255] after adding the zero point; NaN -> zero point
      double code = std::isnan(v) ? 0 : std::nearbyint(v);
      code = std::min(std::max(code + double(zps[size_t(c)]), 0.0), 255.0);
      ASSERT_EQ(qt.at(i), code) << "c=" << c << " l=" << l;
      ASSERT_EQ(dt.floats()[i], float(int64_t(code) - zps[size_t(c)]) * scales[size_t(c)]) << i;
    }
}

// reduce over adjacent axes (the fast path) equals a plain in-order sum; reduce over separated
// axes (the general path) too — under fp32 and under fp16 partial sums.
TEST(ExecParallel, ContiguousAndSeparatedReductionsSumInMemoryOrder) {
  const Dims shape = {3, 5, 7, 11};
  const std::vector<float> xv = random_floats(3 * 5 * 7 * 11, 11, 100.0f);
  for (const char* profile : {"fp32", "ane", "ane:seq-fp16"}) {
    for (std::vector<int64_t> axes : {std::vector<int64_t>{1, 2}, std::vector<int64_t>{-1}, std::vector<int64_t>{0, 2}}) {
      ProgramBuilder p;
      auto x = p.input("x", tensor_type(ir::DType::Float32, shape));
      auto ax = ProgramBuilder::lit(ir::Constant::from_ints(axes, ir::Shape{int64_t(axes.size())}, ir::DType::Int32));
      auto keep = ProgramBuilder::lit(ir::Constant::from_bool(false));
      auto s = p.op("reduce_sum", "s", {in("x", ProgramBuilder::ref(x)), in("axes", ax), in("keep_dims", keep)}, {ir::Type{}});
      auto mx = p.op("reduce_max", "m", {in("x", ProgramBuilder::ref(x)), in("axes", ax), in("keep_dims", keep)}, {ir::Type{}});
      p.output(s[0]);
      p.output(mx[0]);
      NumericProfile prof = NumericProfile::builtin(profile);
      prof.defaults.storage = StorageMode::Fp32;  // look at the reduction's own arithmetic
      for (auto& [type, n] : prof.by_op_type) n.storage = StorageMode::Fp32;
      RunResult r = Interpreter(prof).run(p.model(), {{"x", Tensor::from_floats(ir::DType::Float32, shape, xv)}}, {});
      const Tensor& st = std::get<Tensor>(r.outputs.at("s"));
      const Tensor& mt = std::get<Tensor>(r.outputs.at("m"));
      // Expected: visit x in memory order, add each element to its output's running sum.
      std::vector<bool> red(4, false);
      for (int64_t a : axes) red[size_t(a < 0 ? a + 4 : a)] = true;
      std::map<std::vector<int64_t>, std::pair<float, float>> want;  // kept coords -> (sum, max)
      ir::Op sum_op;
      sum_op.type = "reduce_sum";
      const bool fp16_sums = prof.for_op(sum_op).reduction_accumulation == AccumMode::Fp16;
      size_t i = 0;
      for (int64_t a = 0; a < 3; ++a)
        for (int64_t b = 0; b < 5; ++b)
          for (int64_t c = 0; c < 7; ++c)
            for (int64_t d = 0; d < 11; ++d, ++i) {
              std::vector<int64_t> key;
              const int64_t pos[4] = {a, b, c, d};
              for (size_t k = 0; k < 4; ++k)
                if (!red[k]) key.push_back(pos[k]);
              auto it = want.find(key);
              if (it == want.end()) it = want.emplace(key, std::make_pair(0.0f, -INFINITY)).first;
              it->second.first = fp16_sums ? round_to_half(it->second.first + xv[i]) : it->second.first + xv[i];
              it->second.second = std::max(it->second.second, xv[i]);
            }
      ASSERT_EQ(st.size(), want.size()) << profile;
      size_t o = 0;
      for (const auto& [key, sm] : want) {  // std::map orders keys like row-major output order
        EXPECT_EQ(st.floats()[o], sm.first) << profile << " axes[0]=" << axes[0] << " o=" << o;
        EXPECT_EQ(mt.floats()[o], sm.second) << profile << " o=" << o;
        ++o;
      }
    }
  }
}

}  // namespace
}  // namespace mlscope::exec
