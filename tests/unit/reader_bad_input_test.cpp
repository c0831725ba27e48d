// Every bad-input case of the protobuf readers: each broken package is written by our writer and
// then corrupted in code; each error must name the file and the place (byte offset, JSON key or op).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "core/format/mlpackage_writer.h"
#include "core/format/open.h"
#include "core/util/error.h"
#include "support/sample_program.h"
#include "support/test_paths.h"

namespace mlscope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path fresh_package(const std::string& tag, const ir::Model& m = test::sample_program()) {
  fs::path p = test::scratch_dir(tag) / "model.mlpackage";
  format::write_mlpackage(m, p.string());
  return p;
}
fs::path model_file(const fs::path& pkg) { return pkg / "Data/com.apple.CoreML/model.mlmodel"; }
fs::path weight_file(const fs::path& pkg) { return pkg / "Data/com.apple.CoreML/weights/weight.bin"; }

// Opens and returns the Error (fails the test if nothing is thrown).
Error open_error(const fs::path& p) {
  try {
    format::open(p.string());
  } catch (const Error& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "non-mlscope exception: " << e.what();
    return Error(Location{}, e.what());
  }
  ADD_FAILURE() << "no error opening " << p;
  return Error(Location{}, "");
}

void edit_manifest(const fs::path& pkg, const std::function<void(json&)>& edit) {
  json j;
  {
    std::ifstream in(pkg / "Manifest.json");
    j = json::parse(in);
  }
  edit(j);
  std::ofstream(pkg / "Manifest.json") << j.dump(2);
}

