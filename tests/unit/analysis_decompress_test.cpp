// Decoders on IR built in code: expected values come from a direct formula in the test.
#include <gtest/gtest.h>

#include "core/weights/decompress.h"
#include "core/analysis/lineage.h"
#include "core/util/error.h"
#include "unit/analysis_ir_builder.h"

using namespace mlscope;
using namespace mlscope::analysis;
using namespace mlscope::weights;
using mlscope::test::IrBuilder;
using mlscope::test::floats;
using mlscope::test::ft;
using mlscope::test::ints;
using mlscope::test::scalar_int;
using ir::DType;

namespace {

// A consumer so lineage sees the weight being used.
void use_as_linear_weight(IrBuilder& b, ir::ValueId w, ir::Shape out) {
  ir::ValueId x = b.input("x", ft({1, 4}));
  b.output(b.op1("linear", "fc", {{"x", x}, {"weight", w}}, {}, ft(std::move(out))));
}

}  // namespace

TEST(Decompress, AffinePerChannelIos16Attributes) {
  IrBuilder b("CoreML6");
  std::vector<int64_t> q = {-3, 5, 127, -128, 0, 7};
  std::vector<float> scale = {0.5f, 0.25f};
  std::vector<int64_t> zp = {1, -2};
  ir::ValueId w = b.op1("constexpr_affine_dequantize", "w",
                        {}, {{"quantized_data", ints(q, {2, 3}, DType::Int8)}, {"scale", floats(scale, {2})},
                             {"zero_point", ints(zp, {2}, DType::Int8)}, {"axis", scalar_int(0)}},
                        ft({2, 3}));
  DenseTensor d = materialize(b.f, b.producer(w));
  ASSERT_EQ(d.values.size(), 6u);
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c)
      EXPECT_FLOAT_EQ(d.values[r * 3 + c], (static_cast<float>(q[r * 3 + c]) - zp[r]) * scale[r]);
}

TEST(Decompress, BlockwiseInt4Ios18Inputs) {
  IrBuilder b;
  std::vector<int64_t> q = {-8, -1, 0, 7, 3, -4, 2, 1};  // [2, 4]
  ir::ValueId data = b.constant("data", ints(q, {2, 4}, DType::Int4));
  ir::ValueId scale = b.constant("scale", floats({1.0f, 2.0f, 3.0f, 4.0f}, {2, 2}));  // block 2 along dim 1
  ir::ValueId w = b.op1("constexpr_blockwise_shift_scale", "w", {{"data", data}, {"scale", scale}}, {}, ft({2, 4}));
  DenseTensor d = materialize(b.f, b.producer(w));
  const float s[2][2] = {{1, 2}, {3, 4}};
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 4; ++c) EXPECT_FLOAT_EQ(d.values[r * 4 + c], s[r][c / 2] * static_cast<float>(q[r * 4 + c]));
}

TEST(Decompress, LutIos16FourBitPacked) {
  IrBuilder b("CoreML6");
  std::vector<int64_t> codes = {0, 15, 3, 9, 12, 1};
  // Pack the codes with the foundation's sub-byte writer, then store them as the uint8 byte stream
  // the iOS16 op expects.
  ir::Constant packed = ints(codes, {6}, DType::UInt4);
  auto raw = std::vector<uint8_t>(packed.raw().begin(), packed.raw().end());
  std::vector<float> lut(16);
  for (int i = 0; i < 16; ++i) lut[i] = 0.1f * static_cast<float>(i * i) - 1.0f;
  ir::ValueId w = b.op1("constexpr_lut_to_dense", "w", {},
                        {{"indices", ir::Constant::from_raw(DType::UInt8, {static_cast<int64_t>(raw.size())}, raw)},
                         {"lut", floats(lut, {16}, DType::Float16)},
                         {"shape", ints({2, 3}, {2}, DType::UInt32)}},
                        ft({2, 3}, DType::Float16));
  DenseTensor d = materialize(b.f, b.producer(w));
  ASSERT_EQ(d.values.size(), 6u);
  ir::Constant lut16 = floats(lut, {16}, DType::Float16);
  for (size_t i = 0; i < codes.size(); ++i) EXPECT_FLOAT_EQ(d.values[i], static_cast<float>(lut16.element(codes[i])));
}

