// Foundation tests: dtypes, fp16 rounding, constant decoding incl. sub-byte packing, shapes.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/ir/constant.h"
#include "core/ir/function.h"
#include "core/util/error.h"
#include "core/util/half.h"

using namespace mlscope;
using namespace mlscope::ir;

TEST(DType, NamesRoundTrip) {
  for (DType t : {DType::Float16, DType::Float32, DType::Int8, DType::UInt4, DType::UInt6, DType::Bool}) {
    auto back = dtype_from_name(dtype_name(t));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, t);
  }
  EXPECT_FALSE(dtype_from_proto(99).has_value());
  EXPECT_EQ(dtype_from_proto(25), DType::Int4);
  EXPECT_EQ(dtype_storage_bytes(DType::UInt6, 5), 4u);  // 30 bits -> 4 bytes
  EXPECT_FALSE(dtype_storage_bytes(DType::Float64, std::numeric_limits<uint64_t>::max() / 2).has_value());
}

TEST(Half, KnownValuesAndRounding) {
  EXPECT_EQ(float_to_half(1.0f), 0x3C00);
  EXPECT_EQ(float_to_half(2.0f), 0x4000);
  EXPECT_EQ(float_to_half(-2.0f), 0xC000);
  EXPECT_EQ(float_to_half(65504.0f), 0x7BFF);
  EXPECT_EQ(float_to_half(1e6f), 0x7C00);                 // overflow -> inf
  EXPECT_EQ(float_to_half(5.960464477539063e-08f), 0x0001);  // smallest subnormal
  // 1 + 2^-11 is a tie between 1 and 1+2^-10: rounds to even (1.0).
  EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.0f, -11)), 0x3C00);
  EXPECT_EQ(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);
  for (uint32_t h = 0; h < 0x7C00; ++h) ASSERT_EQ(float_to_half(half_to_float(uint16_t(h))), h) << h;
  EXPECT_TRUE(std::isnan(half_to_float(0x7E00)));
}

TEST(Constant, SubBytePackingIsLsbFirst) {
  // int4: byte0 = (e1 << 4) | e0; values -8..7 sign-extended.
  Constant c = Constant::from_raw(DType::Int4, Shape{4}, {0x7F, 0x18});
  auto v = c.to_ints();
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0], -1);  // 0xF
  EXPECT_EQ(v[1], 7);
  EXPECT_EQ(v[2], -8);  // 0x8
  EXPECT_EQ(v[3], 1);
  // uint6 straddles bytes: elements 0..3 = 1, 2, 3, 63 -> bits: 000001 000010 000011 111111
  Constant u = Constant::from_ints({1, 2, 3, 63}, Shape{4}, DType::UInt6);
  EXPECT_EQ(u.bytes.size(), 3u);
  EXPECT_EQ(u.to_ints(), (std::vector<int64_t>{1, 2, 3, 63}));
  EXPECT_EQ(u.bytes[0], uint8_t(1 | (2 << 6)));  // low 2 bits of e1 in the top of byte 0
}

TEST(Constant, SizeMismatchIsAnError) {
  EXPECT_THROW(Constant::from_raw(DType::Float16, Shape{3}, {0, 0, 0, 0}), Error);
  Constant big;
  big.type = Type::tensor(DType::Float32, Shape{1LL << 40, 1LL << 40});
  EXPECT_THROW(big.validate("w"), Error);  // count overflows: no allocation attempted
}

TEST(Constant, Fp16AndScalars) {
  Constant c = Constant::from_floats({1.5f, -2.0f}, Shape{2}, DType::Float16);
  EXPECT_EQ(c.bytes.size(), 4u);
  EXPECT_EQ(c.to_floats(), (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(Constant::from_ints({42}, Shape{}).scalar_int(), 42);
  EXPECT_EQ(Constant::from_string("valid").scalar_string(), "valid");
  EXPECT_EQ(Constant::from_bool(true).scalar_bool(), true);
}

TEST(Shape, ElementCountOverflow) {
  EXPECT_EQ((Shape{2, 3, 4}).element_count(), 24u);
  EXPECT_FALSE((Shape{-1, 3}).element_count().has_value());
  EXPECT_FALSE((Shape{1LL << 62, 8}).element_count().has_value());
  EXPECT_EQ((Shape{1, -1}).str(), "[1, ?]");
}

TEST(Function, WalkVisitsNestedBlocksInOrder) {
  Function f;
  f.name = "main";
  BlockId body = f.add_block(kNone);
  f.specializations.push_back({"CoreML7", body});
  f.opset = "CoreML7";
  Op loop;
  loop.type = "while_loop";
  loop.name = "loop";
  OpId lo = f.add_op(body, loop);
  BlockId cond = f.add_block(lo);
  BlockId bodyb = f.add_block(lo);
  Op a; a.type = "less"; a.name = "a";
  f.add_op(cond, a);
  Op b; b.type = "add"; b.name = "b";
  f.add_op(bodyb, b);
  Op c; c.type = "relu"; c.name = "c";
  f.add_op(body, c);
  std::vector<std::string> names;
  f.walk([&](OpId o) { names.push_back(f.op(o).name); return true; });
  EXPECT_EQ(names, (std::vector<std::string>{"loop", "a", "b", "c"}));
  EXPECT_EQ(f.block_path(bodyb), "loop/block1");
  EXPECT_EQ(f.block_depth(bodyb), 1);
}
