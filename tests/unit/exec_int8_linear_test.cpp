// linear on int8 activation codes and int8 weights under int8 accumulation (ane-w8a8's rule):
// every output is the exact integer dot product, scaled in double, rounded once to fp32. The
// expected values are computed here with int64 sums from the codes the program was built from.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/exec/interpreter.h"
#include "support/ir_builders.h"

namespace mlscope::exec {
namespace {

constexpr int64_t kRows = 3, kIn = 2101, kOut = 5;  // 2101 terms: three exact sgemm chunks, the last short
constexpr float kActivationScale = 0.25f;             // a power of two: x = code * scale exactly

// Codes near ±127 so the sums pass 2^24, where fp32 can no longer hold every integer.
int64_t activation_code(int64_t r, int64_t k) { return (r % 2 ? -1 : 1) * (127 - (r * 7 + k) % 4); }
int64_t weight_code(int64_t o, int64_t k) { return 127 - (o * 3 + k) % 5; }
float weight_scale(int64_t o) { return 0.0037f * float(o + 1); }
float bias(int64_t o) { return 0.5f * float(o) - 1.0f; }

ir::Model int8_linear_program() {
  fixtures::Int8LinearSpec spec;
  spec.rows = kRows;
  spec.in = kIn;
  spec.out = kOut;
  spec.activation_scale = kActivationScale;
  spec.weight_code = weight_code;
  spec.weight_scale = weight_scale;
  spec.bias = bias;
  ir::Model m;
  m.path = "in-memory int8 linear";
  m.kind = "mlProgram";
  m.functions.push_back(fixtures::int8_linear_program(spec));
  return m;
}

RunInputs int8_linear_inputs() {
  std::vector<float> x;
  for (int64_t r = 0; r < kRows; ++r)
    for (int64_t k = 0; k < kIn; ++k) x.push_back(float(activation_code(r, k)) * kActivationScale);
  return {{"x", Tensor::from_floats(ir::DType::Float32, {kRows, kIn}, x)}};
}

int64_t exact_sum(int64_t r, int64_t o) {
  int64_t acc = 0;
  for (int64_t k = 0; k < kIn; ++k) acc += activation_code(r, k) * weight_code(o, k);
  return acc;
}

TEST(ExecInt8Linear, OutputsAreTheExactIntegerSumsScaledThenRoundedOnce) {
  NumericProfile profile;  // fp32 storage, so the one rounding to fp32 is visible in the output
  profile.name = "int8-sums";
  profile.defaults.int8_accumulation = true;
  const RunResult result = Interpreter(profile).run(int8_linear_program(), int8_linear_inputs(), {});
  const Tensor& y = std::get<Tensor>(result.outputs.at("y"));
  ASSERT_EQ(y.shape(), (Dims{kRows, kOut}));
  int sums_fp32_cannot_hold = 0, outputs_a_rounded_sum_would_change = 0;
  for (int64_t r = 0; r < kRows; ++r)
    for (int64_t o = 0; o < kOut; ++o) {
      const int64_t acc = exact_sum(r, o);
      const double scale = double(kActivationScale) * double(weight_scale(o));
      const float expected = float(double(acc) * scale) + bias(o);
      EXPECT_EQ(y.floats()[size_t(r * kOut + o)], expected) << "row " << r << " output " << o << " sum " << acc;
      sums_fp32_cannot_hold += int64_t(float(acc)) != acc;
      outputs_a_rounded_sum_would_change += float(double(float(acc)) * scale) + bias(o) != expected;
    }
  // The case discriminates: summing in fp32 (or rounding the sum first) would give other bits.
  EXPECT_GT(sums_fp32_cannot_hold, 0);
  EXPECT_GT(outputs_a_rounded_sum_would_change, 0);
}

TEST(ExecInt8Linear, WithoutInt8AccumulationTheSameProgramIsAFloatLinear) {
  // The fp32 profile reads the dequantized values and sums them in fp32: the result agrees with
  // the integer sums to fp32 summation error over 2101 same-signed terms (1e-5 relative: ~170
  // ulps, well above sgemm's blocked sums and far below what a wrong code or scale would move).
  const RunResult result = Interpreter(NumericProfile::builtin("fp32")).run(int8_linear_program(), int8_linear_inputs(), {});
  const Tensor& y = std::get<Tensor>(result.outputs.at("y"));
  for (int64_t r = 0; r < kRows; ++r)
    for (int64_t o = 0; o < kOut; ++o) {
      const double expected = double(exact_sum(r, o)) * double(kActivationScale) * double(weight_scale(o)) + bias(o);
      EXPECT_NEAR(y.floats()[size_t(r * kOut + o)], expected, 1e-5 * std::abs(expected)) << r << "," << o;
    }
}

}  // namespace
}  // namespace mlscope::exec