TEST(Decompress, LutIos18GroupedAndVector) {
  IrBuilder b;
  // indices [4, 2] uint2, lut [2, 1, 4, 1]: rows 0-1 use table 0, rows 2-3 table 1.
  std::vector<int64_t> idx = {0, 1, 2, 3, 3, 2, 1, 0};
  std::vector<float> lut = {10, 11, 12, 13, 20, 21, 22, 23};
  ir::ValueId i = b.constant("idx", ints(idx, {4, 2}, DType::UInt2));
  ir::ValueId l = b.constant("lut", floats(lut, {2, 1, 4, 1}));
  ir::ValueId w = b.op1("constexpr_lut_to_dense", "w", {{"indices", i}, {"lut", l}}, {}, ft({4, 2}));
  DenseTensor d = materialize(b.f, b.producer(w));
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 2; ++c) EXPECT_FLOAT_EQ(d.values[r * 2 + c], lut[(r / 2) * 4 + idx[r * 2 + c]]);

  // Vector palettization: V = 2 along axis 1 → output [2, 4].
  IrBuilder v;
  std::vector<int64_t> vi = {1, 0, 0, 1};
  std::vector<float> vl = {1, 2, 3, 4};  // [1, 1, 2, 2]: code 0 → (1,2), code 1 → (3,4)
  ir::ValueId vii = v.constant("idx", ints(vi, {2, 2}, DType::UInt1));
  ir::ValueId vll = v.constant("lut", floats(vl, {1, 1, 2, 2}));
  ir::ValueId axis = v.constant("axis", scalar_int(1));
  ir::ValueId vw = v.op1("constexpr_lut_to_dense", "w", {{"indices", vii}, {"lut", vll}, {"vector_axis", axis}}, {}, ft({2, 4}));
  DenseTensor vd = materialize(v.f, v.producer(vw));
  ASSERT_EQ(vd.shape.dims, (std::vector<int64_t>{2, 4}));
  std::vector<float> expect;
  for (int64_t code : vi) expect.push_back(vl[code * 2]), expect.push_back(vl[code * 2 + 1]);
  EXPECT_EQ(vd.values, expect);
}

TEST(Decompress, SparseIos16AndIos18) {
  std::vector<int64_t> bits = {1, 0, 0, 1, 1, 0, 0, 0, 1, 1};  // 10 elements, 5 set
  std::vector<float> nz = {1.5f, -2, 3, 4, -5};
  auto expand = [&] {
    std::vector<float> out;
    size_t k = 0;
    for (int64_t m : bits) out.push_back(m ? nz[k++] : 0.0f);
    return out;
  };
  {
    IrBuilder b("CoreML6");
    ir::Constant packed = ints(bits, {10}, DType::UInt1);
    std::vector<uint8_t> raw(packed.raw().begin(), packed.raw().end());
    ir::ValueId w = b.op1("constexpr_sparse_to_dense", "w", {},
                          {{"nonzero_data", floats(nz, {5})},
                           {"mask", ir::Constant::from_raw(DType::UInt8, {static_cast<int64_t>(raw.size())}, raw)},
                           {"shape", ints({2, 5}, {2}, DType::UInt32)}},
                          ft({2, 5}));
    EXPECT_EQ(materialize(b.f, b.producer(w)).values, expand());
  }
  {
    IrBuilder b;
    ir::ValueId m = b.constant("mask", ints(bits, {2, 5}, DType::UInt1));
    ir::ValueId d = b.constant("nz", floats(nz, {5}));
    ir::ValueId w = b.op1("constexpr_sparse_to_dense", "w", {{"nonzero_data", d}, {"mask", m}}, {}, ft({2, 5}));
    EXPECT_EQ(materialize(b.f, b.producer(w)).values, expand());
  }
}