void overwrite(const fs::path& f, uint64_t offset, const std::vector<uint8_t>& bytes) {
  std::fstream io(f, std::ios::in | std::ios::out | std::ios::binary);
  io.seekp(static_cast<std::streamoff>(offset));
  io.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::string root_item(const fs::path& pkg) {
  std::ifstream in(pkg / "Manifest.json");
  return json::parse(in).at("rootModelIdentifier");
}

TEST(ReaderBadInput, TruncatedProtobufNamesFileAndByteOffset) {
  fs::path pkg = fresh_package("truncated_pb");
  const auto size = fs::file_size(model_file(pkg));
  fs::resize_file(model_file(pkg), size / 2);
  Error e = open_error(pkg);
  EXPECT_EQ(model_file(pkg).string(), e.where().file);
  EXPECT_GE(e.where().byte_offset, 0);
  EXPECT_LT(e.where().byte_offset, static_cast<int64_t>(size / 2));
  EXPECT_NE(std::string::npos, e.message().find("not a valid Core ML protobuf")) << e.what();
}

TEST(ReaderBadInput, RandomBytesProtobufIsRejected) {
  fs::path dir = test::scratch_dir("random_pb");
  fs::path f = dir / "random.mlmodel";
  std::mt19937 rng(42);
  std::vector<char> bytes(4096);
  for (auto& b : bytes) b = static_cast<char>(rng());
  std::ofstream(f, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  Error e = open_error(f);
  EXPECT_EQ(f.string(), e.where().file);
  EXPECT_NE(std::string::npos, e.message().find("not a valid Core ML protobuf")) << e.what();
}

// A sparse file claiming more than protobuf's 2 GiB message limit: refused by size before any
// parsing, with no memory spent on it (the file is mapped, not read).
TEST(ReaderBadInput, ProtobufOverTwoGiBIsRefusedBySize) {
  fs::path f = test::scratch_dir("huge_pb") / "huge.mlmodel";
  std::ofstream(f, std::ios::binary).put('\x0a');
  fs::resize_file(f, (uint64_t(1) << 31) + 16);
  Error e = open_error(f);
  EXPECT_EQ(f.string(), e.where().file);
  EXPECT_NE(std::string::npos, e.message().find("2 GiB")) << e.what();
  fs::remove(f);
}

TEST(ReaderBadInput, ManifestMissingKeysAreNamed) {
  for (const char* key : {"fileFormatVersion", "itemInfoEntries", "rootModelIdentifier"}) {
    fs::path pkg = fresh_package(std::string("manifest_missing_") + key);
    edit_manifest(pkg, [&](json& j) { j.erase(key); });
    Error e = open_error(pkg);
    EXPECT_EQ((pkg / "Manifest.json").string(), e.where().file);
    EXPECT_EQ(key, e.where().op);
    EXPECT_NE(std::string::npos, e.message().find("missing key")) << e.what();
  }
  fs::path pkg = fresh_package("manifest_missing_item_key");
  const std::string id = root_item(pkg);
  edit_manifest(pkg, [&](json& j) { j["itemInfoEntries"][id].erase("author"); });
  Error e = open_error(pkg);
  EXPECT_EQ("itemInfoEntries." + id + ".author", e.where().op) << e.what();
}

TEST(ReaderBadInput, ManifestPathEscapingThePackageIsRejected) {
  fs::path pkg = fresh_package("manifest_dotdot");
  const std::string id = root_item(pkg);
  edit_manifest(pkg, [&](json& j) { j["itemInfoEntries"][id]["path"] = "../../Manifest.json"; });
  Error e = open_error(pkg);
  EXPECT_EQ((pkg / "Manifest.json").string(), e.where().file);
  EXPECT_EQ("itemInfoEntries." + id + ".path", e.where().op);
  EXPECT_NE(std::string::npos, e.message().find("escapes the package")) << e.what();

  edit_manifest(pkg, [&](json& j) { j["itemInfoEntries"][id]["path"] = "/etc/passwd"; });
  e = open_error(pkg);
  EXPECT_NE(std::string::npos, e.message().find("relative")) << e.what();
}

TEST(ReaderBadInput, ManifestJsonSyntaxErrorHasByteOffset) {
  fs::path pkg = fresh_package("manifest_syntax");
  std::ofstream(pkg / "Manifest.json") << "{\"fileFormatVersion\": \"1.0.0\",, }";
  Error e = open_error(pkg);
  EXPECT_EQ((pkg / "Manifest.json").string(), e.where().file);
  EXPECT_GT(e.where().byte_offset, 0) << e.what();
}

TEST(ReaderBadInput, MissingModelFileIsNamed) {
  fs::path pkg = fresh_package("missing_model");
  fs::remove(model_file(pkg));
  Error e = open_error(pkg);
  EXPECT_EQ((pkg / "Manifest.json").string(), e.where().file);
  EXPECT_NE(std::string::npos, e.message().find("com.apple.CoreML/model.mlmodel")) << e.what();
  EXPECT_NE(std::string::npos, e.message().find("does not exist")) << e.what();
}

TEST(ReaderBadInput, WeightRecordBeyondTheFileNamesOffsetAndOp) {
  fs::path pkg = fresh_package("weights_truncated_record");
  fs::resize_file(weight_file(pkg), 100);  // the first record (at 64) needs 64 bytes
  Error e = open_error(pkg);
  EXPECT_EQ(weight_file(pkg).string(), e.where().file);
  EXPECT_EQ(64, e.where().byte_offset);
  EXPECT_EQ("w", e.where().op) << e.what();
}

TEST(ReaderBadInput, WeightDataBeyondTheFileNamesOffsetAndOp) {
  fs::path pkg = fresh_package("weights_truncated_data");
  fs::resize_file(weight_file(pkg), 128 + 10);  // record of "w" intact, its 64 data bytes cut
  Error e = open_error(pkg);
  EXPECT_EQ(weight_file(pkg).string(), e.where().file);
  EXPECT_EQ(64, e.where().byte_offset);
  EXPECT_EQ("w", e.where().op);
  EXPECT_NE(std::string::npos, e.message().find("past the end")) << e.what();
}

TEST(ReaderBadInput, BadBlobSentinelNamesOffsetAndOp) {
  fs::path pkg = fresh_package("bad_sentinel");
  overwrite(weight_file(pkg), 64, {0x00, 0x11, 0x22, 0x33});
  Error e = open_error(pkg);
  EXPECT_EQ(weight_file(pkg).string(), e.where().file);
  EXPECT_EQ(64, e.where().byte_offset);
  EXPECT_EQ("w", e.where().op);
  EXPECT_NE(std::string::npos, e.message().find("sentinel")) << e.what();
}

// Adds a const op with the given value to the main function's body.
void add_const(ir::Model& m, const std::string& name, ir::Constant c) {
  ir::Function& f = m.functions.front();
  ir::Op op;
  op.type = "const";
  op.name = name;
  op.outputs.push_back(f.add_value(name, c.type, f.body()));
  op.attributes.push_back({"val", std::make_shared<const ir::Constant>(std::move(c))});
  f.add_op(f.body(), std::move(op));
}

TEST(ReaderBadInput, ShapeElementCountOverflowNamesOp) {
  ir::Model m = test::sample_program();
  ir::Constant huge;
  huge.type = ir::Type::tensor(ir::DType::Float32, ir::Shape{int64_t(1) << 40, int64_t(1) << 40});
  huge.bytes.assign(64, 0);  // what is really there; the shape claims 2^80 elements
  add_const(m, "huge", huge);
  fs::path pkg = fresh_package("shape_overflow", m);
  Error e = open_error(pkg);
  EXPECT_EQ("huge", e.where().op) << e.what();
  EXPECT_EQ(weight_file(pkg).string(), e.where().file);
  EXPECT_NE(std::string::npos, e.message().find("overflows")) << e.what();
}

TEST(ReaderBadInput, WriterRefusesPayloadThatDisagreesWithShape) {
  ir::Model m = test::sample_program();
  ir::Constant lie;
  lie.type = ir::Type::tensor(ir::DType::Float32, ir::Shape{int64_t(1) << 20, int64_t(1) << 20});
  lie.bytes.assign(64, 0);
  add_const(m, "claims_4_tib", lie);
  EXPECT_THROW(format::write_mlpackage(m, (test::scratch_dir("blob_lie_w") / "x.mlpackage").string()), Error);
}

TEST(ReaderBadInput, BlobSmallerThanShapeNamesOpAndRecord) {
  fs::path pkg = fresh_package("blob_too_small");
  // "w" is fp32[4, 4] = 64 bytes; make its record claim 32.
  overwrite(weight_file(pkg), 64 + 8, {32, 0, 0, 0, 0, 0, 0, 0});
  Error e = open_error(pkg);
  EXPECT_EQ(weight_file(pkg).string(), e.where().file);
  EXPECT_EQ(64, e.where().byte_offset);
  EXPECT_EQ("w", e.where().op) << e.what();
}

TEST(ReaderBadInput, DanglingValueReferenceNamesOp) {
  ir::Model m = test::sample_program();
  ir::Function& f = m.functions.front();
  ir::ValueId ghost = f.add_value("ghost", ir::Type::tensor(ir::DType::Float32, ir::Shape{1, 4}), f.body());
  ir::Op op;
  op.type = "relu";
  op.name = "uses_ghost";
  op.inputs.push_back({"x", {{ghost, nullptr}}});
  op.outputs.push_back(f.add_value("g_out", ghost == 0 ? ir::Type{} : f.value(ghost).type, f.body()));
  f.add_op(f.body(), std::move(op));
  fs::path pkg = fresh_package("dangling", m);
  Error e = open_error(pkg);
  EXPECT_EQ(model_file(pkg).string(), e.where().file);
  EXPECT_EQ("uses_ghost", e.where().op);
  EXPECT_NE(std::string::npos, e.message().find("cyclic or dangling value reference")) << e.what();
}

TEST(ReaderBadInput, ForwardValueReferenceIsACycleError) {
  ir::Model m = test::sample_program();
  ir::Function& f = m.functions.front();
  // Make the first op of the body consume the output of the last one.
  const ir::OpId last = f.body_block().ops.back();
  ir::Op& first = f.ops[static_cast<size_t>(f.body_block().ops.front())];
  first.inputs.push_back({"late", {{f.op(last).outputs[0], nullptr}}});
  const std::string first_name = first.name;
  fs::path pkg = fresh_package("forward_ref", m);
  Error e = open_error(pkg);
  EXPECT_EQ(model_file(pkg).string(), e.where().file);
  EXPECT_EQ(first_name, e.where().op);
  EXPECT_NE(std::string::npos, e.message().find("cyclic or dangling value reference")) << e.what();
}

TEST(ReaderBadInput, NestedBlockCannotSeeItsOwnOpOutputs) {
  ir::Model m = test::sample_program();
  ir::Function& f = m.functions.front();
  const ir::OpId cond = f.find_op("cond_0");
  ASSERT_NE(cond, ir::kNone);
  // The true branch's relu now reads the cond's own result: a cycle through the nesting.
  ir::Op& relu = f.ops[static_cast<size_t>(f.find_op("relu_t"))];
  relu.inputs[0].bindings[0].value = f.op(cond).outputs[0];
  fs::path pkg = fresh_package("nested_cycle", m);
  Error e = open_error(pkg);
  EXPECT_EQ("relu_t", e.where().op) << e.what();
}

}  // namespace
}  // namespace mlscope
