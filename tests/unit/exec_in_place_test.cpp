// Activations that overwrite their dying input: the values must be the same as computed into a
// fresh buffer, the peak must drop by one activation, and nothing anyone else can still read —
// a caller's input, a graph output, a kept intermediate, an observer's copy, a value read again
// later — may ever be overwritten.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/exec/interpreter.h"
#include "exec_ir_builder.h"

using namespace mlscope;
using namespace mlscope::exec;
using test::in;
using test::ProgramBuilder;

namespace {

constexpr int64_t kN = 4096;

ir::Type f32n() { return ir::Type::tensor(ir::DType::Float32, ir::Shape(std::vector<int64_t>{1, kN})); }

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }
double silu(double v) { return v * sigmoid(v); }

std::vector<float> ramp() {
  std::vector<float> v(static_cast<size_t>(kN));
  for (int64_t i = 0; i < kN; ++i) v[size_t(i)] = -6.0f + 12.0f * float(i) / float(kN);
  return v;
}

RunInputs x_input() { return {{"x", Tensor::from_floats(ir::DType::Float32, {1, kN}, ramp())}}; }

// x -> sigmoid "s1" -> silu "s2" -> relu "s3" (output); with `s1_is_output`, s1 is an output too.
ir::Model chain(bool s1_is_output) {
  ProgramBuilder p;
  auto x = p.input("x", f32n());
  auto s1 = p.op("sigmoid", "s1", {in("x", ProgramBuilder::ref(x))}, {f32n()});
  auto s2 = p.op("silu", "s2", {in("x", ProgramBuilder::ref(s1[0]))}, {f32n()});
  auto s3 = p.op("relu", "s3", {in("x", ProgramBuilder::ref(s2[0]))}, {f32n()});
  if (s1_is_output) p.output(s1[0]);
  p.output(s3[0]);
  return p.model();
}

void expect_values(const Tensor& t, double (*f)(double), const char* what) {
  const std::vector<float> x = ramp();
  ASSERT_EQ(t.size(), uint64_t(kN)) << what;
  for (int64_t i = 0; i < kN; ++i) ASSERT_NEAR(t.floats()[size_t(i)], f(x[size_t(i)]), 2e-6) << what << " at " << i;
}

double chain_value(double v) { return std::max(0.0, silu(sigmoid(v))); }

// Where each value's floats live, recorded by an observer that keeps no copy.
std::map<std::string, const float*> storage_addresses(const ir::Model& m, const RunInputs& xs) {
  std::map<std::string, const float*> at;
  RunOptions opts;
  opts.on_value = [&](const ir::Op&, const std::string& name, const RunValue& v) { at[name] = std::get<Tensor>(v).floats().data(); };
  Interpreter(NumericProfile::builtin("fp32")).run(m, xs, opts);
  return at;
}

TEST(ExecInPlace, ActivationsWriteIntoTheirDyingInputAndThePeakDropsByOneBuffer) {
  // x [1, kN/4] -> concat(x, x, x, x) "big" -> silu "s2" -> relu "s3" (output).
  ProgramBuilder p;
  auto x = p.input("x", ir::Type::tensor(ir::DType::Float32, ir::Shape(std::vector<int64_t>{1, kN / 4})));
  auto big = p.op("concat", "big",
                  {ir::NamedInput{"values", {ProgramBuilder::ref(x), ProgramBuilder::ref(x), ProgramBuilder::ref(x), ProgramBuilder::ref(x)}},
                   in("axis", ProgramBuilder::lit(ir::Constant::from_ints({1}, ir::Shape{}, ir::DType::Int32)))},
                  {f32n()});
  auto s2 = p.op("silu", "s2", {in("x", ProgramBuilder::ref(big[0]))}, {f32n()});
  auto s3 = p.op("relu", "s3", {in("x", ProgramBuilder::ref(s2[0]))}, {f32n()});
  p.output(s3[0]);
  const ir::Model m = p.model();
  std::vector<float> xv(static_cast<size_t>(kN / 4));
  for (size_t i = 0; i < xv.size(); ++i) xv[i] = -3.0f + 0.01f * float(i);
  const RunInputs xs = {{"x", Tensor::from_floats(ir::DType::Float32, {1, kN / 4}, xv)}};
  const RunResult r = Interpreter(NumericProfile::builtin("fp32")).run(m, xs, {});
  const Tensor& out = std::get<Tensor>(r.outputs.at("s3"));
  for (int64_t i = 0; i < kN; ++i)
    ASSERT_NEAR(out.floats()[size_t(i)], std::max(0.0, silu(xv[size_t(i % (kN / 4))])), 2e-6) << i;
  // Into fresh buffers the peak would be big + s2 (2 x kN floats) while silu runs; in place it
  // is x + big while concat runs.
  EXPECT_EQ(r.peak_live_bytes, uint64_t(kN / 4 + kN) * 4);
  const auto at = storage_addresses(m, xs);
  EXPECT_EQ(at.at("s2"), at.at("big"));
  EXPECT_EQ(at.at("s3"), at.at("big"));
  // The caller's input is shared with the caller, so it was never written.
  for (size_t i = 0; i < xv.size(); ++i) ASSERT_EQ(std::get<Tensor>(xs.at("x")).floats()[i], xv[i]);
}

