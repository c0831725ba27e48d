// The quantization what-if: spec parsing (errors name the token and column) and the fake-quant
// arithmetic against values computed by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "core/compare/what_if.h"
#include "core/util/error.h"

using namespace mlscope;
using namespace mlscope::compare;

TEST(WhatIfSpec, ParsesEveryForm) {
  WhatIfSpec s = WhatIfSpec::parse("weights=int8:per_channel");
  EXPECT_EQ(s.weights.kind, WeightQuant::Kind::Linear);
  EXPECT_EQ(s.weights.bits, 8);
  EXPECT_EQ(s.weights.granularity, WeightQuant::Granularity::PerChannel);
  EXPECT_FALSE(s.activations);

  s = WhatIfSpec::parse("weights=int4:per_block:32,activations=int8:per_tensor,calibration=3");
  EXPECT_EQ(s.weights.bits, 4);
  EXPECT_EQ(s.weights.granularity, WeightQuant::Granularity::PerBlock);
  EXPECT_EQ(s.weights.block_size, 32);
  EXPECT_TRUE(s.activations);
  EXPECT_EQ(s.calibration, 3);

  s = WhatIfSpec::parse("weights=lut:4");
  EXPECT_EQ(s.weights.kind, WeightQuant::Kind::Lut);
  EXPECT_EQ(s.weights.bits, 4);

  s = WhatIfSpec::parse("quantization=bypass");
  EXPECT_TRUE(s.bypass_quantization);
  EXPECT_EQ(s.weights.kind, WeightQuant::Kind::None);

  for (const char* t : {"weights=int8:per_tensor", "weights=int4:per_block:16,activations=int8:per_tensor,calibration=4",
                        "weights=lut:6,quantization=bypass", "activations=int8:per_tensor,calibration=8,calibration_seed=5"}) {
    EXPECT_EQ(WhatIfSpec::parse(t).text(), t);
  }
}

