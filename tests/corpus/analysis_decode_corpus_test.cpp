// Decoders on the corpus-gen compressed CNNs: for one tensor per scheme, the expected dense values
// are computed here from the raw stored constants with a plain, separate formula (bit-by-bit
// unpacking, coordinate arithmetic), not with the decoder under test.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/weights/decompress.h"
#include "core/weights/params.h"
#include "core/format/open.h"
#include "support/corpus_models.h"
#include "support/test_paths.h"

using namespace mlscope;
using namespace mlscope::weights;

namespace {


// First op of `type` in the main function.
ir::OpId first_op(const ir::Function& f, const std::string& type) {
  for (ir::OpId o : f.program_order())
    if (f.op(o).type == type) return o;
  return ir::kNone;
}

const ir::Constant& param(const ir::Function& f, ir::OpId o, const char* name) {
  const ir::Constant* c = find_param(f, o, name).constant;
  if (!c) throw std::runtime_error(std::string("missing ") + name);
  return *c;
}

// Bit i of a byte stream, LSB-first within each byte.
int bit_at(std::span<const uint8_t> bytes, uint64_t i) { return (bytes[i / 8] >> (i % 8)) & 1; }

void expect_same(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  size_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i) bad += got[i] != want[i];
  EXPECT_EQ(bad, 0u) << "first: " << got[0] << " vs " << want[0];
}

}  // namespace

TEST(DecodeCorpus, AffinePerChannelInt8) {
  MLSCOPE_REQUIRE_SHARED();
  for (const char* model : {"cnn_int8_weights_perchannel", "cnn_int8_weights_asym_pertensor"}) {
    SCOPED_TRACE(model);
    ir::Model m = test::open_corpus_gen(model);
    const ir::Function& f = *m.main_function();
    ir::OpId o = first_op(f, "constexpr_affine_dequantize");
    ASSERT_NE(o, ir::kNone);
    const ir::Constant& q = param(f, o, "quantized_data");
    auto qv = q.to_doubles();
    auto sv = param(f, o, "scale").to_doubles();
    auto zv = param(f, o, "zero_point").to_doubles();
    const int64_t axis = param(f, o, "axis").scalar_int().value();
    const auto& d = q.shape().dims;
    int64_t inner = 1;
    for (size_t k = static_cast<size_t>(axis) + 1; k < d.size(); ++k) inner *= d[k];
    std::vector<float> want(qv.size());
    for (size_t i = 0; i < qv.size(); ++i) {
      size_t c = sv.size() == 1 ? 0 : static_cast<size_t>((static_cast<int64_t>(i) / inner) % d[static_cast<size_t>(axis)]);
      size_t zc = zv.size() == 1 ? 0 : c;
      want[i] = static_cast<float>((qv[i] - zv[zc]) * sv[c]);
    }
    expect_same(materialize(f, o).values, want);
  }
}

TEST(DecodeCorpus, BlockwiseInt4PerBlock32) {
  MLSCOPE_REQUIRE_SHARED();
  ir::Model m = test::open_corpus_gen("cnn_int4_weights_perblock32");
  const ir::Function& f = *m.main_function();
  ir::OpId o = first_op(f, "constexpr_blockwise_shift_scale");
  ASSERT_NE(o, ir::kNone);
  const ir::Constant& data = param(f, o, "data");
  const ir::Constant& scale = param(f, o, "scale");
  EXPECT_EQ(data.dtype(), ir::DType::Int4);
  // Signed 4-bit codes unpacked nibble by nibble from the stored bytes.
  auto raw = data.raw();
  const auto& dd = data.shape().dims;
  const auto& sd = scale.shape().dims;
  auto sv = scale.to_doubles();
  const uint64_t n = data.element_count();
  std::vector<float> want(n);
  std::vector<int64_t> coord(dd.size(), 0);
  for (uint64_t i = 0; i < n; ++i) {
    int nib = (raw[i / 2] >> ((i % 2) * 4)) & 0xF;
    int code = nib >= 8 ? nib - 16 : nib;
    // scale index from coordinates: coord[k] / (dd[k] / sd[k])
    uint64_t rem = i, sidx = 0, sstride = 1;
    for (size_t k = dd.size(); k-- > 0;) {
      coord[k] = static_cast<int64_t>(rem % static_cast<uint64_t>(dd[k]));
      rem /= static_cast<uint64_t>(dd[k]);
    }
    for (size_t k = dd.size(); k-- > 0;) {
      sidx += static_cast<uint64_t>(coord[k] / (dd[k] / sd[k])) * sstride;
      sstride *= static_cast<uint64_t>(sd[k]);
    }
    want[i] = static_cast<float>(sv[sidx] * code);
  }
  expect_same(materialize(f, o).values, want);
}

