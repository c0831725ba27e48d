// Interpreter on programs built in code: values checked against independent double-precision
// arithmetic, profile rounding rules, bad inputs, unsupported ops, cancellation, buffer freeing.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <atomic>
#include <chrono>
#include <thread>
#include <cstring>

#include "core/exec/kernels/fp16_simd.h"
#include "core/exec/kernels/gemm.h"
#include "core/exec/interpreter.h"
#include "core/util/error.h"
#include "core/util/half.h"
#include "exec_ir_builder.h"

using namespace mlscope;
using namespace mlscope::exec;
using test::in;
using test::ProgramBuilder;

namespace {

ir::Type f32(std::vector<int64_t> d) { return ir::Type::tensor(ir::DType::Float32, ir::Shape(std::move(d))); }
ir::Type f16(std::vector<int64_t> d) { return ir::Type::tensor(ir::DType::Float16, ir::Shape(std::move(d))); }

// y = relu(linear(x, W, b)) with W 3x4, then z = mul(y, 0.5)
ir::Model small_mlp(ir::Type out_type = f32({1, 3})) {
  ProgramBuilder p;
  auto x = p.input("x", f32({1, 4}));
  auto W = ir::Constant::from_floats({1, -2, 3, 0.5f, -1, 1, 1, 1, 0.25f, 0, -3, 2}, ir::Shape{3, 4});
  auto b = ir::Constant::from_floats({0.1f, -10, 0.3f}, ir::Shape{3});
  auto lin = p.op("linear", "lin", {in("x", ProgramBuilder::ref(x)), in("weight", ProgramBuilder::lit(W)), in("bias", ProgramBuilder::lit(b))}, {out_type});
  auto r = p.op("relu", "act", {in("x", ProgramBuilder::ref(lin[0]))}, {out_type});
  auto z = p.op("mul", "half", {in("x", ProgramBuilder::ref(r[0])), in("y", ProgramBuilder::lit(ir::Constant::from_floats({0.5f}, ir::Shape{})))}, {out_type});
  p.output(z[0]);
  return p.model();
}

RunInputs x_input(std::vector<float> v) { return {{"x", Tensor::from_floats(ir::DType::Float32, {1, 4}, std::move(v))}}; }

}  // namespace

TEST(ExecInterpreter, MlpMatchesDoubleArithmetic) {
  ir::Model m = small_mlp();
  Interpreter interp(NumericProfile::builtin("fp32"));
  RunResult r = interp.run(m, x_input({0.5f, 1.5f, -2, 4}), {});
  const double x[4] = {0.5, 1.5, -2, 4};
  const double W[12] = {1, -2, 3, 0.5, -1, 1, 1, 1, 0.25, 0, -3, 2}, b[3] = {0.1, -10, 0.3};
  const Tensor& z = std::get<Tensor>(r.outputs.at("half"));
  ASSERT_EQ(z.shape(), (Dims{1, 3}));
  for (int o = 0; o < 3; ++o) {
    double s = b[o];
    for (int k = 0; k < 4; ++k) s += W[o * 4 + k] * x[k];
    EXPECT_NEAR(z.floats()[size_t(o)], std::max(s, 0.0) * 0.5, 1e-6) << o;
  }
  EXPECT_NE(r.provenance.find("emulated"), std::string::npos);
  EXPECT_NE(r.provenance.find("fp32"), std::string::npos);
}

TEST(ExecInterpreter, DeclaredFp16OutputsAreRoundedOnlyUnderFp16Profiles) {
  ir::Model m = small_mlp(f16({1, 3}));
  RunInputs xs = x_input({0.1f, 0.2f, 0.3f, 0.7f});
  const Tensor a = std::get<Tensor>(Interpreter(NumericProfile::builtin("fp32")).run(m, xs, {}).outputs.at("half"));
  const Tensor h = std::get<Tensor>(Interpreter(NumericProfile::builtin("fp16")).run(m, xs, {}).outputs.at("half"));
  EXPECT_EQ(a.dtype(), ir::DType::Float32);
  EXPECT_EQ(h.dtype(), ir::DType::Float16);
  bool any_differs = false;
  for (uint64_t i = 0; i < h.size(); ++i) {
    EXPECT_EQ(h.floats()[i], round_to_half(h.floats()[i])) << "fp16 profile must store fp16 values";
    any_differs = any_differs || a.floats()[i] != h.floats()[i];
  }
  EXPECT_TRUE(any_differs) << "fp32 profile must not round";
}