TEST(ExecInPlace, TheCallersInputIsNeverOverwritten) {
  const RunInputs xs = x_input();
  const auto at = storage_addresses(chain(false), xs);
  EXPECT_NE(at.at("s1"), std::get<Tensor>(xs.at("x")).floats().data());
  EXPECT_EQ(at.at("s2"), at.at("s1"));  // s1 is the run's own: silu may take it
  const std::vector<float> x = ramp();
  for (int64_t i = 0; i < kN; ++i) ASSERT_EQ(std::get<Tensor>(xs.at("x")).floats()[size_t(i)], x[size_t(i)]);
}

TEST(ExecInPlace, AGraphOutputIsNeverOverwrittenByItsReader) {
  Interpreter interp(NumericProfile::builtin("fp32"));
  const RunResult r = interp.run(chain(true), x_input(), {});
  expect_values(std::get<Tensor>(r.outputs.at("s1")), sigmoid, "s1 (output, also read by silu)");
  expect_values(std::get<Tensor>(r.outputs.at("s3")), chain_value, "s3");
  const auto at = storage_addresses(chain(true), x_input());
  EXPECT_NE(at.at("s2"), at.at("s1"));
  EXPECT_EQ(at.at("s3"), at.at("s2"));
}

TEST(ExecInPlace, KeptIntermediatesKeepTheirOwnValues) {
  Interpreter interp(NumericProfile::builtin("fp32"));
  RunOptions opts;
  opts.keep_intermediates = true;
  const RunResult r = interp.run(chain(false), x_input(), opts);
  expect_values(std::get<Tensor>(r.intermediates.at("s1")), sigmoid, "s1");
  expect_values(std::get<Tensor>(r.intermediates.at("s2")), [](double v) { return silu(sigmoid(v)); }, "s2");
  expect_values(std::get<Tensor>(r.outputs.at("s3")), chain_value, "s3");
}

TEST(ExecInPlace, AnObserversCopyKeepsItsValues) {
  Interpreter interp(NumericProfile::builtin("fp32"));
  std::map<std::string, Tensor> seen;
  RunOptions opts;
  opts.on_value = [&](const ir::Op&, const std::string& name, const RunValue& v) { seen[name] = std::get<Tensor>(v); };
  interp.run(chain(false), x_input(), opts);
  expect_values(seen.at("s1"), sigmoid, "observed s1");
  expect_values(seen.at("s2"), [](double v) { return silu(sigmoid(v)); }, "observed s2");
}

TEST(ExecInPlace, AValueReadByALaterOpIsNotOverwrittenByAnEarlierOne) {
  // s1 feeds relu "a" and then silu "b": "a" must not write into s1, "b" (its last reader) may.
  ProgramBuilder p;
  auto x = p.input("x", f32n());
  auto s1 = p.op("sigmoid", "s1", {in("x", ProgramBuilder::ref(x))}, {f32n()});
  auto a = p.op("relu", "a", {in("x", ProgramBuilder::ref(s1[0]))}, {f32n()});
  auto b = p.op("silu", "b", {in("x", ProgramBuilder::ref(s1[0]))}, {f32n()});
  p.output(a[0]);
  p.output(b[0]);
  Interpreter interp(NumericProfile::builtin("fp32"));
  const RunResult r = interp.run(p.model(), x_input(), {});
  expect_values(std::get<Tensor>(r.outputs.at("a")), sigmoid, "a = relu(s1)");
  expect_values(std::get<Tensor>(r.outputs.at("b")), [](double v) { return silu(sigmoid(v)); }, "b = silu(s1)");
}