TEST(WhatIfSpec, BadTokensAreNamedWithTheirColumn) {
  struct Case {
    const char* spec;
    int column;
    const char* token;
  };
  for (const Case& c : {Case{"weights=int3x:per_channel", 1, "weights=int3x:per_channel"},
                        Case{"weights=int8:per_channel,activations=int4:per_tensor", 26, "activations=int4:per_tensor"},
                        Case{"weights=int8", 1, "weights=int8"},
                        Case{"weights=int8:per_block", 1, "weights=int8:per_block"},
                        Case{"weights=int8:per_block:0", 1, "weights=int8:per_block:0"},
                        Case{"weights=lut:9", 1, "weights=lut:9"},
                        Case{"weights=int8:per_row", 1, "weights=int8:per_row"},
                        Case{"quantization=off", 1, "quantization=off"},
                        Case{"weights=int8:per_tensor,,quantization=bypass", 25, ""},
                        Case{"colour=red", 1, "colour=red"},
                        Case{"quantization=bypass,quantization=bypass", 21, "quantization=bypass"},
                        Case{"activations=int8:per_tensor,calibration=-2", 29, "calibration=-2"}}) {
    try {
      WhatIfSpec::parse(c.spec);
      ADD_FAILURE() << c.spec << " parsed";
    } catch (const Error& e) {
      EXPECT_EQ(e.where().column, c.column) << c.spec << ": " << e.what();
      EXPECT_NE(e.message().find(std::string("'") + c.token + "'"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("what-if spec"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(WhatIfSpec::parse(""), Error);
  EXPECT_THROW(WhatIfSpec::parse("calibration=4"), Error);  // calibration without activations
}

TEST(WhatIfQuant, LinearRoundTripEqualsHandComputedValues) {
  // int4 per tensor: max |w| = 7 → scale 1, q = round-half-even(w), clamped to ±7.
  std::vector<float> w = {7.0f, -3.5f, 1.0f, 2.4f, -2.5f, 0.5f};
  fake_quantize_linear(w, {6}, 4, WeightQuant::Granularity::PerTensor, 0, 1, 0);
  EXPECT_EQ(w, (std::vector<float>{7, -4, 1, 2, -2, 0}));

  // int4 per channel (axis 0) of a [2, 3] weight: row 0 max 1.75 → scale 0.25; row 1 max 14 → scale 2.
  std::vector<float> pc = {1.75f, 0.625f, -0.375f, 14.0f, 5.0f, -1.0f};
  fake_quantize_linear(pc, {2, 3}, 4, WeightQuant::Granularity::PerChannel, 0, 1, 0);
  // 0.625 / 0.25 = 2.5 → 2 (half to even) → 0.5;  -0.375 / 0.25 = -1.5 → -2 → -0.5
  // 5 / 2 = 2.5 → 2 → 4;  -1 / 2 = -0.5 → -0 → 0
  const std::vector<float> want = {1.75f, 0.5f, -0.5f, 14.0f, 4.0f, 0.0f};
  ASSERT_EQ(pc.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_FLOAT_EQ(pc[i], want[i]) << i;

  // int8 per block of 2 input channels in a [1, 4] weight: blocks {8, 1} and {0.5, -0.25}.
  std::vector<float> pb = {8.0f, 1.0f, 0.5f, -0.2f};
  fake_quantize_linear(pb, {1, 4}, 8, WeightQuant::Granularity::PerBlock, 0, 1, 2);
  // block 0: scale 8/127, 1 → 1·127/8 = 15.875 → 16 → 16·8/127; block 1: scale 0.5/127, -0.2 → -50.8 → -51
  EXPECT_FLOAT_EQ(pb[0], 8.0f);
  EXPECT_FLOAT_EQ(pb[1], 16.0f * (8.0f / 127.0f));
  EXPECT_FLOAT_EQ(pb[2], 0.5f);
  EXPECT_FLOAT_EQ(pb[3], -51.0f * (0.5f / 127.0f));

  // An all-zero channel stays zero (no division by a zero scale).
  std::vector<float> z = {0, 0, 3, -3};
  fake_quantize_linear(z, {2, 2}, 8, WeightQuant::Granularity::PerChannel, 0, 1, 0);
  EXPECT_EQ(z, (std::vector<float>{0, 0, 3, -3}));
}

TEST(WhatIfQuant, PalettizationUsesKMeansCenters) {
  // Two well separated clusters with 1 bit: the centers are the cluster means.
  std::vector<float> w = {0.0f, 1.0f, 2.0f, 10.0f, 11.0f, 12.0f, 1.0f};
  const std::vector<float> lut = fake_palettize(w, 1);
  ASSERT_EQ(lut.size(), 2u);
  EXPECT_FLOAT_EQ(lut[0], 1.0f);   // mean of 0, 1, 2, 1
  EXPECT_FLOAT_EQ(lut[1], 11.0f);  // mean of 10, 11, 12
  EXPECT_EQ(w, (std::vector<float>{1, 1, 1, 11, 11, 11, 1}));
  // No more distinct values than LUT entries: exact.
  std::vector<float> few = {3, -1, 3, 2};
  fake_palettize(few, 2);
  EXPECT_EQ(few, (std::vector<float>{3, -1, 3, 2}));
}

TEST(WhatIfQuant, ActivationRoundTripUsesCalibratedMaxAbs) {
  // max |x| = 12.7 → scale 0.1; values beyond the calibrated range clamp to 127 / -128 steps.
  std::vector<float> x = {0.26f, -0.36f, 20.0f, -20.0f, 0.0f};
  fake_quantize_activation(x, 12.7f);
  const float s = 12.7f / 127.0f;
  EXPECT_FLOAT_EQ(x[0], std::nearbyint(0.26f / s) * s);  // 2.6 → 3
  EXPECT_FLOAT_EQ(x[0], 3 * s);
  EXPECT_FLOAT_EQ(x[1], -4 * s);                          // -3.6 → -4
  EXPECT_FLOAT_EQ(x[2], 127 * s);
  EXPECT_FLOAT_EQ(x[3], -128 * s);
  EXPECT_EQ(x[4], 0.0f);
}