TEST(Decompress, LutToSparseThenSparseToDense) {
  IrBuilder b;
  std::vector<int64_t> mask = {0, 1, 1, 0, 1, 0};  // [2, 3]
  std::vector<int64_t> codes = {3, 0, 2};
  std::vector<float> lut = {-1, 0.5f, 2, 8};
  ir::ValueId m = b.constant("mask", ints(mask, {2, 3}, DType::UInt1));
  ir::ValueId c = b.constant("codes", ints(codes, {3}, DType::UInt2));
  ir::ValueId l = b.constant("lut", floats(lut, {1, 1, 4, 1}));
  auto outs = b.op("constexpr_lut_to_sparse", "ls", {{"indices_mask", m}, {"indices_nonzero_data", c}, {"lut", l}}, {},
                   {ft({2, 3}, DType::UInt1), ft({3})});
  ir::ValueId w = b.op1("constexpr_sparse_to_dense", "w", {{"mask", outs[0]}, {"nonzero_data", outs[1]}}, {}, ft({2, 3}));
  DenseTensor d = materialize(b.f, b.producer(w));
  std::vector<float> expect;
  size_t k = 0;
  for (int64_t mm : mask) expect.push_back(mm ? lut[codes[k++]] : 0.0f);
  EXPECT_EQ(d.values, expect);

  use_as_linear_weight(b, w, {1, 2});
  QuantReport r = analyze_quantization([&] { ir::Model mm; mm.functions.push_back(b.f); return mm; }());
  ASSERT_EQ(r.tensors.size(), 1u);
  EXPECT_EQ(r.tensors[0].scheme, "lut+sparse");
  EXPECT_EQ(r.tensors[0].bits, 2);
  ASSERT_TRUE(r.tensors[0].density.has_value());
  EXPECT_DOUBLE_EQ(*r.tensors[0].density, 0.5);
  EXPECT_TRUE(r.findings.empty());
}

TEST(Decompress, SparseBlockwiseShiftScale) {
  IrBuilder b;
  std::vector<int64_t> mask = {1, 0, 1, 1};  // [2, 2]
  std::vector<int64_t> q = {4, -2, 6};
  std::vector<float> scale = {0.5f, 0.25f};  // per row
  std::vector<int64_t> off = {1, 2};
  ir::ValueId m = b.constant("mask", ints(mask, {2, 2}, DType::UInt1));
  ir::ValueId d = b.constant("nz", ints(q, {3}, DType::Int8));
  ir::ValueId s = b.constant("scale", floats(scale, {2, 1}));
  ir::ValueId o = b.constant("off", ints(off, {2, 1}, DType::Int8));
  auto outs = b.op("constexpr_sparse_blockwise_shift_scale", "sb",
                   {{"data_mask", m}, {"nonzero_data", d}, {"scale", s}, {"offset", o}}, {},
                   {ft({2, 2}, DType::UInt1), ft({3})});
  ir::ValueId w = b.op1("constexpr_sparse_to_dense", "w", {{"mask", outs[0]}, {"nonzero_data", outs[1]}}, {}, ft({2, 2}));
  DenseTensor dd = materialize(b.f, b.producer(w));
  // positions (0,0)=4 row0, (1,0)=-2 row1, (1,1)=6 row1
  std::vector<float> expect = {0.5f * (4 - 1), 0, 0.25f * (-2 - 2), 0.25f * (6 - 2)};
  EXPECT_EQ(dd.values, expect);
}

TEST(Decompress, ConstexprCast) {
  IrBuilder b("CoreML6");
  ir::Constant h = floats({1.5f, -0.333f}, {2}, DType::Float16);
  ir::ValueId w = b.op1("constexpr_cast", "w", {}, {{"source_val", h}, {"output_dtype", ir::Constant::from_string("fp32")}}, ft({2}));
  DenseTensor d = materialize(b.f, b.producer(w));
  EXPECT_EQ(d.dtype, DType::Float32);
  EXPECT_FLOAT_EQ(d.values[1], static_cast<float>(h.element(1)));
}

// --- malformed quantization: reported as findings naming the op, never a crash ---

