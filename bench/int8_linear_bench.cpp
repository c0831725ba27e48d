// A W8A8 linear as converted transformers hold them (128 tokens x 1024 -> 1024, int8 activation
// codes, int8 per-channel weights) through the interpreter: under `ane-w8a8` its exact integer
// sums run on sgemm in exact chunks (gemm_integer_codes_exact); the peers in the same run are the
// same program under `fp32` (one sgemm) and the scalar exact loop the integer path used before.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "core/exec/interpreter.h"
#include "tests/support/ir_builders.h"

namespace {

using namespace mlscope;

constexpr int64_t kTokens = 128, kIn = 1024, kOut = 1024;
constexpr float kActivationScale = 0.05f;

float input_value(size_t i) { return float(int64_t(i * 37 % 201) - 100) * 0.03f; }

fixtures::Int8LinearSpec spec() {
  fixtures::Int8LinearSpec s;
  s.rows = kTokens;
  s.in = kIn;
  s.out = kOut;
  s.activation_scale = kActivationScale;
  s.weight_code = [](int64_t o, int64_t k) { return (o * 131 + k * 71) % 255 - 127; };
  s.weight_scale = [](int64_t o) { return 0.001f * float(1 + o % 7); };
  s.bias = [](int64_t o) { return 0.01f * float(o % 5); };
  return s;
}

ir::Model linear_model() {
  ir::Model m;
  m.path = "generated W8A8 linear";
  m.kind = "mlProgram";
  m.functions.push_back(fixtures::int8_linear_program(spec()));
  return m;
}

exec::RunInputs linear_inputs() {
  std::vector<float> x(size_t(kTokens * kIn));
  for (size_t i = 0; i < x.size(); ++i) x[i] = input_value(i);
  return {{"x", exec::Tensor::from_floats(ir::DType::Float32, {kTokens, kIn}, x)}};
}

void BM_Int8Linear(benchmark::State& state, const char* profile) {
  const ir::Model model = linear_model();
  const exec::RunInputs ins = linear_inputs();
  exec::Interpreter interp(exec::NumericProfile::builtin(profile));
  interp.run(model, ins, {});  // warm-up
  for (auto _ : state) benchmark::DoNotOptimize(interp.run(model, ins, {}).outputs);
  state.counters["GMAC/s"] = benchmark::Counter(double(kTokens * kIn * kOut) * double(state.iterations()) / 1e9,
                                                benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_Int8Linear, fp32, "fp32")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Int8Linear, ane_w8a8, "ane-w8a8")->Unit(benchmark::kMillisecond)->UseRealTime();

// The integer path before: one exact double dot product per output, over the same codes.
void BM_Int8LinearScalarLoopBefore(benchmark::State& state) {
  const fixtures::Int8LinearSpec s = spec();
  std::vector<float> x(size_t(kTokens * kIn)), w(size_t(kOut * kIn));
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::nearbyint(input_value(i) / kActivationScale);  // the quantize's codes
  for (int64_t o = 0; o < kOut; ++o)
    for (int64_t k = 0; k < kIn; ++k) w[size_t(o * kIn + k)] = float(s.weight_code(o, k));
  std::vector<float> y(size_t(kTokens * kOut));
  for (auto _ : state) {
    for (int64_t r = 0; r < kTokens; ++r)
      for (int64_t o = 0; o < kOut; ++o) {
        double acc = 0;
        for (int64_t k = 0; k < kIn; ++k) acc += double(x[size_t(r * kIn + k)]) * w[size_t(o * kIn + k)];
        y[size_t(r * kOut + o)] = float(acc * double(kActivationScale) * double(s.weight_scale(o)));
      }
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GMAC/s"] = benchmark::Counter(double(kTokens * kIn * kOut) * double(state.iterations()) / 1e9,
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Int8LinearScalarLoopBefore)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
