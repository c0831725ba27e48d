// Writer → reader round trip on a program built in code, plus the package layout facts the
// writer must honour (manifest keys, blob alignment, sentinel, dtype codes).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/format/blob_writer.h"
#include "core/format/mlpackage_writer.h"
#include "core/format/open.h"
#include "core/util/error.h"
#include "support/sample_program.h"
#include "tests/support/ir_builders.h"
#include "support/test_paths.h"

namespace mlscope {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}
uint32_t u32(const std::vector<uint8_t>& b, size_t o) {
  return uint32_t(b[o]) | uint32_t(b[o + 1]) << 8 | uint32_t(b[o + 2]) << 16 | uint32_t(b[o + 3]) << 24;
}
uint64_t u64(const std::vector<uint8_t>& b, size_t o) { return uint64_t(u32(b, o)) | uint64_t(u32(b, o + 4)) << 32; }

TEST(MLPackageWriter, RoundTripPreservesProgramAndDescription) {
  const fs::path pkg = test::scratch_dir("roundtrip") / "sample.mlpackage";
  const ir::Model original = test::sample_program();
  format::write_mlpackage(original, pkg.string());
  const ir::Model back = format::open(pkg.string());
  EXPECT_EQ(ir::Format::MLPackage, back.format);
  EXPECT_EQ("", test::diff_models(original, back));
  EXPECT_EQ(original.op_counts(), back.op_counts());
  // The blob-backed constants really went to weight.bin (>= 10 elements), the small ones stayed inline.
  const ir::Function* main = back.function("main");
  ASSERT_NE(main, nullptr);
  auto val = [&](const char* name) { return main->op(main->find_op(name)).attribute_value("val"); };
  EXPECT_TRUE(val("w")->is_blob());
  EXPECT_TRUE(val("q4")->is_blob());
  EXPECT_TRUE(val("q3")->is_blob());
  EXPECT_FALSE(val("b")->is_blob());
  EXPECT_FALSE(val("big_i64")->is_blob());
  EXPECT_EQ((std::vector<int64_t>{1LL << 40, -3}), val("big_i64")->to_ints());
  EXPECT_EQ(-1.0f, val("w")->to_floats().front());
  EXPECT_EQ(2.75f, val("w")->to_floats().back());
  EXPECT_EQ(-8, val("q4")->to_ints().front());
  EXPECT_EQ(std::vector<int64_t>(11, 5), val("q3")->to_ints());
}

// IR built in code may list a function's inputs as its body block's inputs too; written there,
// the reader defined a second "x" that the ops read while the function input had no use.
TEST(MLPackageWriter, FunctionInputsAreReadByTheOpsAfterARoundTrip) {
  ir::Model m;
  m.kind = "mlProgram";
  m.functions.push_back(fixtures::chain_program(2));
  ir::Function& f = m.functions[0];
  ASSERT_FALSE(f.inputs.empty());
  f.blocks[static_cast<size_t>(f.body())].inputs = f.inputs;
  const fs::path pkg = test::scratch_dir("roundtrip_inputs") / "chain.mlpackage";
  fs::remove_all(pkg);
  format::write_mlpackage(m, pkg.string());
  const ir::Model back = format::open(pkg.string());
  const ir::Function& b = back.functions.at(0);
  ASSERT_EQ(b.inputs.size(), 1u);
  EXPECT_EQ(b.value(b.inputs[0]).uses.size(), f.value(f.inputs[0]).uses.size());
  size_t named_x = 0;
  for (const auto& v : b.values) named_x += v.name == b.value(b.inputs[0]).name;
  EXPECT_EQ(named_x, 1u) << "one value per name";
}