TEST(ExecInterpreter, UnsupportedOpIsListedAndFailsTheRunNamingIt) {
  ProgramBuilder p;
  auto x = p.input("x", f32({2}));
  auto y = p.op("frobnicate", "mystery_op", {in("x", ProgramBuilder::ref(x))}, {f32({2})});
  p.output(y[0]);
  ir::Model m = p.model();
  auto missing = list_unsupported(m);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].op_type, "frobnicate");
  EXPECT_EQ(missing[0].op_name, "mystery_op");
  try {
    Interpreter(NumericProfile::builtin("fp32")).run(m, {{"x", Tensor::from_floats(ir::DType::Float32, {2}, {1, 2})}}, {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where().op, "mystery_op");
    EXPECT_NE(std::string(e.what()).find("frobnicate"), std::string::npos);
  }
}

TEST(ExecInterpreter, BadInputsAreErrors) {
  ir::Model m = small_mlp();
  Interpreter interp(NumericProfile::builtin("fp32"));
  auto expect_error = [&](const RunInputs& ins, const std::string& needle) {
    try {
      interp.run(m, ins, {});
      ADD_FAILURE() << "no error for " << needle;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error({}, "missing required input 'x'");
  expect_error({{"y", Tensor::from_floats(ir::DType::Float32, {1, 4}, {1, 2, 3, 4})}}, "unknown input 'y'");
  expect_error({{"x", Tensor::from_floats(ir::DType::Float32, {1, 5}, {1, 2, 3, 4, 5})}}, "has shape [1, 5]");
  expect_error({{"x", Tensor::from_ints(ir::DType::Int32, {1, 4}, {1, 2, 3, 4})}}, "has dtype int32");
  expect_error({{"x", Tensor::from_strings({1, 4}, {"a", "b", "c", "d"})}}, "has dtype string");
}

TEST(ExecInterpreter, NonFiniteInputsAreReportedOrRejected) {
  ir::Model m = small_mlp();
  RunInputs ins = x_input({NAN, 1, INFINITY, 2});
  RunResult r = Interpreter(NumericProfile::builtin("fp32")).run(m, ins, {});
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("1 NaN and 1 infinite"), std::string::npos) << r.warnings[0];
  RunOptions strict;
  strict.non_finite_inputs = NonFinitePolicy::Reject;
  EXPECT_THROW(Interpreter(NumericProfile::builtin("fp32")).run(m, ins, strict), Error);
}

TEST(ExecInterpreter, CancellationStopsTheRun) {
  ir::Model m = small_mlp();
  std::atomic<bool> cancel{true};
  RunOptions o;
  o.cancel = cancel;
  EXPECT_THROW(Interpreter(NumericProfile::builtin("fp32")).run(m, x_input({1, 2, 3, 4}), o), Error);
}

// One conv long enough to matter (64→64 channels, 3×3, 256×256 under the exact-rounding `ane`
// profile): Stop must take effect inside the op, between its chunks, not after it.
TEST(ExecInterpreter, CancellationStopsInsideOneLongConv) {
  ProgramBuilder p;
  const int64_t C = 64, H = 256;
  auto x = p.input("x", f32({1, C, H, H}));
  auto w = ir::Constant::from_floats(std::vector<float>(size_t(C * C * 9), 0.01f), ir::Shape{C, C, 3, 3});
  auto ints = [](std::vector<int64_t> v) { return ir::Constant::from_ints(v, ir::Shape{int64_t(v.size())}); };
  auto y = p.op("conv", "big_conv",
                {in("x", ProgramBuilder::ref(x)), in("weight", ProgramBuilder::lit(w)), in("strides", ProgramBuilder::lit(ints({1, 1}))),
                 in("pad_type", ProgramBuilder::lit(ir::Constant::from_string("valid"))),
                 in("dilations", ProgramBuilder::lit(ints({1, 1}))),
                 in("groups", ProgramBuilder::lit(ir::Constant::from_ints({1}, ir::Shape{})))},
                {f32({1, C, H - 2, H - 2})});
  p.output(y[0]);
  ir::Model m = p.model();
  RunInputs xs = {{"x", Tensor::from_floats(ir::DType::Float32, {1, C, H, H}, std::vector<float>(size_t(C * H * H), 0.5f))}};
  Interpreter interp(NumericProfile::builtin("ane"));
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  interp.run(m, xs, {});
  const double full = std::chrono::duration<double>(clock::now() - t0).count();

  std::atomic<bool> cancel{false};
  RunOptions o;
  o.cancel = cancel;
  clock::time_point asked;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::duration<double>(full * 0.1));
    asked = clock::now();
    cancel = true;
  });
  EXPECT_THROW(interp.run(m, xs, o), Error);
  const auto stopped = clock::now();
  stopper.join();
  const double after_cancel = std::chrono::duration<double>(stopped - asked).count();
  EXPECT_LT(after_cancel, 0.5 * full) << "the whole conv takes " << full << " s";
}

