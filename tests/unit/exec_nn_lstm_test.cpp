// NeuralNetwork uniDirectionalLSTM / biDirectionalLSTM layers, end to end: each model is built
// with the protobuf classes of our NeuralNetwork.proto subset, serialized to a .mlmodel, opened
// with format::open and run by the interpreter. Outputs are checked against an LSTM written in
// this file with plain loops from the NeuralNetwork.proto LSTMParams equations (double precision,
// one separate matrix per gate), and the unidirectional layer also against the MIL `lstm` kernel
// on the same weights packed in its i, f, o, z layout (an independent check of gate ordering).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <fstream>
#include <random>

#include "core/analysis/cost.h"
#include "core/exec/interpreter.h"
#include "core/format/open.h"
#include "core/util/error.h"
#include "core/util/half.h"
#include "exec_ir_builder.h"
#include "model.pb.h"
#include "support/test_paths.h"

using namespace mlscope;
using namespace mlscope::exec;

namespace {

enum Gate { GI = 0, GF = 1, GZ = 2, GO = 3 };  // input, forget, block input, output

// One direction's weights in the spec's terms: W_* [H, I], R_* [H, H], b_* [H], p_i/p_f/p_o [H].
struct LstmWeightsSpec {
  std::array<std::vector<float>, 4> W, R, b;
  std::array<std::vector<float>, 3> p;  // i, f, o
};

struct Config {
  int64_t I = 3, H = 4, S = 5, B = 2;
  bool sequence_output = true, bias = true, forget_bias = false, peephole = false, coupled = false, reverse = false;
  float cell_clip = 0;  // 0 = the spec's default (50)
  std::array<std::string, 3> acts = {"sigmoid", "tanh", "tanh"};
  bool fp16_weights = false;
  bool initial_state = true;
};

std::vector<float> randoms(size_t n, std::mt19937& rng, float scale = 0.5f) {
  std::uniform_real_distribution<float> d(-scale, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

LstmWeightsSpec random_weights(const Config& c, std::mt19937& rng) {
  LstmWeightsSpec w;
  for (int g = 0; g < 4; ++g) {
    w.W[size_t(g)] = randoms(size_t(c.H * c.I), rng);
    w.R[size_t(g)] = randoms(size_t(c.H * c.H), rng);
    w.b[size_t(g)] = randoms(size_t(c.H), rng);
  }
  for (int g = 0; g < 3; ++g) w.p[size_t(g)] = randoms(size_t(c.H), rng);
  return w;
}

// The weights as a model stored with float16Value holds them.
LstmWeightsSpec rounded_to_half(LstmWeightsSpec w) {
  auto r = [](std::vector<float>& v) {
    for (auto& x : v) x = round_to_half(x);
  };
  for (auto* set : {&w.W, &w.R, &w.b})
    for (auto& v : *set) r(v);
  for (auto& v : w.p) r(v);
  return w;
}

double act(const std::string& a, double v) {
  if (a == "sigmoid") return 1 / (1 + std::exp(-v));
  if (a == "tanh") return std::tanh(v);
  if (a == "relu") return v > 0 ? v : 0;
  if (a == "linear") return v;
  if (a == "sigmoidHard") return std::min(1.0, std::max(0.0, 0.2 * v + 0.5));
  if (a == "scaledTanh") return 1.71 * std::tanh(2.0 / 3.0 * v);
  ADD_FAILURE() << "reference has no activation " << a;
  return v;
}

struct RefResult {
  std::vector<double> y;     // [S or 1, B, H]
  std::vector<double> h, c;  // [B, H]
};

// The spec's equations, one time step at a time, one gate at a time:
//   i = f(clip(W_i x + R_i y + p_i . c + b_i)), f_t = f(clip(W_f x + R_f y + p_f . c + b_f)),
//   z = g(clip(W_z x + R_z y + b_z)), c = c . f_t + i . z (f_t = 1 - i when coupled),
//   o = f(clip(W_o x + R_o y + p_o . c_new + b_o)), y = h(c) . o; clip() = [-50, 50], c clipped
//   to ±cellClipThreshold; forgetBias adds 1 to b_f.
RefResult reference(const Config& c, const LstmWeightsSpec& w, const std::vector<float>& x, const std::vector<float>& h0,
                    const std::vector<float>& c0) {
  const int64_t I = c.I, H = c.H, S = c.S, B = c.B;
  const double cell_clip = c.cell_clip == 0 ? 50.0 : c.cell_clip;
  auto clip50 = [](double v) { return std::min(50.0, std::max(-50.0, v)); };
  RefResult out;
  std::vector<double> seq(size_t(S * B * H));
  out.h.resize(size_t(B * H));
  out.c.resize(size_t(B * H));
  for (int64_t b = 0; b < B; ++b) {
    std::vector<double> h(static_cast<size_t>(H)), cell(static_cast<size_t>(H));
    for (int64_t k = 0; k < H; ++k) {
      h[size_t(k)] = h0[size_t(b * H + k)];
      cell[size_t(k)] = c0[size_t(b * H + k)];
    }
    for (int64_t s = 0; s < S; ++s) {
      const int64_t t = c.reverse ? S - 1 - s : s;
      auto affine = [&](int g, int64_t k) {
        double v = 0;
        for (int64_t j = 0; j < I; ++j) v += double(w.W[size_t(g)][size_t(k * I + j)]) * x[size_t((t * B + b) * I + j)];
        for (int64_t j = 0; j < H; ++j) v += double(w.R[size_t(g)][size_t(k * H + j)]) * h[size_t(j)];
        if (c.bias) v += w.b[size_t(g)][size_t(k)];
        return v;
      };
      std::vector<double> hn(static_cast<size_t>(H)), cn(static_cast<size_t>(H));
      for (int64_t k = 0; k < H; ++k) {
        double ai = affine(GI, k), af = affine(GF, k), az = affine(GZ, k), ao = affine(GO, k);
        if (c.forget_bias) af += 1.0;
        if (c.peephole) {
          ai += double(w.p[0][size_t(k)]) * cell[size_t(k)];
          af += double(w.p[1][size_t(k)]) * cell[size_t(k)];
        }
        const double ig = act(c.acts[0], clip50(ai));
        const double fg = c.coupled ? 1 - ig : act(c.acts[0], clip50(af));
        const double z = act(c.acts[1], clip50(az));
        double cc = cell[size_t(k)] * fg + ig * z;
        cc = std::min(cell_clip, std::max(-cell_clip, cc));
        if (c.peephole) ao += double(w.p[2][size_t(k)]) * cc;
        const double og = act(c.acts[0], clip50(ao));
        cn[size_t(k)] = cc;
        hn[size_t(k)] = act(c.acts[2], cc) * og;
      }
      h = hn;
      cell = cn;
      for (int64_t k = 0; k < H; ++k) seq[size_t((t * B + b) * H + k)] = h[size_t(k)];
    }
    for (int64_t k = 0; k < H; ++k) {
      out.h[size_t(b * H + k)] = h[size_t(k)];
      out.c[size_t(b * H + k)] = cell[size_t(k)];
    }
  }
  out.y = c.sequence_output ? seq : out.h;
  return out;
}

// --- building .mlmodel files with the generated protobuf classes -----------------------------

void set_values(pb::WeightParams* p, const std::vector<float>& v, bool fp16) {
  if (!fp16) {
    for (float f : v) p->add_floatvalue(f);
    return;
  }
  std::string bytes;
  for (float f : v) {
    const uint16_t h = float_to_half(f);
    bytes.push_back(char(h & 0xff));
    bytes.push_back(char(h >> 8));
  }
  p->set_float16value(bytes);
}

void set_lstm_weights(pb::LSTMWeightParams* p, const LstmWeightsSpec& w, const Config& c) {
  const bool h = c.fp16_weights;
  set_values(p->mutable_inputgateweightmatrix(), w.W[GI], h);
  set_values(p->mutable_forgetgateweightmatrix(), w.W[GF], h);
  set_values(p->mutable_blockinputweightmatrix(), w.W[GZ], h);
  set_values(p->mutable_outputgateweightmatrix(), w.W[GO], h);
  set_values(p->mutable_inputgaterecursionmatrix(), w.R[GI], h);
  set_values(p->mutable_forgetgaterecursionmatrix(), w.R[GF], h);
  set_values(p->mutable_blockinputrecursionmatrix(), w.R[GZ], h);
  set_values(p->mutable_outputgaterecursionmatrix(), w.R[GO], h);
  if (c.bias) {
    set_values(p->mutable_inputgatebiasvector(), w.b[GI], h);
    set_values(p->mutable_forgetgatebiasvector(), w.b[GF], h);
    set_values(p->mutable_blockinputbiasvector(), w.b[GZ], h);
    set_values(p->mutable_outputgatebiasvector(), w.b[GO], h);
  }
  if (c.peephole) {
    set_values(p->mutable_inputgatepeepholevector(), w.p[0], h);
    set_values(p->mutable_forgetgatepeepholevector(), w.p[1], h);
    set_values(p->mutable_outputgatepeepholevector(), w.p[2], h);
  }
}

void set_activation(pb::ActivationLayerParams* a, const std::string& name) {
  if (name == "sigmoid") a->mutable_sigmoid();
  else if (name == "tanh") a->mutable_tanh();
  else if (name == "relu") a->mutable_relu();
  else if (name == "linear") a->mutable_linear();            // parameterless, as coremltools writes it
  else if (name == "sigmoidHard") a->mutable_sigmoidhard();  // likewise
  else if (name == "scaledTanh") a->mutable_scaledtanh();
  else if (name == "ELU") a->mutable_elu()->set_alpha(1.0f);
  else ADD_FAILURE() << "no activation " << name;
}

void set_params(pb::LSTMParams* p, const Config& c) {
  p->set_sequenceoutput(c.sequence_output);
  p->set_hasbiasvectors(c.bias);
  p->set_forgetbias(c.forget_bias);
  p->set_haspeepholevectors(c.peephole);
  p->set_coupledinputandforgetgate(c.coupled);
  p->set_cellclipthreshold(c.cell_clip);
}

void add_array(pb::FeatureDescription* f, const std::string& name, const Dims& shape) {
  f->set_name(name);
  auto* a = f->mutable_type()->mutable_multiarraytype();
  for (int64_t d : shape) a->add_shape(d);
  a->set_datatype(pb::ArrayFeatureType::FLOAT32);
}

// A one-layer NeuralNetwork model: inputs x [S, B, I, 1, 1] and the initial states, outputs y and
// the final states. Returns the written .mlmodel path.
std::string write_model(const pb::Model& m, const std::string& tag) {
  const auto dir = test::scratch_dir(tag);
  const std::string path = (dir / "lstm.mlmodel").string();
  std::ofstream out(path, std::ios::binary);
  EXPECT_TRUE(m.SerializeToOstream(&out));
  return path;
}

pb::Model uni_model(const Config& c, const LstmWeightsSpec& w) {
  pb::Model m;
  m.set_specificationversion(4);
  auto* d = m.mutable_description();
  add_array(d->add_input(), "x", {c.S, c.B, c.I, 1, 1});
  if (c.initial_state) {
    add_array(d->add_input(), "h_in", {1, c.B, c.H, 1, 1});
    add_array(d->add_input(), "c_in", {1, c.B, c.H, 1, 1});
  }
  add_array(d->add_output(), "y", {c.sequence_output ? c.S : 1, c.B, c.H, 1, 1});
  add_array(d->add_output(), "h_out", {1, c.B, c.H, 1, 1});
  add_array(d->add_output(), "c_out", {1, c.B, c.H, 1, 1});
  auto* layer = m.mutable_neuralnetwork()->add_layers();
  layer->set_name("lstm");
  layer->add_input("x");
  if (c.initial_state) {
    layer->add_input("h_in");
    layer->add_input("c_in");
  }
  for (const char* o : {"y", "h_out", "c_out"}) layer->add_output(o);
  auto* u = layer->mutable_unidirectionallstm();
  u->set_inputvectorsize(uint64_t(c.I));
  u->set_outputvectorsize(uint64_t(c.H));
  for (const auto& a : c.acts) set_activation(u->add_activations(), a);
  set_params(u->mutable_params(), c);
  set_lstm_weights(u->mutable_weightparams(), w, c);
  u->set_reverseinput(c.reverse);
  return m;
}

pb::Model bi_model(const Config& c, const LstmWeightsSpec& fwd, const LstmWeightsSpec& back) {
  pb::Model m;
  m.set_specificationversion(4);
  auto* d = m.mutable_description();
  add_array(d->add_input(), "x", {c.S, c.B, c.I, 1, 1});
  const char* states_in[4] = {"h_f", "c_f", "h_b", "c_b"};
  for (const char* s : states_in) add_array(d->add_input(), s, {1, c.B, c.H, 1, 1});
  add_array(d->add_output(), "y", {c.sequence_output ? c.S : 1, c.B, 2 * c.H, 1, 1});
  const char* states_out[4] = {"h_f_out", "c_f_out", "h_b_out", "c_b_out"};
  for (const char* s : states_out) add_array(d->add_output(), s, {1, c.B, c.H, 1, 1});
  auto* layer = m.mutable_neuralnetwork()->add_layers();
  layer->set_name("bilstm");
  layer->add_input("x");
  for (const char* s : states_in) layer->add_input(s);
  layer->add_output("y");
  for (const char* s : states_out) layer->add_output(s);
  auto* p = layer->mutable_bidirectionallstm();
  p->set_inputvectorsize(uint64_t(c.I));
  p->set_outputvectorsize(uint64_t(c.H));
  for (const auto& a : c.acts) set_activation(p->add_activationsforwardlstm(), a);
  for (const auto& a : c.acts) set_activation(p->add_activationsbackwardlstm(), a);
  set_params(p->mutable_params(), c);
  set_lstm_weights(p->add_weightparams(), fwd, c);
  set_lstm_weights(p->add_weightparams(), back, c);
  return m;
}

Tensor floats(Dims shape, std::vector<float> v) { return Tensor::from_floats(ir::DType::Float32, std::move(shape), std::move(v)); }

void expect_near(const Tensor& got, const std::vector<double>& want, double tol, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got.floats()[i], want[i], tol) << what << " [" << i << "]";
}

struct UniRun {
  RunResult result;
  RefResult ref;
  std::vector<float> x, h0, c0;
  LstmWeightsSpec w;
};

UniRun run_uni(const Config& c, uint32_t seed, const std::string& tag) {
  std::mt19937 rng(seed);
  UniRun u;
  u.w = random_weights(c, rng);
  u.x = randoms(size_t(c.S * c.B * c.I), rng, 1.0f);
  u.h0 = c.initial_state ? randoms(size_t(c.B * c.H), rng) : std::vector<float>(size_t(c.B * c.H), 0.0f);
  u.c0 = c.initial_state ? randoms(size_t(c.B * c.H), rng) : std::vector<float>(size_t(c.B * c.H), 0.0f);
  ir::Model model = format::open(write_model(uni_model(c, u.w), tag));
  RunInputs in = {{"x", floats({c.S, c.B, c.I, 1, 1}, u.x)}};
  if (c.initial_state) {
    in["h_in"] = floats({1, c.B, c.H, 1, 1}, u.h0);
    in["c_in"] = floats({1, c.B, c.H, 1, 1}, u.c0);
  }
  u.result = Interpreter(NumericProfile::builtin("fp32")).run(model, in, {});
  u.ref = reference(c, c.fp16_weights ? rounded_to_half(u.w) : u.w, u.x, u.h0, u.c0);
  return u;
}

void check_uni(const Config& c, uint32_t seed, const std::string& tag) {
  const UniRun u = run_uni(c, seed, tag);
  const Tensor& y = std::get<Tensor>(u.result.outputs.at("y"));
  EXPECT_EQ(y.shape(), (Dims{c.sequence_output ? c.S : 1, c.B, c.H, 1, 1}));
  expect_near(y, u.ref.y, 2e-5, "y");
  const Tensor& h = std::get<Tensor>(u.result.outputs.at("h_out"));
  const Tensor& cell = std::get<Tensor>(u.result.outputs.at("c_out"));
  EXPECT_EQ(h.shape(), (Dims{1, c.B, c.H, 1, 1}));
  expect_near(h, u.ref.h, 2e-5, "h_out");
  expect_near(cell, u.ref.c, 2e-5, "c_out");
}

TEST(NnLstm, UniDirectionalMatchesTheSpecEquations) {
  Config c;
  check_uni(c, 1, "nn_lstm_plain");
}

TEST(NnLstm, UniDirectionalFinalOutputOnly) {
  Config c;
  c.sequence_output = false;
  check_uni(c, 2, "nn_lstm_final");
}

TEST(NnLstm, UniDirectionalPeepholesAndForgetBias) {
  for (bool seq : {true, false}) {
    Config c;
    c.peephole = true;
    c.forget_bias = true;
    c.sequence_output = seq;
    SCOPED_TRACE(seq ? "sequenceOutput" : "final output");
    check_uni(c, 3, "nn_lstm_peep");
  }
}

TEST(NnLstm, UniDirectionalReverseInputKeepsTimeIndices) {
  for (bool seq : {true, false}) {
    Config c;
    c.reverse = true;
    c.peephole = true;
    c.sequence_output = seq;
    SCOPED_TRACE(seq ? "sequenceOutput" : "final output");
    check_uni(c, 4, "nn_lstm_reverse");
  }
}

TEST(NnLstm, UniDirectionalCoupledGateCellClipAndNoBias) {
  Config c;
  c.coupled = true;
  c.cell_clip = 0.3f;  // small enough to bite
  c.bias = false;
  c.forget_bias = true;
  c.initial_state = false;  // states default to zeros
  check_uni(c, 5, "nn_lstm_coupled");
}

TEST(NnLstm, UniDirectionalOtherActivations) {
  const std::vector<std::array<std::string, 3>> sets = {
      {"sigmoidHard", "relu", "linear"}, {"sigmoid", "scaledTanh", "tanh"}, {"sigmoidHard", "linear", "relu"}};
  uint32_t seed = 6;
  for (const auto& a : sets) {
    Config c;
    c.acts = a;
    c.peephole = true;
    SCOPED_TRACE(a[0] + "/" + a[1] + "/" + a[2]);
    check_uni(c, seed++, "nn_lstm_acts");
  }
}

TEST(NnLstm, Float16WeightsAreDecoded) {
  Config c;
  c.fp16_weights = true;
  c.peephole = true;
  check_uni(c, 9, "nn_lstm_fp16");
}

// The same weights through the MIL lstm kernel: gates packed i, f, o, z (forgetBias folded into
// the forget bias, peepholes i, f, o), x as [T, B, I], states [B, H].
TEST(NnLstm, UniDirectionalAgreesWithTheMilLstmKernel) {
  for (bool reverse : {false, true}) {
    Config c;
    c.peephole = true;
    c.forget_bias = true;
    c.reverse = reverse;
    const UniRun u = run_uni(c, 10, "nn_lstm_vs_mil");
    const int64_t H = c.H, I = c.I;
    const int order[4] = {GI, GF, GO, GZ};
    std::vector<float> wih, whh, bias, peep;
    for (int g : order) {
      wih.insert(wih.end(), u.w.W[size_t(g)].begin(), u.w.W[size_t(g)].end());
      whh.insert(whh.end(), u.w.R[size_t(g)].begin(), u.w.R[size_t(g)].end());
      for (int64_t k = 0; k < H; ++k) bias.push_back(u.w.b[size_t(g)][size_t(k)] + (g == GF ? 1.0f : 0.0f));
    }
    for (const auto& p : u.w.p) peep.insert(peep.end(), p.begin(), p.end());
    test::ProgramBuilder p;
    auto xv = p.input("x", ir::Type::tensor(ir::DType::Float32, ir::Shape{c.S, c.B, I}));
    auto h0 = p.input("h0", ir::Type::tensor(ir::DType::Float32, ir::Shape{c.B, H}));
    auto c0 = p.input("c0", ir::Type::tensor(ir::DType::Float32, ir::Shape{c.B, H}));
    using PB = test::ProgramBuilder;
    auto cst = [](std::vector<float> v, ir::Shape s) { return PB::lit(ir::Constant::from_floats(v, s)); };
    auto outs = p.op("lstm", "mil_lstm",
                     {test::in("x", PB::ref(xv)), test::in("initial_h", PB::ref(h0)), test::in("initial_c", PB::ref(c0)),
                      test::in("weight_ih", cst(wih, ir::Shape{4 * H, I})), test::in("weight_hh", cst(whh, ir::Shape{4 * H, H})),
                      test::in("bias", cst(bias, ir::Shape{4 * H})), test::in("peephole", cst(peep, ir::Shape{3 * H})),
                      test::in("direction", PB::lit(ir::Constant::from_string(reverse ? "reverse" : "forward"))),
                      test::in("output_sequence", PB::lit(ir::Constant::from_bool(true)))},
                     {ir::Type::tensor(ir::DType::Float32, ir::Shape{c.S, c.B, H}), ir::Type::tensor(ir::DType::Float32, ir::Shape{c.B, H}),
                      ir::Type::tensor(ir::DType::Float32, ir::Shape{c.B, H})});
    p.output(outs[0]);
    p.output(outs[2]);
    RunResult mil = Interpreter(NumericProfile::builtin("fp32"))
                        .run(p.model(), {{"x", floats({c.S, c.B, I}, u.x)}, {"h0", floats({c.B, H}, u.h0)}, {"c0", floats({c.B, H}, u.c0)}}, {});
    const Tensor& ymil = std::get<Tensor>(mil.outputs.at("mil_lstm"));
    const Tensor& cmil = std::get<Tensor>(mil.outputs.at("mil_lstm_2"));
    const Tensor& ynn = std::get<Tensor>(u.result.outputs.at("y"));
    const Tensor& cnn = std::get<Tensor>(u.result.outputs.at("c_out"));
    ASSERT_EQ(ymil.size(), ynn.size());
    for (size_t i = 0; i < ynn.size(); ++i) EXPECT_NEAR(ynn.floats()[i], ymil.floats()[i], 1e-6) << (reverse ? "reverse " : "") << i;
    for (size_t i = 0; i < cnn.size(); ++i) EXPECT_NEAR(cnn.floats()[i], cmil.floats()[i], 1e-6) << i;
  }
}

TEST(NnLstm, BiDirectionalConcatenatesForwardThenBackwardPerTimeStep) {
  for (bool seq : {true, false}) {
    SCOPED_TRACE(seq ? "sequenceOutput" : "final output");
    Config c;
    c.sequence_output = seq;
    c.peephole = true;
    std::mt19937 rng(11);
    const LstmWeightsSpec fw = random_weights(c, rng), bw = random_weights(c, rng);
    const std::vector<float> x = randoms(size_t(c.S * c.B * c.I), rng, 1.0f);
    std::vector<std::vector<float>> st;
    for (int i = 0; i < 4; ++i) st.push_back(randoms(size_t(c.B * c.H), rng));
    ir::Model model = format::open(write_model(bi_model(c, fw, bw), "nn_bilstm"));
    RunInputs in = {{"x", floats({c.S, c.B, c.I, 1, 1}, x)}};
    const char* names[4] = {"h_f", "c_f", "h_b", "c_b"};
    for (int i = 0; i < 4; ++i) in[names[i]] = floats({1, c.B, c.H, 1, 1}, st[size_t(i)]);
    RunResult r = Interpreter(NumericProfile::builtin("fp32")).run(model, in, {});

    const RefResult f = reference(c, fw, x, st[0], st[1]);
    Config back = c;
    back.reverse = true;
    const RefResult b = reference(back, bw, x, st[2], st[3]);
    const Tensor& y = std::get<Tensor>(r.outputs.at("y"));
    const int64_t T = seq ? c.S : 1, H = c.H;
    ASSERT_EQ(y.shape(), (Dims{T, c.B, 2 * H, 1, 1}));
    // y[t] = [yf_t, yb_t]: the backward output at time index t has seen x_T .. x_t.
    for (int64_t t = 0; t < T; ++t)
      for (int64_t bb = 0; bb < c.B; ++bb)
        for (int64_t k = 0; k < H; ++k) {
          EXPECT_NEAR(y.floats()[size_t((t * c.B + bb) * 2 * H + k)], f.y[size_t((t * c.B + bb) * H + k)], 2e-5) << t << "," << bb << "," << k;
          EXPECT_NEAR(y.floats()[size_t((t * c.B + bb) * 2 * H + H + k)], b.y[size_t((t * c.B + bb) * H + k)], 2e-5) << t << "," << bb << "," << k;
        }
    if (!seq) {
      // Final output: the forward LSTM after x_T, the backward one after x_1.
      expect_near(y, [&] {
        std::vector<double> v;
        for (int64_t bb = 0; bb < c.B; ++bb) {
          v.insert(v.end(), f.h.begin() + bb * H, f.h.begin() + (bb + 1) * H);
          v.insert(v.end(), b.h.begin() + bb * H, b.h.begin() + (bb + 1) * H);
        }
        return v;
      }(), 2e-5, "final y");
    }
    expect_near(std::get<Tensor>(r.outputs.at("h_f_out")), f.h, 2e-5, "h_f_out");
    expect_near(std::get<Tensor>(r.outputs.at("c_f_out")), f.c, 2e-5, "c_f_out");
    expect_near(std::get<Tensor>(r.outputs.at("h_b_out")), b.h, 2e-5, "h_b_out");
    expect_near(std::get<Tensor>(r.outputs.at("c_b_out")), b.c, 2e-5, "c_b_out");
  }
}

// --- parsing: field numbers, IR attributes, shape inference, --list-unsupported ---------------

TEST(NnLstm, ProtoFieldNumbersMatchCoreMlNeuralNetworkProto) {
  auto num = [](const google::protobuf::Descriptor* d, const char* f) {
    const auto* fd = d->FindFieldByName(f);
    return fd ? fd->number() : -1;
  };
  const auto* layer = pb::NeuralNetworkLayer::descriptor();
  EXPECT_EQ(num(layer, "uniDirectionalLSTM"), 420);
  EXPECT_EQ(num(layer, "biDirectionalLSTM"), 430);
  const auto* u = pb::UniDirectionalLSTMLayerParams::descriptor();
  EXPECT_EQ(num(u, "inputVectorSize"), 1);
  EXPECT_EQ(num(u, "outputVectorSize"), 2);
  EXPECT_EQ(num(u, "activations"), 10);
  EXPECT_EQ(num(u, "params"), 15);
  EXPECT_EQ(num(u, "weightParams"), 20);
  EXPECT_EQ(num(u, "reverseInput"), 100);
  const auto* b = pb::BiDirectionalLSTMLayerParams::descriptor();
  EXPECT_EQ(num(b, "inputVectorSize"), 1);
  EXPECT_EQ(num(b, "outputVectorSize"), 2);
  EXPECT_EQ(num(b, "activationsForwardLSTM"), 10);
  EXPECT_EQ(num(b, "activationsBackwardLSTM"), 11);
  EXPECT_EQ(num(b, "params"), 15);
  EXPECT_EQ(num(b, "weightParams"), 20);
  EXPECT_TRUE(b->FindFieldByName("weightParams")->is_repeated());
  const auto* p = pb::LSTMParams::descriptor();
  EXPECT_EQ(num(p, "sequenceOutput"), 10);
  EXPECT_EQ(num(p, "hasBiasVectors"), 20);
  EXPECT_EQ(num(p, "forgetBias"), 30);
  EXPECT_EQ(num(p, "hasPeepholeVectors"), 40);
  EXPECT_EQ(num(p, "coupledInputAndForgetGate"), 50);
  EXPECT_EQ(num(p, "cellClipThreshold"), 60);
  const auto* w = pb::LSTMWeightParams::descriptor();
  const std::pair<const char*, int> wf[] = {
      {"inputGateWeightMatrix", 1},     {"forgetGateWeightMatrix", 2},     {"blockInputWeightMatrix", 3},
      {"outputGateWeightMatrix", 4},    {"inputGateRecursionMatrix", 20},  {"forgetGateRecursionMatrix", 21},
      {"blockInputRecursionMatrix", 22}, {"outputGateRecursionMatrix", 23}, {"inputGateBiasVector", 40},
      {"forgetGateBiasVector", 41},     {"blockInputBiasVector", 42},      {"outputGateBiasVector", 43},
      {"inputGatePeepholeVector", 60},  {"forgetGatePeepholeVector", 61},  {"outputGatePeepholeVector", 62}};
  for (const auto& [name, n] : wf) EXPECT_EQ(num(w, name), n) << name;
  EXPECT_EQ(w->field_count(), 15);
  // ActivationParams members used by recurrent layers.
  const auto* a = pb::ActivationLayerParams::descriptor();
  EXPECT_EQ(num(a, "linear"), 5);
  EXPECT_EQ(num(a, "ReLU"), 10);
  EXPECT_EQ(num(a, "tanh"), 30);
  EXPECT_EQ(num(a, "scaledTanh"), 31);
  EXPECT_EQ(num(a, "sigmoid"), 40);
  EXPECT_EQ(num(a, "sigmoidHard"), 41);
}

TEST(NnLstm, ParsedLayerCarriesShapedWeightsAndInferredOutputShapes) {
  Config c;
  c.peephole = true;
  c.sequence_output = false;
  std::mt19937 rng(12);
  const LstmWeightsSpec w = random_weights(c, rng);
  ir::Model model = format::open(write_model(uni_model(c, w), "nn_lstm_parse"));
  const ir::Function* fn = model.main_function();
  ASSERT_NE(fn, nullptr);
  ASSERT_EQ(fn->ops.size(), 1u);
  const ir::Op& op = fn->ops[0];
  EXPECT_EQ(op.qualified_type(), "nn.uniDirectionalLSTM");
  const ir::Constant* wi = op.attribute_value("weightParams.inputGateWeightMatrix");
  ASSERT_NE(wi, nullptr);
  EXPECT_EQ(wi->type.shape, (ir::Shape{c.H, c.I}));
  const ir::Constant* ro = op.attribute_value("weightParams.outputGateRecursionMatrix");
  ASSERT_NE(ro, nullptr);
  EXPECT_EQ(ro->type.shape, (ir::Shape{c.H, c.H}));
  const ir::Constant* pf = op.attribute_value("weightParams.forgetGatePeepholeVector");
  ASSERT_NE(pf, nullptr);
  EXPECT_EQ(pf->type.shape, (ir::Shape{c.H}));
  ASSERT_NE(op.attribute_value("activations.0.sigmoid"), nullptr);
  ASSERT_NE(op.attribute_value("activations.2.tanh"), nullptr);
  ASSERT_NE(op.attribute_value("params.hasPeepholeVectors"), nullptr);
  ASSERT_EQ(op.outputs.size(), 3u);
  EXPECT_EQ(fn->value(op.outputs[0]).type.shape, (ir::Shape{1, c.B, c.H, 1, 1}));
  EXPECT_EQ(fn->value(op.outputs[1]).type.shape, (ir::Shape{1, c.B, c.H, 1, 1}));
  EXPECT_EQ(fn->value(op.outputs[2]).type.shape, (ir::Shape{1, c.B, c.H, 1, 1}));
  EXPECT_TRUE(list_unsupported(model).empty());

  std::mt19937 rng2(13);
  const LstmWeightsSpec w2 = random_weights(c, rng2);
  Config s = c;
  s.sequence_output = true;
  ir::Model bi = format::open(write_model(bi_model(s, w, w2), "nn_bilstm_parse"));
  const ir::Op& bop = bi.main_function()->ops[0];
  EXPECT_EQ(bop.qualified_type(), "nn.biDirectionalLSTM");
  ASSERT_NE(bop.attribute_value("weightParams.1.blockInputWeightMatrix"), nullptr);
  EXPECT_EQ(bop.attribute_value("weightParams.1.blockInputWeightMatrix")->type.shape, (ir::Shape{c.H, c.I}));
  ASSERT_EQ(bop.outputs.size(), 5u);
  EXPECT_EQ(bi.main_function()->value(bop.outputs[0]).type.shape, (ir::Shape{c.S, c.B, 2 * c.H, 1, 1}));
  EXPECT_EQ(bi.main_function()->value(bop.outputs[4]).type.shape, (ir::Shape{1, c.B, c.H, 1, 1}));
  EXPECT_TRUE(list_unsupported(bi).empty());
}

TEST(NnLstm, CliListsNoUnsupportedLayers) {
  Config c;
  std::mt19937 rng(14);
  const LstmWeightsSpec f = random_weights(c, rng), b = random_weights(c, rng);
  for (const auto& path : {write_model(uni_model(c, f), "nn_lstm_cli_uni"), write_model(bi_model(c, f, b), "nn_lstm_cli_bi")}) {
    std::string out;
    EXPECT_EQ(test::run_command(test::cli_path().string() + " run --list-unsupported " + path, &out), 0) << out;
    EXPECT_EQ(out.find("LSTM"), std::string::npos) << out;
    EXPECT_NE(out.find("0 op(s) without a kernel"), std::string::npos) << out;
  }
}

TEST(NnLstm, CostCountsGateMacsAndNestedWeights) {
  Config c;
  c.peephole = true;
  std::mt19937 rng(16);
  const LstmWeightsSpec f = random_weights(c, rng), b = random_weights(c, rng);
  const uint64_t per_dir_macs = uint64_t(c.S * c.B * 4 * c.H * (c.I + c.H));
  const uint64_t per_dir_bytes = uint64_t(4 * c.H * c.I + 4 * c.H * c.H + 4 * c.H + 3 * c.H) * 4;
  analysis::CostReport uni = analysis::analyze_cost(format::open(write_model(uni_model(c, f), "nn_lstm_cost")));
  ASSERT_EQ(uni.ops.size(), 1u);
  EXPECT_TRUE(uni.ops[0].known) << uni.ops[0].unknown_reason;
  EXPECT_EQ(uni.ops[0].macs, per_dir_macs);
  EXPECT_EQ(uni.ops[0].weight_bytes, per_dir_bytes);
  analysis::CostReport bi = analysis::analyze_cost(format::open(write_model(bi_model(c, f, b), "nn_bilstm_cost")));
  ASSERT_EQ(bi.ops.size(), 1u);
  EXPECT_EQ(bi.ops[0].macs, 2 * per_dir_macs);
  EXPECT_EQ(bi.ops[0].weight_bytes, 2 * per_dir_bytes);
}

// --- bad input: errors at the layer, naming it and what is wrong ---------------------------------

void expect_layer_error(const pb::Model& m, const std::string& tag, const std::string& layer, const std::vector<std::string>& needles,
                        const Config& c) {
  ir::Model model = format::open(write_model(m, tag));
  RunInputs in = {{"x", floats({c.S, c.B, c.I, 1, 1}, std::vector<float>(size_t(c.S * c.B * c.I), 0.5f))}};
  for (const auto& f : model.inputs)
    if (f.name != "x") in[f.name] = floats({1, c.B, c.H, 1, 1}, std::vector<float>(size_t(c.B * c.H), 0.0f));
  try {
    Interpreter(NumericProfile::builtin("fp32")).run(model, in, {});
    ADD_FAILURE() << tag << ": expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where().op, layer) << e.what();
    for (const auto& n : needles) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << tag << ": '" << n << "' not in: " << e.what();
  }
}

TEST(NnLstm, BadWeightsAreErrorsNamingTheLayer) {
  Config c;
  std::mt19937 rng(15);
  LstmWeightsSpec w = random_weights(c, rng);
  {  // W_i one column short of inputVectorSize
    LstmWeightsSpec bad = w;
    bad.W[GI].resize(size_t(c.H * (c.I - 1)));
    expect_layer_error(uni_model(c, bad), "nn_lstm_bad_w", "lstm", {"uniDirectionalLSTM", "inputGateWeightMatrix", "expected [4, 3]"}, c);
  }
  {  // recursion matrix sized for another outputVectorSize
    LstmWeightsSpec bad = w;
    bad.R[GO].resize(size_t(c.H * c.H + 1));
    expect_layer_error(uni_model(c, bad), "nn_lstm_bad_r", "lstm", {"outputGateRecursionMatrix", "expected [4, 4]"}, c);
  }
  {  // hasBiasVectors without a bias vector
    pb::Model m = uni_model(c, w);
    m.mutable_neuralnetwork()->mutable_layers(0)->mutable_unidirectionallstm()->mutable_weightparams()->clear_blockinputbiasvector();
    expect_layer_error(m, "nn_lstm_no_bias", "lstm", {"missing weights", "blockInputBiasVector"}, c);
  }
  {  // hasPeepholeVectors without peepholes
    pb::Model m = uni_model(c, w);
    m.mutable_neuralnetwork()->mutable_layers(0)->mutable_unidirectionallstm()->mutable_params()->set_haspeepholevectors(true);
    expect_layer_error(m, "nn_lstm_no_peep", "lstm", {"missing weights", "inputGatePeepholeVector"}, c);
  }
  {  // inputVectorSize that does not match x
    pb::Model m = uni_model(c, w);
    m.mutable_neuralnetwork()->mutable_layers(0)->mutable_unidirectionallstm()->set_inputvectorsize(7);
    expect_layer_error(m, "nn_lstm_bad_in", "lstm", {"uniDirectionalLSTM", "inputVectorSize is 7"}, c);
  }
  {  // an activation the spec does not allow in recurrent layers
    pb::Model m = uni_model(c, w);
    set_activation(m.mutable_neuralnetwork()->mutable_layers(0)->mutable_unidirectionallstm()->mutable_activations(1), "ELU");
    expect_layer_error(m, "nn_lstm_elu", "lstm", {"uniDirectionalLSTM", "'ELU'", "not supported"}, c);
  }
  {  // two activations instead of three
    pb::Model m = uni_model(c, w);
    m.mutable_neuralnetwork()->mutable_layers(0)->mutable_unidirectionallstm()->mutable_activations()->RemoveLast();
    expect_layer_error(m, "nn_lstm_two_acts", "lstm", {"holds 2 activations"}, c);
  }
  {  // bidirectional layer with only the forward weights
    pb::Model m = bi_model(c, w, w);
    m.mutable_neuralnetwork()->mutable_layers(0)->mutable_bidirectionallstm()->mutable_weightparams()->RemoveLast();
    expect_layer_error(m, "nn_bilstm_one_dir", "bilstm", {"biDirectionalLSTM", "2 weightParams"}, c);
  }
  {  // initial state of the wrong size (declared so, so that the input check lets it through)
    pb::Model m = uni_model(c, w);
    m.mutable_description()->mutable_input(1)->mutable_type()->mutable_multiarraytype()->set_shape(2, c.H + 1);
    ir::Model model = format::open(write_model(m, "nn_lstm_bad_state"));
    RunInputs in = {{"x", floats({c.S, c.B, c.I, 1, 1}, std::vector<float>(size_t(c.S * c.B * c.I), 0.5f))},
                    {"h_in", floats({1, c.B, c.H + 1, 1, 1}, std::vector<float>(size_t(c.B * (c.H + 1)), 0.0f))},
                    {"c_in", floats({1, c.B, c.H, 1, 1}, std::vector<float>(size_t(c.B * c.H), 0.0f))}};
    try {
      Interpreter(NumericProfile::builtin("fp32")).run(model, in, {});
      ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
      EXPECT_EQ(e.where().op, "lstm");
      EXPECT_NE(std::string(e.what()).find("h_in"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