TEST(MLPackageWriter, WritesManifestAndAlignedBlobStorage) {
  const fs::path pkg = test::scratch_dir("layout") / "sample.mlpackage";
  format::write_mlpackage(test::sample_program(), pkg.string());
  std::ifstream in(pkg / "Manifest.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ("1.0.0", j.at("fileFormatVersion"));
  const std::string root = j.at("rootModelIdentifier");
  EXPECT_EQ(36u, root.size());
  EXPECT_EQ("com.apple.CoreML/model.mlmodel", j.at("itemInfoEntries").at(root).at("path"));
  EXPECT_EQ(2u, j.at("itemInfoEntries").size());

  const auto w = file_bytes(pkg / "Data/com.apple.CoreML/weights/weight.bin");
  ASSERT_GE(w.size(), 128u);
  EXPECT_EQ(2u, u32(w, 4));  // storage version
  const uint32_t count = u32(w, 0);
  EXPECT_EQ(4u, count);  // w (fp32), q4 (int4), q3 (uint3), quantized_data (int8)
  std::vector<uint32_t> dtypes;
  uint64_t rec = 64;
  for (uint32_t i = 0; i < count; ++i) {
    ASSERT_EQ(0u, rec % 64);
    EXPECT_EQ(0xDEADBEEFu, u32(w, rec));
    dtypes.push_back(u32(w, rec + 4));
    EXPECT_EQ(rec + 64, u64(w, rec + 16));  // data follows its record
    rec = (u64(w, rec + 16) + u64(w, rec + 8) + 63) / 64 * 64;
  }
  // §6.3 storage codes: Float32 = 2, Int4 = 8, UInt3 = 12, Int8 = 4 (in program order).
  EXPECT_EQ((std::vector<uint32_t>{2, 8, 12, 4}), dtypes);
}

TEST(MLPackageWriter, SparseZeroConstantReservesWithoutWriting) {
  ir::Model m = test::sample_program();
  ir::Function& f = m.functions.front();
  ir::Constant zeros;
  zeros.type = ir::Type::tensor(ir::DType::Float16, ir::Shape{64, 1024, 1024});  // 128 MiB, no payload
  ir::Op op;
  op.type = "const";
  op.name = "zeros";
  op.outputs.push_back(f.add_value("zeros", zeros.type, f.body()));
  op.attributes.push_back({"val", std::make_shared<const ir::Constant>(zeros)});
  f.add_op(f.body(), std::move(op));
  const fs::path dir = test::scratch_dir("sparse");
  EXPECT_THROW(format::write_mlpackage(m, (dir / "refused.mlpackage").string()), Error);
  format::WriteOptions opt;
  opt.sparse_zero_constants = true;
  format::write_mlpackage(m, (dir / "sparse.mlpackage").string(), opt);
  const ir::Model back = format::open((dir / "sparse.mlpackage").string());
  const ir::Constant* z = back.function("main")->op(back.function("main")->find_op("zeros")).attribute_value("val");
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(128u << 20, z->stored_bytes());
  EXPECT_EQ(0.0, z->element(12345678));
}

TEST(MLPackageWriter, Int32ConstantsUseTheWeightFileFromSpec9Only) {
  for (int64_t spec : {8, 9}) {
    ir::Model m = test::sample_program();
    m.specification_version = spec;
    ir::Function& f = m.functions.front();
    ir::Constant c = ir::Constant::from_ints({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, ir::Shape{12});
    ir::Op op;
    op.type = "const";
    op.name = "ints";
    op.outputs.push_back(f.add_value("ints", c.type, f.body()));
    op.attributes.push_back({"val", std::make_shared<const ir::Constant>(c)});
    f.add_op(f.body(), std::move(op));
    const fs::path pkg = test::scratch_dir("int32_spec" + std::to_string(spec)) / "m.mlpackage";
    format::write_mlpackage(m, pkg.string());
    const ir::Model back = format::open(pkg.string());
    const ir::Function* main = back.function("main");
    const ir::Constant* v = main->op(main->find_op("ints")).attribute_value("val");
    EXPECT_EQ(spec >= 9, v->is_blob()) << "spec " << spec;
    EXPECT_EQ(c.to_ints(), v->to_ints());
  }
}

}  // namespace
}  // namespace mlscope
