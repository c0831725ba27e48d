// A dequantize read only by conv's x is deferred: conv decodes the int8/uint8 codes tile by tile
// through a table built by the dequantize kernel itself. Each case compares against the same
// program run with an observer (which turns deferral off, so the dequantize runs as an op):
// the outputs must have the same bits under every profile, and the peak must drop where the
// fp32 copy of the codes was the largest live value.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>

#include "core/exec/interpreter.h"
#include "core/util/error.h"
#include "exec_ir_builder.h"

namespace mlscope::exec {
namespace {

using test::in;
using test::ProgramBuilder;

ir::Type tensor_type(ir::DType dt, std::vector<int64_t> d) { return ir::Type::tensor(dt, ir::Shape(std::move(d))); }
ir::Binding ints(std::vector<int64_t> v) { return ProgramBuilder::lit(ir::Constant::from_ints(v, ir::Shape{int64_t(v.size())})); }
ir::Binding scalar_int(int64_t v) { return ProgramBuilder::lit(ir::Constant::from_ints({v}, ir::Shape{}, ir::DType::Int32)); }

std::vector<float> random_floats(size_t n, uint32_t seed, float scale) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

struct Case {
  int64_t C = 6, H = 13, W = 11, O = 6, stride = 1, dilation = 1, groups = 1;
  bool per_channel = false;  // uint8 codes with per-channel scales and zero points along `axis`
  int64_t axis = 1;
  std::vector<float> bad_scale;  // when set: the dequantize's scale (a length that fails)
  bool int8_weight = false;      // weight from constexpr_affine_dequantize (ane-w8a8: integer sums)
  bool const_ops = false;        // the dequantize's scale and zero point from const ops, as converters write them
  int stages = 1;
  bool second_conv = false;  // a second conv ("conv2", output too) reads the last dequantize
};

ir::Attribute attribute(const std::string& name, ir::Constant c) { return {name, std::make_shared<const ir::Constant>(std::move(c))}; }

// An int8 per-output-channel weight, as coremltools stores one (iOS16 attributes).
ir::ValueId int8_weight(ProgramBuilder& p, int64_t O, int64_t Cg, const std::string& name) {
  const int64_t n = O * Cg * 9;
  std::vector<int64_t> codes(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) codes[size_t(i)] = (i * 37) % 255 - 127;
  std::vector<float> scales;
  for (int64_t o = 0; o < O; ++o) scales.push_back(0.004f * float(o + 1));
  return p.op("constexpr_affine_dequantize", name, {}, {tensor_type(ir::DType::Float32, {O, Cg, 3, 3})},
              {attribute("quantized_data", ir::Constant::from_ints(codes, ir::Shape{O, Cg, 3, 3}, ir::DType::Int8)),
               attribute("scale", ir::Constant::from_floats(scales, ir::Shape{O})),
               attribute("zero_point", ir::Constant::from_ints(std::vector<int64_t>(size_t(O), 0), ir::Shape{O}, ir::DType::Int8)),
               attribute("axis", ir::Constant::from_ints({0}, ir::Shape{}, ir::DType::Int32))})[0];
}

// x -> quantize -> dequantize -> conv 3x3 (custom pad 1) -> y, `stages` times in a chain (the
// last conv is "conv"; chains need O == C and stride 1).
ir::Model program(const Case& k) {
  ProgramBuilder p;
  ir::ValueId cur = p.input("x", tensor_type(ir::DType::Float32, {1, k.C, k.H, k.W}));
  const int64_t n_scales = k.per_channel ? (k.axis == 1 ? k.C : k.W) : 1;
  std::vector<float> scales;
  std::vector<int64_t> zps;
  for (int64_t c = 0; c < n_scales; ++c) {
    scales.push_back(0.02f + 0.013f * float(c));
    zps.push_back(k.per_channel ? 100 + 7 * c : 0);
  }
  const ir::DType code_type = k.per_channel ? ir::DType::UInt8 : ir::DType::Int8;
  auto sc = ProgramBuilder::lit(k.per_channel ? ir::Constant::from_floats(scales, ir::Shape{n_scales}) : ir::Constant::from_floats(scales, ir::Shape{}));
  auto zp = ProgramBuilder::lit(k.per_channel ? ir::Constant::from_ints(zps, ir::Shape{n_scales}, code_type)
                                              : ir::Constant::from_ints(zps, ir::Shape{}, code_type));
  auto odt = ProgramBuilder::lit(ir::Constant::from_string(k.per_channel ? "uint8" : "int8"));
  for (int s = 0; s < k.stages; ++s) {
    const std::string tag = s + 1 == k.stages ? "" : "_" + std::to_string(s);
    std::vector<ir::NamedInput> q_in = {in("input", ProgramBuilder::ref(cur)), in("scale", sc), in("zero_point", zp), in("output_dtype", odt)};
    std::vector<ir::NamedInput> dq_in = {in("scale", k.bad_scale.empty() ? sc : ProgramBuilder::lit(ir::Constant::from_floats(k.bad_scale, ir::Shape{int64_t(k.bad_scale.size())}))),
                                         in("zero_point", zp)};
    if (k.const_ops)
      for (ir::NamedInput& operand : dq_in) {
        const ir::Constant& c = *operand.bindings[0].literal;
        operand.bindings[0] = ProgramBuilder::ref(p.op("const", "dq_" + operand.name + tag, {}, {c.type}, {{"val", operand.bindings[0].literal}})[0]);
      }
    if (k.per_channel) {
      q_in.push_back(in("axis", scalar_int(k.axis)));
      dq_in.push_back(in("axis", scalar_int(k.axis)));
    }
    auto q = p.op("quantize", "q" + tag, q_in, {tensor_type(code_type, {1, k.C, k.H, k.W})});
    dq_in.insert(dq_in.begin(), in("input", ProgramBuilder::ref(q[0])));
    auto dq = p.op("dequantize", "dq" + tag, dq_in, {tensor_type(ir::DType::Float32, {1, k.C, k.H, k.W})});
    const int64_t ek = 2 * k.dilation + 1;
    const int64_t Ho = (k.H + 2 - ek) / k.stride + 1, Wo = (k.W + 2 - ek) / k.stride + 1;
    const ir::Binding weight =
        k.int8_weight ? ProgramBuilder::ref(int8_weight(p, k.O, k.C / k.groups, "w" + tag))
                      : ProgramBuilder::lit(ir::Constant::from_floats(random_floats(size_t(k.O * (k.C / k.groups) * 9), 5, 0.3f), ir::Shape{k.O, k.C / k.groups, 3, 3}));
    auto conv = [&](const std::string& name, const ir::Binding& w) {
      return p.op("conv", name,
                  {in("x", ProgramBuilder::ref(dq[0])), in("weight", w),
                   in("bias", ProgramBuilder::lit(ir::Constant::from_floats(random_floats(size_t(k.O), 6, 1.0f), ir::Shape{k.O}))),
                   in("strides", ints({k.stride, k.stride})), in("dilations", ints({k.dilation, k.dilation})),
                   in("pad_type", ProgramBuilder::lit(ir::Constant::from_string("custom"))), in("pad", ints({1, 1, 1, 1})),
                   in("groups", scalar_int(k.groups))},
                  {tensor_type(ir::DType::Float32, {1, k.O, Ho, Wo})})[0];
    };
    cur = conv("conv" + tag, weight);
    if (k.second_conv && tag.empty())
      p.output(conv("conv2", ProgramBuilder::lit(ir::Constant::from_floats(random_floats(size_t(k.O * (k.C / k.groups) * 9), 9, 0.3f),
                                                                          ir::Shape{k.O, k.C / k.groups, 3, 3}))));
  }
  p.output(cur);
  return p.model();
}

RunInputs inputs(const Case& k) {
  return {{"x", Tensor::from_floats(ir::DType::Float32, {1, k.C, k.H, k.W}, random_floats(size_t(k.C * k.H * k.W), 11, 2.0f))}};
}

// The plain run (deferral on) and the observed run (deferral off).
std::pair<RunResult, RunResult> both_runs(const Case& k, const NumericProfile& profile) {
  const ir::Model m = program(k);
  Interpreter interp(profile);
  RunOptions observed;
  observed.on_value = [](const ir::Op&, const std::string&, const RunValue&) {};
  return {interp.run(m, inputs(k), {}), interp.run(m, inputs(k), observed)};
}

void expect_same_bits(const RunResult& a, const RunResult& b, const std::string& what) {
  const Tensor& ta = std::get<Tensor>(a.outputs.at("conv"));
  const Tensor& tb = std::get<Tensor>(b.outputs.at("conv"));
  ASSERT_EQ(ta.shape(), tb.shape()) << what;
  ASSERT_EQ(0, std::memcmp(ta.floats().data(), tb.floats().data(), ta.size() * sizeof(float))) << what;
}

TEST(ExecDeferredDequantize, ConvFromCodesHasTheBitsOfConvFromTheDequantizedValuesUnderEveryProfile) {
  std::vector<Case> cases(7);
  cases[1].per_channel = true;
  cases[1].const_ops = true;
  cases[2].stride = 2;
  cases[2].per_channel = true;
  cases[3].dilation = 2;
  cases[3].groups = 2;
  cases[3].O = 4;
  cases[4].C = 64;  // a K long enough for ane-w8a8's chunked integer sums
  cases[4].O = 8;
  cases[5].int8_weight = true;
  cases[6] = cases[4];
  cases[6].int8_weight = true;
  cases[6].const_ops = true;
  for (const char* name : {"fp32", "gpu", "gpu-lowacc", "ane", "ane-w8a8"})
    for (size_t i = 0; i < cases.size(); ++i) {
      auto [plain, observed] = both_runs(cases[i], NumericProfile::builtin(name));
      expect_same_bits(plain, observed, std::string(name) + ", case " + std::to_string(i));
    }
}

TEST(ExecDeferredDequantize, TheFp32CopyOfTheCodesIsNeverLiveAndTheCodesDieWithTheirConv) {
  Case k;  // stride 1, O == C: every activation has x's size
  k.stages = 3;
  k.const_ops = true;
  auto [plain, observed] = both_runs(k, NumericProfile::builtin("fp32"));
  expect_same_bits(plain, observed, "3 stages");
  const uint64_t codes = uint64_t(k.C * k.H * k.W), fp32 = 4 * codes;
  // Deferred: an fp32 activation and one set of codes at any time (quantize: x + codes; conv:
  // codes + output, and the few bytes of the dequantize's scale and zero point); codes kept past
  // their conv would add a set. Run as ops, dequantize's output and conv's output are both fp32.
  EXPECT_GE(plain.peak_live_bytes, fp32 + codes);
  EXPECT_LT(plain.peak_live_bytes, fp32 + codes + 64);
  EXPECT_EQ(observed.peak_live_bytes, 2 * fp32);
}

// Two convs read one deferred dequantize: both decode the codes, which live until the second.
TEST(ExecDeferredDequantize, TwoConvsReadOneDequantize) {
  Case k;
  k.second_conv = true;
  k.const_ops = true;
  auto [plain, observed] = both_runs(k, NumericProfile::builtin("ane"));
  expect_same_bits(plain, observed, "first conv");
  const Tensor& a = std::get<Tensor>(plain.outputs.at("conv2"));
  const Tensor& b = std::get<Tensor>(observed.outputs.at("conv2"));
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(0, std::memcmp(a.floats().data(), b.floats().data(), a.size() * sizeof(float)));
  // Live beside the two outputs: the codes (deferred; with their few bytes of scale and zero
  // point), not the fp32 values (run as an op).
  const uint64_t codes = uint64_t(k.C * k.H * k.W);
  ASSERT_LT(plain.peak_live_bytes, observed.peak_live_bytes);
  const uint64_t saved = observed.peak_live_bytes - plain.peak_live_bytes;
  EXPECT_GT(saved, 3 * codes - 64);
  EXPECT_LE(saved, 3 * codes);
}

// A 1-D conv (x [1, C, L]) decodes its codes the same way: one input row per channel.
TEST(ExecDeferredDequantize, OneDimensionalConvFromCodes) {
  const int64_t C = 5, L = 301, O = 4;
  ProgramBuilder p;
  auto x = p.input("x", tensor_type(ir::DType::Float32, {1, C, L}));
  auto sc = ProgramBuilder::lit(ir::Constant::from_floats({0.05f}, ir::Shape{}));
  auto q = p.op("quantize", "q", {in("input", ProgramBuilder::ref(x)), in("scale", sc), in("output_dtype", ProgramBuilder::lit(ir::Constant::from_string("int8")))},
                {tensor_type(ir::DType::Int8, {1, C, L})});
  auto dq = p.op("dequantize", "dq", {in("input", ProgramBuilder::ref(q[0])), in("scale", sc)}, {tensor_type(ir::DType::Float32, {1, C, L})});
  auto y = p.op("conv", "conv",
                {in("x", ProgramBuilder::ref(dq[0])),
                 in("weight", ProgramBuilder::lit(ir::Constant::from_floats(random_floats(size_t(O * C * 3), 4, 0.3f), ir::Shape{O, C, 3}))),
                 in("strides", ints({2})), in("dilations", ints({1})), in("pad_type", ProgramBuilder::lit(ir::Constant::from_string("custom"))),
                 in("pad", ints({1, 1})), in("groups", scalar_int(1))},
                {tensor_type(ir::DType::Float32, {1, O, (L + 2 - 3) / 2 + 1})});
  p.output(y[0]);
  const ir::Model m = p.model();
  const RunInputs xs = {{"x", Tensor::from_floats(ir::DType::Float32, {1, C, L}, random_floats(size_t(C * L), 13, 2.0f))}};
  for (const char* name : {"fp32", "ane"}) {
    Interpreter interp(NumericProfile::builtin(name));
    RunOptions observed;
    observed.on_value = [](const ir::Op&, const std::string&, const RunValue&) {};
    const RunResult plain = interp.run(m, xs, {}), seen = interp.run(m, xs, observed);
    expect_same_bits(plain, seen, name);
    EXPECT_LT(plain.peak_live_bytes, seen.peak_live_bytes) << name;
  }
}

// Per-channel scales along the last axis, with as many columns as channels: a table per channel
// along axis 1 would be wrong, so conv reads the values and the dequantize runs then (its codes,
// kept for conv, are live beside them: the price of the fallback).
TEST(ExecDeferredDequantize, ScalesAlongAnotherAxisAreNotDecodedAsChannels) {
  Case k;
  k.per_channel = true;
  k.axis = 3;
  k.W = k.C;
  auto [plain, observed] = both_runs(k, NumericProfile::builtin("gpu"));
  expect_same_bits(plain, observed, "axis 3");
  EXPECT_EQ(plain.peak_live_bytes, observed.peak_live_bytes + uint64_t(k.C * k.H * k.W));
}

TEST(ExecDeferredDequantize, BypassedActivationQuantizationReadsTheValues) {
  NumericProfile bypass = NumericProfile::builtin("gpu");
  bypass.defaults.honor_activation_quant = false;
  for (bool per_channel : {false, true}) {
    Case k;
    k.per_channel = per_channel;
    auto [plain, observed] = both_runs(k, bypass);
    expect_same_bits(plain, observed, per_channel ? "per channel" : "per tensor");
  }
}

TEST(ExecDeferredDequantize, ABadDequantizeIsReportedAtItsOwnOp) {
  Case k;
  k.bad_scale = {0.5f, 0.25f};  // two scales, no axis
  try {
    Interpreter(NumericProfile::builtin("fp32")).run(program(k), inputs(k), {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dq"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("axis"), std::string::npos) << e.what();
  }
}

// A dequantize that something else reads too (here: it is also a function output) is an op.
TEST(ExecDeferredDequantize, ADequantizeWithOtherReadersRunsAsAnOp) {
  Case k;
  ir::Model m = program(k);
  ir::Function& fn = m.functions[0];
  for (size_t v = 0; v < fn.values.size(); ++v)
    if (fn.values[v].name == "dq") fn.blocks[static_cast<size_t>(fn.body())].outputs.push_back(static_cast<ir::ValueId>(v));
  Interpreter interp(NumericProfile::builtin("ane"));
  const RunResult r = interp.run(m, inputs(k), {});
  ASSERT_TRUE(r.outputs.count("dq"));
  auto [plain, observed] = both_runs(k, NumericProfile::builtin("ane"));
  expect_same_bits(r, observed, "dq kept");
}


// An observer that takes codes (RunOptions::on_codes) keeps the deferral: it gets each deferred
// dequantize as codes + table, in program order, whose decoded values have the bits the op
// would have output, and the run keeps the unobserved run's peak.
TEST(ExecDeferredDequantize, AnObserverTakingCodesGetsTheDequantizedValuesAndKeepsTheDeferral) {
  for (bool per_channel : {false, true})
    for (const char* name : {"fp32", "ane-w8a8"}) {
      Case k;
      k.stages = 3;
      k.per_channel = per_channel;
      const std::string what = std::string(name) + (per_channel ? ", per channel" : ", per tensor");
      const ir::Model m = program(k);
      Interpreter interp(NumericProfile::builtin(name));
      std::vector<std::string> order_values, order_codes;
      std::map<std::string, Tensor> values;
      std::map<std::string, DequantizedCodes> codes;
      RunOptions as_values, as_codes;
      as_values.on_value = [&](const ir::Op&, const std::string& v, const RunValue& rv) {
        order_values.push_back(v);
        values[v] = std::get<Tensor>(rv);
      };
      as_codes.on_value = [&](const ir::Op&, const std::string& v, const RunValue&) { order_codes.push_back(v); };
      as_codes.on_codes = [&](const ir::Op&, const std::string& v, const DequantizedCodes& d) {
        order_codes.push_back(v);
        codes[v] = d;
      };
      const RunResult plain = interp.run(m, inputs(k), {});
      const RunResult seen_values = interp.run(m, inputs(k), as_values);
      const RunResult seen_codes = interp.run(m, inputs(k), as_codes);
      EXPECT_EQ(order_codes, order_values) << what;
      ASSERT_EQ(codes.size(), 3u) << what;
      for (const auto& [v, d] : codes) {
        const Tensor& t = values.at(v);
        ASSERT_EQ(d.codes.size(), t.size()) << what << " " << v;
        std::vector<float> decoded(t.size());
        decode_range(d, 0, decoded.size(), decoded.data());
        EXPECT_EQ(0, std::memcmp(decoded.data(), t.floats().data(), t.size() * sizeof(float))) << what << " " << v;
      }
      expect_same_bits(plain, seen_codes, what);
      EXPECT_EQ(seen_codes.peak_live_bytes, plain.peak_live_bytes) << what;
      EXPECT_LT(seen_codes.peak_live_bytes, seen_values.peak_live_bytes) << what;
    }
}

// Where the codes cannot be handed over (scales along another axis; quantization bypassed, so
// no codes), the dequantize runs in its place and the observer gets its values as usual.
TEST(ExecDeferredDequantize, AnObserverTakingCodesGetsValuesWhereThereAreNoCodesToGive) {
  NumericProfile bypass = NumericProfile::builtin("gpu");
  bypass.defaults.honor_activation_quant = false;
  Case along_w;
  along_w.per_channel = true;
  along_w.axis = 3;
  along_w.W = along_w.C;
  for (const auto& [k, profile] : {std::pair{along_w, NumericProfile::builtin("gpu")}, std::pair{Case{}, bypass}}) {
    const ir::Model m = program(k);
    std::vector<std::string> order;
    int codes_calls = 0;
    RunOptions o;
    o.on_value = [&](const ir::Op&, const std::string& v, const RunValue&) { order.push_back(v); };
    o.on_codes = [&](const ir::Op&, const std::string&, const DequantizedCodes&) { ++codes_calls; };
    const RunResult seen = Interpreter(profile).run(m, inputs(k), o);
    const RunResult plain = Interpreter(profile).run(m, inputs(k), {});
    EXPECT_EQ(codes_calls, 0);
    EXPECT_EQ(order, (std::vector<std::string>{"q", "dq", "conv"}));
    expect_same_bits(plain, seen, "fallback");
  }
}

// decode_range over arbitrary ranges of a per-channel value: each element through its channel's
// table, across channel planes and images.
TEST(ExecDeferredDequantize, DecodeRangeCrossesChannelPlanes) {
  const Dims shape{2, 3, 5, 7};
  std::vector<uint8_t> bytes(2 * 3 * 5 * 7);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(i * 29 % 256);
  DequantizedCodes d;
  d.codes = Tensor::from_bytes(ir::DType::UInt8, shape, bytes);
  d.channels = 3;
  d.table.resize(3 * 256);
  for (size_t c = 0; c < 3; ++c)
    for (size_t b = 0; b < 256; ++b) d.table[c * 256 + b] = float(c) * 1000.0f + float(b);
  for (auto [begin, n] : {std::pair<uint64_t, uint64_t>{0, 210}, {3, 40}, {34, 1}, {35, 71}, {100, 110}}) {
    std::vector<float> out(n);
    decode_range(d, begin, n, out.data());
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t e = begin + i, c = (e / 35) % 3;
      ASSERT_EQ(out[i], float(c) * 1000.0f + float(bytes[e])) << begin << "+" << i;
    }
  }
}

}  // namespace
}  // namespace mlscope::exec