TEST(DecodeCorpus, LutIos16FourAndSixBit) {
  MLSCOPE_REQUIRE_SHARED();
  for (const char* model : {"cnn_palettized_4bit", "cnn_palettized_6bit"}) {
    SCOPED_TRACE(model);
    ir::Model m = test::open_corpus_gen(model);
    const ir::Function& f = *m.main_function();
    ir::OpId o = first_op(f, "constexpr_lut_to_dense");
    ASSERT_NE(o, ir::kNone);
    auto lut = param(f, o, "lut").to_doubles();
    auto idx = param(f, o, "indices").raw();
    uint64_t n = 1;
    for (auto s : param(f, o, "shape").to_ints()) n *= static_cast<uint64_t>(s);
    int nbits = 0;
    while ((size_t{1} << nbits) < lut.size()) ++nbits;
    std::vector<float> want(n);
    for (uint64_t i = 0; i < n; ++i) {
      uint32_t code = 0;
      for (int b = 0; b < nbits; ++b) code |= static_cast<uint32_t>(bit_at(idx, i * nbits + b)) << b;
      want[i] = static_cast<float>(lut.at(code));
    }
    expect_same(materialize(f, o).values, want);
  }
}

TEST(DecodeCorpus, LutIos18GroupedChannels) {
  MLSCOPE_REQUIRE_SHARED();
  ir::Model m = test::open_corpus_gen("cnn_palettized_4bit_grouped_ios18");
  const ir::Function& f = *m.main_function();
  ir::OpId o = first_op(f, "constexpr_lut_to_dense");
  ASSERT_NE(o, ir::kNone);
  const ir::Constant& idx = param(f, o, "indices");
  const ir::Constant& lut = param(f, o, "lut");
  auto codes = idx.to_ints();
  auto lv = lut.to_doubles();
  const auto& d = idx.shape().dims;
  const auto& ld = lut.shape().dims;
  ASSERT_EQ(ld.size(), d.size() + 2);
  const int64_t P = ld[d.size()];
  ASSERT_EQ(ld.back(), 1);  // scalar palettization in this model
  std::vector<float> want(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) {
    // table index = row-major index of (coord / group size) in the lut's leading dims
    uint64_t rem = i, table = 0, stride = 1;
    std::vector<int64_t> c(d.size());
    for (size_t k = d.size(); k-- > 0;) c[k] = static_cast<int64_t>(rem % static_cast<uint64_t>(d[k])), rem /= static_cast<uint64_t>(d[k]);
    for (size_t k = d.size(); k-- > 0;) table += static_cast<uint64_t>(c[k] / (d[k] / ld[k])) * stride, stride *= static_cast<uint64_t>(ld[k]);
    want[i] = static_cast<float>(lv[table * static_cast<uint64_t>(P) + static_cast<uint64_t>(codes[i])]);
  }
  expect_same(materialize(f, o).values, want);
}

TEST(DecodeCorpus, SparseIos16BitmaskAndIos18Mask) {
  MLSCOPE_REQUIRE_SHARED();
  for (const char* model : {"cnn_pruned_50pct", "cnn_pruned_2of4_ios18"}) {
    SCOPED_TRACE(model);
    ir::Model m = test::open_corpus_gen(model);
    const ir::Function& f = *m.main_function();
    ir::OpId o = first_op(f, "constexpr_sparse_to_dense");
    ASSERT_NE(o, ir::kNone);
    const ir::Constant& mask = param(f, o, "mask");
    auto nz = param(f, o, "nonzero_data").to_doubles();
    uint64_t n = mask.dtype() == ir::DType::UInt1 ? mask.element_count() : 0;
    if (n == 0)
      for (auto s : param(f, o, "shape").to_ints()) n = (n ? n : 1) * static_cast<uint64_t>(s);
    auto bits = mask.raw();
    std::vector<float> want(n, 0.0f);
    size_t k = 0;
    for (uint64_t i = 0; i < n; ++i)
      if (bit_at(bits, i)) want[i] = static_cast<float>(nz.at(k++));
    EXPECT_EQ(k, nz.size());
    expect_same(materialize(f, o).values, want);
  }
}