TEST(ExecInterpreter, ProgressAndIntermediates) {
  ir::Model m = small_mlp();
  RunOptions o;
  o.keep_intermediates = true;
  int64_t calls = 0, last_total = 0;
  std::vector<std::string> stages;
  o.progress = [&](const Progress& p) {
    ++calls;
    last_total = static_cast<int64_t>(p.total);
    EXPECT_EQ(p.done, static_cast<double>(calls));
    stages.emplace_back(p.stage);
  };
  RunResult r = Interpreter(NumericProfile::builtin("fp32")).run(m, x_input({1, 2, 3, 4}), o);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(last_total, 3);
  EXPECT_EQ(stages, (std::vector<std::string>{"lin", "act", "half"})) << "the stage is the op just run";
  EXPECT_TRUE(r.intermediates.count("lin"));
  EXPECT_TRUE(r.intermediates.count("act"));
}

TEST(ExecInterpreter, BuffersAreFreedAfterLastUse) {
  // A chain of 20 adds on a 1x4096 tensor: with freeing, at most a few buffers are live at once.
  ProgramBuilder p;
  auto x = p.input("x", f32({1, 4096}));
  ir::ValueId cur = x;
  for (int i = 0; i < 20; ++i)
    cur = p.op("add", "a" + std::to_string(i), {in("x", ProgramBuilder::ref(cur)), in("y", ProgramBuilder::lit(ir::Constant::from_floats({1}, ir::Shape{})))}, {f32({1, 4096})})[0];
  p.output(cur);
  ir::Model m = p.model();
  RunInputs ins = {{"x", Tensor(ir::DType::Float32, {1, 4096})}};
  RunResult freed = Interpreter(NumericProfile::builtin("fp32")).run(m, ins, {});
  RunOptions keep;
  keep.keep_intermediates = true;
  RunResult kept = Interpreter(NumericProfile::builtin("fp32")).run(m, ins, keep);
  const uint64_t one = 4096 * sizeof(float);
  EXPECT_LE(freed.peak_live_bytes, 3 * one);
  EXPECT_GE(kept.peak_live_bytes, 20 * one);
  EXPECT_EQ(std::get<Tensor>(freed.outputs.at("a19")).floats()[0], 20.0f);
}

TEST(ExecProfiles, BranchFreeFp16RoundingEqualsReference) {
  std::mt19937 gen(7);
  std::uniform_int_distribution<uint32_t> bits;
  auto check = [](float f) {
    float a = round_fp16_branchfree(f), b = round_to_half(f);
    if (std::isnan(b)) return std::isnan(a);
    uint32_t ua, ub;
    std::memcpy(&ua, &a, 4);
    std::memcpy(&ub, &b, 4);
    return ua == ub;
  };
  for (int i = 0; i < 2000000; ++i) {
    uint32_t u = bits(gen);
    float f;
    std::memcpy(&f, &u, 4);
    ASSERT_TRUE(check(f)) << std::hexfloat << f;
  }
  for (float f : {0.0f, -0.0f, 65504.0f, 65519.0f, 65520.0f, -65520.0f, 6.1035156e-05f, 5.9604645e-08f, 2.9802322e-08f, 2.98023259e-08f, INFINITY, -INFINITY})
    EXPECT_TRUE(check(f)) << f;
}

