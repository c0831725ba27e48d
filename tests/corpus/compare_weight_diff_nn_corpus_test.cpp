// Weight diff between a NeuralNetwork .mlmodel and weight-quantized copies of it made here: the
// convolution and innerProduct weights of corpus-gen/neuralnetwork_cnn are quantized in this
// file with the protobuf classes of our NeuralNetwork.proto subset (8-bit linear per output
// channel; a 4-bit lookup table, MSB-first packed), written as .mlmodel and opened like any
// model. The diff's errors must be the errors of the quantization computed here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>

#include "core/compare/weight_diff.h"
#include "core/format/open.h"
#include "model.pb.h"
#include "support/test_paths.h"

using namespace mlscope;
using namespace mlscope::compare;

namespace {

const std::string kModel = "corpus-gen/neuralnetwork_cnn/model.mlmodel";

pb::Model read_proto(const std::string& path) {
  pb::Model m;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(m.ParseFromIstream(&in)) << path;
  return m;
}

std::string write_proto(const pb::Model& m, const std::string& tag) {
  const std::string path = (test::scratch_dir(tag) / "model.mlmodel").string();
  std::ofstream out(path, std::ios::binary);
  EXPECT_TRUE(m.SerializeToOstream(&out));
  return path;
}

// What the test did to one weight: the dense values B should decode to, and its stored bytes.
struct Quantized {
  std::vector<float> original, decoded;
  uint64_t stored_bytes = 0;
};

// 8-bit linear per output channel (axis 0): scale = (max - min) / 255, bias = min, codes rounded.
Quantized quantize_linear8(pb::WeightParams* w, uint64_t channels) {
  Quantized q;
  q.original.assign(w->floatvalue().begin(), w->floatvalue().end());
  const size_t per = q.original.size() / channels;
  std::string codes(q.original.size(), '\0');
  auto* lin = w->mutable_quantization()->mutable_linearquantization();
  q.decoded.resize(q.original.size());
  for (size_t c = 0; c < channels; ++c) {
    const auto first = q.original.begin() + long(c * per), last = first + long(per);
    const float lo = *std::min_element(first, last), hi = *std::max_element(first, last);
    const float scale = hi > lo ? (hi - lo) / 255.0f : 1.0f;
    lin->add_scale(scale);
    lin->add_bias(lo);
    for (size_t i = c * per; i < (c + 1) * per; ++i) {
      const long code = std::clamp(std::lround((q.original[i] - lo) / scale), 0L, 255L);
      codes[i] = char(uint8_t(code));
      q.decoded[i] = scale * float(code) + lo;
    }
  }
  w->mutable_quantization()->set_numberofbits(8);
  w->clear_floatvalue();
  w->set_rawvalue(codes);
  q.stored_bytes = q.original.size() + 2 * 4 * channels;  // codes, scales, biases
  return q;
}

// 4-bit lookup table over the whole tensor: 16 evenly spaced values from min to max, nearest
// entry, two codes per byte with the first in the high nibble.
Quantized quantize_lut4(pb::WeightParams* w) {
  Quantized q;
  q.original.assign(w->floatvalue().begin(), w->floatvalue().end());
  const float lo = *std::min_element(q.original.begin(), q.original.end());
  const float hi = *std::max_element(q.original.begin(), q.original.end());
  std::vector<float> lut(16);
  for (int k = 0; k < 16; ++k) lut[size_t(k)] = lo + (hi - lo) * float(k) / 15.0f;
  std::string packed((q.original.size() + 1) / 2, '\0');
  q.decoded.resize(q.original.size());
  for (size_t i = 0; i < q.original.size(); ++i) {
    size_t best = 0;
    for (size_t k = 1; k < 16; ++k)
      if (std::fabs(lut[k] - q.original[i]) < std::fabs(lut[best] - q.original[i])) best = k;
    packed[i / 2] = char(uint8_t(packed[i / 2]) | uint8_t(i % 2 == 0 ? best << 4 : best));
    q.decoded[i] = lut[best];
  }
  auto* table = w->mutable_quantization()->mutable_lookuptablequantization();
  for (float v : lut) table->add_floatvalue(v);
  w->mutable_quantization()->set_numberofbits(4);
  w->clear_floatvalue();
  w->set_rawvalue(packed);
  q.stored_bytes = packed.size() + 16 * 4;
  return q;
}

enum class Scheme { Linear8, Lut4 };

// The model with its convolution and innerProduct weights quantized; what was done, by layer.
std::map<std::string, Quantized> quantize_copy(pb::Model& m, Scheme s) {
  std::map<std::string, Quantized> done;
  for (pb::NeuralNetworkLayer& layer : *m.mutable_neuralnetwork()->mutable_layers()) {
    pb::WeightParams* w = nullptr;
    uint64_t channels = 0;
    if (layer.has_convolution()) w = layer.mutable_convolution()->mutable_weights(), channels = layer.convolution().outputchannels();
    if (layer.has_innerproduct()) w = layer.mutable_innerproduct()->mutable_weights(), channels = layer.innerproduct().outputchannels();
    if (!w) continue;
    EXPECT_GT(w->floatvalue_size(), 0) << layer.name() << ": expected fp32 weights";
    done[layer.name()] = s == Scheme::Linear8 ? quantize_linear8(w, channels) : quantize_lut4(w);
  }
  return done;
}

std::vector<std::pair<ir::OpId, ir::OpId>> pair_by_name(const ir::Function& fa, const ir::Function& fb) {
  std::vector<std::pair<ir::OpId, ir::OpId>> pairs;
  for (size_t i = 0; i < fa.ops.size(); ++i)
    for (size_t j = 0; j < fb.ops.size(); ++j)
      if (fa.ops[i].name == fb.ops[j].name) pairs.push_back({ir::OpId(i), ir::OpId(j)});
  return pairs;
}

void expect_relative(double got, double want, const std::string& what) {
  EXPECT_NEAR(got, want, 1e-6 * std::fabs(want)) << what;
}

void check_against_quantization(Scheme scheme, const std::string& expected_scheme) {
  const std::string original = (test::shared_dir() / kModel).string();
  pb::Model proto = read_proto(original);
  const std::map<std::string, Quantized> done = quantize_copy(proto, scheme);
  ASSERT_EQ(done.size(), 3u);  // 2 convolution + 1 innerProduct layers
  const std::string copy = write_proto(proto, scheme == Scheme::Linear8 ? "weight_diff_nn_linear8" : "weight_diff_nn_lut4");

  const ir::Model a = format::open(original), b = format::open(copy);
  const ir::Function &fa = *a.main_function(), &fb = *b.main_function();
  ASSERT_EQ(fa.dialect, ir::Dialect::NeuralNetwork);
  const std::vector<WeightDiff> diffs = diff_weights(a, fa, b, fb, pair_by_name(fa, fb));
  size_t weights = 0, biases = 0;
  for (const WeightDiff& d : diffs) {
    SCOPED_TRACE(d.a_op + "." + d.param);
    ASSERT_TRUE(d.compared) << d.note;
    EXPECT_EQ(d.a_scheme, "fp32");
    EXPECT_EQ(d.a_name, d.a_op + "." + d.param);
    if (d.param == "bias") {  // left as fp32
      ++biases;
      EXPECT_TRUE(d.identical());
      EXPECT_EQ(d.b_scheme, "fp32");
      continue;
    }
    ASSERT_EQ(d.param, "weights");
    ASSERT_TRUE(done.count(d.a_op));
    ++weights;
    const Quantized& q = done.at(d.a_op);
    double aa = 0, dd = 0, max_abs = 0;
    for (size_t i = 0; i < q.original.size(); ++i) {
      const double diff = double(q.decoded[i]) - double(q.original[i]);
      aa += double(q.original[i]) * q.original[i];
      dd += diff * diff;
      max_abs = std::max(max_abs, std::fabs(diff));
    }
    EXPECT_EQ(d.elements, q.original.size());
    expect_relative(d.max_abs_error, max_abs, "max_abs_error");
    expect_relative(d.rel_error, std::sqrt(dd / aa), "rel_error");
    expect_relative(d.snr_db, 10 * std::log10(aa / dd), "snr_db");
    EXPECT_EQ(d.b_scheme, expected_scheme);
    EXPECT_EQ(d.bytes_a, q.original.size() * 4);
    EXPECT_EQ(d.bytes_b, q.stored_bytes);
  }
  EXPECT_EQ(weights, 3u);
  EXPECT_EQ(biases, 3u);
}

}  // namespace

TEST(WeightDiffNnCorpus, Linear8BitPerChannelCopy) {
  MLSCOPE_REQUIRE_SHARED();
  check_against_quantization(Scheme::Linear8, "linear uint8 per_channel");
}

TEST(WeightDiffNnCorpus, LookupTable4BitCopy) {
  MLSCOPE_REQUIRE_SHARED();
  check_against_quantization(Scheme::Lut4, "lut 4-bit per_tensor");
}