TEST(ExecInPlace, BinaryOpsWriteIntoTheirDyingFirstOperand) {
  // s1 = sigmoid(x); m = mul(s1, 3) (a scalar y); a = add(m, x) (a same-shape y, the caller's).
  ProgramBuilder p;
  auto x = p.input("x", f32n());
  auto s1 = p.op("sigmoid", "s1", {in("x", ProgramBuilder::ref(x))}, {f32n()});
  auto m = p.op("mul", "m", {in("x", ProgramBuilder::ref(s1[0])), in("y", ProgramBuilder::lit(ir::Constant::from_floats({3.0f}, ir::Shape{})))}, {f32n()});
  auto a = p.op("add", "a", {in("x", ProgramBuilder::ref(m[0])), in("y", ProgramBuilder::ref(x))}, {f32n()});
  // Broadcast y of another shape: computed into a fresh buffer.
  auto row = p.op("sigmoid", "row", {in("x", ProgramBuilder::ref(x))}, {f32n()});
  auto col = p.op("reshape", "col", {in("x", ProgramBuilder::ref(row[0])), in("shape", ProgramBuilder::lit(ir::Constant::from_ints({kN, 1}, ir::Shape{2})))},
                  {ir::Type::tensor(ir::DType::Float32, ir::Shape(std::vector<int64_t>{kN, 1}))});
  auto b = p.op("mul", "b", {in("x", ProgramBuilder::ref(col[0])), in("y", ProgramBuilder::lit(ir::Constant::from_floats({1.0f, 2.0f}, ir::Shape{2})))},
                {ir::Type::tensor(ir::DType::Float32, ir::Shape(std::vector<int64_t>{kN, 2}))});
  p.output(a[0]);
  p.output(b[0]);
  const ir::Model model = p.model();
  const RunInputs xs = x_input();
  const RunResult r = Interpreter(NumericProfile::builtin("fp32")).run(model, xs, {});
  const std::vector<float> xv = ramp();
  const Tensor& out = std::get<Tensor>(r.outputs.at("a"));
  for (int64_t i = 0; i < kN; ++i) {
    const float s = std::get<Tensor>(r.outputs.at("b")).floats()[size_t(2 * i)];
    ASSERT_EQ(out.floats()[size_t(i)], s * 3.0f + xv[size_t(i)]) << i;  // the general path's float ops
    ASSERT_EQ(std::get<Tensor>(r.outputs.at("b")).floats()[size_t(2 * i + 1)], s * 2.0f) << i;
    ASSERT_EQ(std::get<Tensor>(xs.at("x")).floats()[size_t(i)], xv[size_t(i)]) << "the caller's x was written at " << i;
  }
  const auto at = storage_addresses(model, xs);
  EXPECT_EQ(at.at("m"), at.at("s1"));
  EXPECT_EQ(at.at("a"), at.at("s1"));
  EXPECT_NE(at.at("b"), at.at("row"));
}

TEST(ExecInPlace, ProfilesRoundTheInPlaceResultLikeAFreshOne) {
  // gpu stores fp16: the in-place path must still round every output.
  Interpreter interp(NumericProfile::builtin("gpu"));
  RunOptions keep;
  keep.keep_intermediates = true;  // no in-place at all
  const RunResult fresh = interp.run(chain(false), x_input(), keep);
  const RunResult in_place = interp.run(chain(false), x_input(), {});
  const Tensor& a = std::get<Tensor>(fresh.outputs.at("s3"));
  const Tensor& b = std::get<Tensor>(in_place.outputs.at("s3"));
  ASSERT_EQ(a.size(), b.size());
  for (uint64_t i = 0; i < a.size(); ++i) ASSERT_EQ(a.floats()[i], b.floats()[i]) << i;
  EXPECT_EQ(a.dtype(), b.dtype());
}

}  // namespace