namespace {
ir::Model model_of(const IrBuilder& b) {
  ir::Model m;
  m.kind = "mlProgram";
  m.functions.push_back(b.f);
  return m;
}
bool has_finding(const QuantReport& r, const std::string& op, const std::string& word) {
  for (const auto& f : r.findings)
    if (f.op == op && f.message.find(word) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST(MalformedQuantization, ScaleShapeNotMatchingAxis) {
  IrBuilder b("CoreML6");
  ir::ValueId w = b.op1("constexpr_affine_dequantize", "bad_scale", {},
                        {{"quantized_data", ints({1, 2, 3, 4, 5, 6}, {2, 3}, DType::Int8)},
                         {"scale", floats({1, 2, 3}, {3})}, {"zero_point", ints({0, 0, 0}, {3}, DType::Int8)},
                         {"axis", scalar_int(0)}},
                        ft({2, 3}));
  use_as_linear_weight(b, w, {1, 2});
  EXPECT_THROW(materialize(b.f, b.producer(w)), Error);
  QuantReport r = analyze_quantization(model_of(b));
  EXPECT_TRUE(has_finding(r, "bad_scale", "scale has 3 values"));
}

TEST(MalformedQuantization, LutTooSmallForIndices) {
  IrBuilder b;
  ir::ValueId i = b.constant("idx", ints({0, 3, 1, 2}, {2, 2}, DType::UInt2));
  ir::ValueId l = b.constant("lut", floats({1, 2}, {1, 1, 2, 1}));
  ir::ValueId w = b.op1("constexpr_lut_to_dense", "small_lut", {{"indices", i}, {"lut", l}}, {}, ft({2, 2}));
  use_as_linear_weight(b, w, {1, 2});
  EXPECT_THROW(materialize(b.f, b.producer(w)), Error);
  QuantReport r = analyze_quantization(model_of(b));
  EXPECT_TRUE(has_finding(r, "small_lut", "outside the LUT"));
  EXPECT_TRUE(has_finding(r, "small_lut", "LUT has 2 entries"));
}

TEST(MalformedQuantization, MaskNonzeroCountMismatch) {
  IrBuilder b;
  ir::ValueId m = b.constant("mask", ints({1, 1, 0, 1}, {2, 2}, DType::UInt1));
  ir::ValueId d = b.constant("nz", floats({1, 2}, {2}));
  ir::ValueId w = b.op1("constexpr_sparse_to_dense", "bad_mask", {{"nonzero_data", d}, {"mask", m}}, {}, ft({2, 2}));
  use_as_linear_weight(b, w, {1, 2});
  QuantReport r = analyze_quantization(model_of(b));
  EXPECT_TRUE(has_finding(r, "bad_mask", "3 set bits"));
}

TEST(MalformedQuantization, ZeroScales) {
  IrBuilder b("CoreML6");
  ir::ValueId w = b.op1("constexpr_affine_dequantize", "zero_scale", {},
                        {{"quantized_data", ints({1, 2, 3, 4}, {2, 2}, DType::Int8)}, {"scale", floats({0, 1}, {2})},
                         {"zero_point", ints({0, 0}, {2}, DType::Int8)}, {"axis", scalar_int(0)}},
                        ft({2, 2}));
  use_as_linear_weight(b, w, {1, 2});
  QuantReport r = analyze_quantization(model_of(b));
  EXPECT_TRUE(has_finding(r, "zero_scale", "1 of 2 scale values are zero"));
}

TEST(MalformedQuantization, TruncatedIos16IndicesDoNotAllocateClaimedSize) {
  IrBuilder b("CoreML6");
  ir::ValueId w = b.op1("constexpr_lut_to_dense", "huge_claim", {},
                        {{"indices", ir::Constant::from_raw(DType::UInt8, {2}, {0x12, 0x34})},
                         {"lut", floats(std::vector<float>(16, 1.0f), {16})},
                         {"shape", ints({1000000, 1000000}, {2}, DType::UInt32)}},
                        ft({1000000, 1000000}));
  use_as_linear_weight(b, w, {1, 2});
  QuantReport r = analyze_quantization(model_of(b));
  EXPECT_TRUE(has_finding(r, "huge_claim", "stored bytes"));
}