TEST(ExecProfiles, GemmAccumulationRules) {
  // 4096 ones: fp32 accumulation gives 4096, sequential fp16 accumulation stalls at 2048
  // (2048 + 1 rounds back to 2048 in fp16): the documented "exact only to 2048" behaviour.
  std::vector<float> a(4096, 1.0f), b(4096, 1.0f);
  float c = 0;
  OpNumerics fp32, fp16acc;
  fp16acc.accumulation = AccumMode::Fp16;
  gemm(fp32, 1, 1, 4096, a.data(), 4096, false, b.data(), 1, false, &c, 1);
  EXPECT_EQ(c, 4096.0f);
  gemm(fp16acc, 1, 1, 4096, a.data(), 4096, false, b.data(), 1, false, &c, 1);
  EXPECT_EQ(c, 2048.0f);
  OpNumerics chunked = fp16acc;
  chunked.accumulation_chunk = 1024;  // fp16 partial sums of 1024 terms, combined in fp32
  gemm(chunked, 1, 1, 4096, a.data(), 4096, false, b.data(), 1, false, &c, 1);
  EXPECT_EQ(c, 4096.0f);
  // Product rounding: 1.0009765625 (1 + 2^-10) squared = 1 + 2^-9 + 2^-20 rounds to 1 + 2^-9 in fp16.
  OpNumerics prod;
  prod.round_products = true;
  float x = 1.0009765625f;
  gemm(prod, 1, 1, 1, &x, 1, false, &x, 1, false, &c, 1);
  EXPECT_EQ(c, 1.001953125f);
}

TEST(ExecProfiles, BuiltinsAndJson) {
  for (const auto& n : NumericProfile::builtin_names()) EXPECT_EQ(NumericProfile::builtin(n).name, n);
  EXPECT_THROW(NumericProfile::builtin("tpu"), Error);
  NumericProfile p = NumericProfile::from_json(
      R"({"name": "mine", "base": "gpu", "accumulation": "fp16", "accumulation_chunk": 32, "rounding": "toward_zero",
          "by_op_type": {"reduce_mean": {"reduction_accumulation": "fp32"}}, "by_op_name": {"conv_0": {"storage": "fp32"}}})",
      "mine.json");
  EXPECT_EQ(p.name, "mine");
  EXPECT_EQ(p.defaults.storage, StorageMode::Fp16);
  EXPECT_EQ(p.defaults.accumulation, AccumMode::Fp16);
  EXPECT_EQ(p.defaults.accumulation_chunk, 32);
  ir::Op mean;
  mean.type = "reduce_mean";
  mean.name = "m";
  EXPECT_EQ(p.for_op(mean).reduction_accumulation, AccumMode::Fp32);
  EXPECT_EQ(p.for_op(mean).accumulation, AccumMode::Fp16);  // override starts from the defaults
  ir::Op conv;
  conv.type = "conv";
  conv.name = "conv_0";
  EXPECT_EQ(p.for_op(conv).storage, StorageMode::Fp32);
  try {
    NumericProfile::from_json(R"({"storage": "fp8"})", "bad.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.where().file, "bad.json");
    EXPECT_EQ(e.where().op, "storage");
  }
  EXPECT_THROW(NumericProfile::from_json(R"({"colour": 1})", "bad.json"), Error);
  EXPECT_THROW(NumericProfile::from_json("{not json", "bad.json"), Error);
  EXPECT_EQ(round_fp16(1.00146484375f, RoundingMode::TowardZero), 1.0009765625f);
  EXPECT_EQ(round_fp16(-1.00146484375f, RoundingMode::TowardZero), -1.0009765625f);
}
