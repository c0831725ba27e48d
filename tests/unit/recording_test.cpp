// Recording format: write/parse round trip, located errors, binding to a model and rejection
// of recordings of other models, npy references, and the recorder's --self-test sample.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/format/mlpackage_writer.h"
#include "core/format/open.h"
#include "core/recording/model_identity.h"
#include "core/recording/recording_files.h"
#include "core/recording/recording_json.h"
#include "core/recording/recording_match.h"
#include "core/util/error.h"
#include "core/io/npy.h"
#include "core/util/sha256.h"
#include "json_schema_subset.h"
#include "placement_ir_builder.h"
#include "support/test_paths.h"

namespace mlscope {
namespace {

namespace fs = std::filesystem;
using analysis::Device;
using recording::Recording;

/// A 3-op fp16 program (const, add, relu) written as a real .mlpackage with our writer.
std::string write_small_package(const std::string& tag, float c = 1.0f) {
  test::PlacementIr b;
  auto x = b.input("x", test::fp16({1, 4}));
  auto k = b.constant("k", ir::Constant::from_floats({c, c, c, c}, ir::Shape{1, 4}, ir::DType::Float16));
  auto a = b.op("add", "a", {{"x", x}, {"y", k}}, test::fp16({1, 4}));
  auto r = b.op("relu", "y", {{"x", a}}, test::fp16({1, 4}));
  b.fn().body_block();
  b.model.functions[0].blocks[static_cast<size_t>(b.body)].outputs = {r};
  ir::Feature fx, fy;
  fx.name = "x";
  fx.type.kind = fy.type.kind = ir::FeatureType::Kind::MultiArray;
  fx.type.array_dtype = fy.type.array_dtype = ir::ArrayDType::Float16;
  fx.type.shape = fy.type.shape = {1, 4};
  fy.name = "y";
  b.model.inputs = {fx};
  b.model.outputs = {fy};
  b.model.specification_version = 8;
  const fs::path dir = test::scratch_dir(tag) / "small.mlpackage";
  format::write_mlpackage(b.done(), dir.string());
  return dir.string();
}

Recording recording_for(const std::string& package) {
  ir::Model m = format::open(package);
  Recording r;
  r.recorder = "test";
  r.path = "rec.json";
  r.model = recording::identify_model(package, m);
  const auto ops = m.functions[0].program_order();
  for (size_t i = 0; i < ops.size(); ++i) {
    const auto& op = m.functions[0].op(ops[i]);
    recording::RecordedOp ro;
    ro.function = "main";
    ro.index = static_cast<int64_t>(i);
    ro.type = op.is_const() ? "const" : "ios17." + op.type;
    ro.name = op.name;
    if (!op.is_const()) {
      ro.preferred = Device::NeuralEngine;
      ro.supported = {Device::CPU, Device::GPU, Device::NeuralEngine};
      ro.cost = 0.5;
    }
    r.plan.push_back(ro);
  }
  recording::Prediction p;
  p.compute_units = "cpu_only";
  p.inputs.push_back({"x", "float16", {1, 4}, {1, 2, 3, 4}, "", ""});
  p.outputs.push_back({"y", "float16", {1, 4}, {2, 3, 4, 5}, "", ""});
  p.stats = {100, true, 0.0};
  r.predictions.push_back(p);
  return r;
}

/// Serializes, lets `edit` change the text, parses back as file `rec.json`.
Recording reparse(const Recording& r, const std::function<void(nlohmann::json&)>& edit = {}) {
  auto j = nlohmann::json::parse(recording::write_recording_json(r));
  if (edit) edit(j);
  return recording::parse_recording_json(j.dump(1), "rec.json");
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Recording, WriteParseRoundTrip) {
  const auto pkg = write_small_package("rec_roundtrip");
  const Recording r = recording_for(pkg);
  const Recording back = reparse(r);
  EXPECT_EQ(back.model.sha256, r.model.sha256);
  EXPECT_EQ(back.model.op_count, 3);
  ASSERT_EQ(back.plan.size(), 3u);
  EXPECT_FALSE(back.plan[0].preferred.has_value());
  EXPECT_EQ(back.plan[1].type, "ios17.add");
  EXPECT_EQ(back.plan[1].preferred, Device::NeuralEngine);
  EXPECT_EQ(back.plan[1].cost, 0.5);
  ASSERT_EQ(back.predictions.size(), 1u);
  EXPECT_EQ(back.predictions[0].outputs[0].values, (std::vector<double>{2, 3, 4, 5}));
  EXPECT_TRUE(back.predictions[0].stats.bit_stable);
  EXPECT_EQ(back.predictions[0].stats.runs, 100);
}

TEST(Recording, IdentityHashesTheSpecFile) {
  const auto pkg = write_small_package("rec_identity");
  const auto id = recording::identify_model(pkg, format::open(pkg));
  EXPECT_EQ(id.format, "mlpackage");
  EXPECT_EQ(id.hashed_file, "Data/com.apple.CoreML/model.mlmodel");
  EXPECT_EQ(id.sha256, sha256_file(pkg + "/Data/com.apple.CoreML/model.mlmodel"));
  EXPECT_EQ(id.op_count, 3);
}

TEST(Recording, Sha256KnownAnswer) {
  // FIPS 180-2 test vector.
  const std::string abc = "abc";
  EXPECT_EQ(sha256_hex({reinterpret_cast<const unsigned char*>(abc.data()), abc.size()}),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Recording, BindsToItsModel) {
  const auto pkg = write_small_package("rec_bind");
  const ir::Model m = format::open(pkg);
  const auto p = recording::placement_from_recording(reparse(recording_for(pkg)), m, pkg);
  EXPECT_EQ(p.source, analysis::PlacementSource::Recorded);
  ASSERT_EQ(p.ops.size(), 3u);
  EXPECT_EQ(p.ops[2].type, "ios17.relu");
  EXPECT_EQ(p.ops[2].name, "y");
  EXPECT_EQ(p.ops[2].rule, "recorded");
  EXPECT_EQ(p.ops[2].preferred, Device::NeuralEngine);
}

TEST(Recording, RejectsRecordingOfAnotherModel) {
  const auto pkg = write_small_package("rec_other_a", 1.0f);
  const auto other = write_small_package("rec_other_b", 2.0f);  // same structure, other constant
  const Recording r = reparse(recording_for(pkg));
  const std::string msg = error_of([&] { recording::placement_from_recording(r, format::open(other), other); });
  EXPECT_NE(msg.find("recording is of another model"), std::string::npos) << msg;
  EXPECT_NE(msg.find("/model/sha256"), std::string::npos) << msg;
}

TEST(Recording, RejectsOpCountMismatch) {
  const auto pkg = write_small_package("rec_count");
  Recording r = recording_for(pkg);
  r.model.format = "mlmodelc";  // hashes not comparable: matching falls back to structure
  r.model.op_count = 4;
  const std::string msg = error_of([&] { recording::placement_from_recording(reparse(r), format::open(pkg), pkg); });
  EXPECT_NE(msg.find("recording is of another model"), std::string::npos) << msg;
  EXPECT_NE(msg.find("4 ops"), std::string::npos) << msg;
}

TEST(Recording, RejectsOpIndexMismatch) {
  const auto pkg = write_small_package("rec_index");
  Recording r = recording_for(pkg);
  r.plan[2].index = 7;
  const std::string msg = error_of([&] { recording::placement_from_recording(reparse(r), format::open(pkg), pkg); });
  EXPECT_NE(msg.find("op-index mismatch"), std::string::npos) << msg;
  EXPECT_NE(msg.find("main[7]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("/compute_plan/ops/2/index"), std::string::npos) << msg;
  r.plan[2].index = 1;  // duplicate
  const std::string dup = error_of([&] { recording::placement_from_recording(reparse(r), format::open(pkg), pkg); });
  EXPECT_NE(dup.find("listed twice"), std::string::npos) << dup;
}

TEST(Recording, RejectsOpTypeMismatch) {
  const auto pkg = write_small_package("rec_type");
  Recording r = recording_for(pkg);
  r.plan[2].type = "ios17.conv";
  const std::string msg = error_of([&] { recording::placement_from_recording(reparse(r), format::open(pkg), pkg); });
  EXPECT_NE(msg.find("op-type mismatch at main[2]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'relu'"), std::string::npos) << msg;
}

TEST(Recording, RejectsUnknownFunction) {
  const auto pkg = write_small_package("rec_fn");
  Recording r = recording_for(pkg);
  r.plan[0].function = "decode";
  const std::string msg = error_of([&] { recording::placement_from_recording(reparse(r), format::open(pkg), pkg); });
  EXPECT_NE(msg.find("function 'decode' is not in the model"), std::string::npos) << msg;
}

TEST(Recording, RejectsUnknownDeviceName) {
  const auto pkg = write_small_package("rec_device");
  const Recording r = recording_for(pkg);
  const std::string msg = error_of([&] {
    reparse(r, [](nlohmann::json& j) { j["compute_plan"]["ops"][1]["preferred"] = "MLNeuralEngineComputeDevice"; });
  });
  EXPECT_NE(msg.find("unknown device \"MLNeuralEngineComputeDevice\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("/compute_plan/ops/1/preferred"), std::string::npos) << msg;
  const std::string sup = error_of([&] {
    reparse(r, [](nlohmann::json& j) { j["compute_plan"]["ops"][1]["supported"][0] = "tpu"; });
  });
  EXPECT_NE(sup.find("/compute_plan/ops/1/supported/0"), std::string::npos) << sup;
}

TEST(Recording, RejectsMalformedJsonWithLineAndColumn) {
  const std::string text = "{\n  \"format\": \"mlscope-recording\",\n  \"format_version\": 1,\n  \"model\": {,}\n}\n";
  try {
    recording::parse_recording_json(text, "bad.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where().file, "bad.json");
    EXPECT_EQ(e.where().line, 4);
    EXPECT_EQ(e.where().column, 13);
    EXPECT_NE(std::string(e.what()).find("malformed recording JSON"), std::string::npos) << e.what();
  }
}

TEST(Recording, RejectsMissingKeysAndWrongTypesWithPointer) {
  const auto pkg = write_small_package("rec_keys");
  const Recording r = recording_for(pkg);
  EXPECT_NE(error_of([&] { reparse(r, [](nlohmann::json& j) { j["model"].erase("sha256"); }); }).find("'/model': missing key \"sha256\""),
            std::string::npos);
  EXPECT_NE(error_of([&] { reparse(r, [](nlohmann::json& j) { j["predictions"][0]["repeat"]["runs"] = "many"; }); })
                .find("/predictions/0/repeat/runs"),
            std::string::npos);
  EXPECT_NE(error_of([&] { reparse(r, [](nlohmann::json& j) { j["predictions"][0]["compute_units"] = "ane"; }); })
                .find("unknown compute units"),
            std::string::npos);
  EXPECT_NE(error_of([&] { reparse(r, [](nlohmann::json& j) { j["predictions"][0]["outputs"][0]["values"] = {1, 2}; }); })
                .find("2 values for shape of 4 elements"),
            std::string::npos);
  EXPECT_NE(error_of([&] { reparse(r, [](nlohmann::json& j) { j["format"] = "other"; }); }).find("not an mlscope recording"),
            std::string::npos);
}

TEST(Recording, NpyReferenceIsVerified) {
  const fs::path dir = test::scratch_dir("rec_npy");
  io::write_npy((dir / "x.npy").string(), exec::Tensor::from_floats(ir::DType::Float32, {1, 3}, {1.5f, -2.0f, 0.25f}));

  Recording r;
  r.path = (dir / "rec.json").string();
  recording::TensorRecord t{"x", "float32", {1, 3}, {}, "x.npy", sha256_file((dir / "x.npy").string())};
  const exec::Tensor back = recording::load_tensor_file(r, t);
  EXPECT_EQ(back.shape(), (exec::Dims{1, 3}));
  EXPECT_EQ(back.at(2), 0.25);
  recording::TensorRecord other_shape = t;
  other_shape.shape = {3, 1};
  EXPECT_NE(error_of([&] { recording::load_tensor_file(r, other_shape); }).find("the recording says float32 [3, 1]"), std::string::npos);
  recording::TensorRecord other_dtype = t;
  other_dtype.dtype = "float16";
  EXPECT_NE(error_of([&] { recording::load_tensor_file(r, other_dtype); }).find("the recording says float16"), std::string::npos);
  t.npy_sha256 = std::string(64, '0');
  EXPECT_NE(error_of([&] { recording::load_tensor_file(r, t); }).find("has SHA-256"), std::string::npos);
}

TEST(Npy, TruncatedDataIsAnErrorNotAnAllocation) {
  std::vector<uint8_t> bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000, 1000), }\n";
  bytes.push_back(static_cast<uint8_t>(h.size()));
  bytes.push_back(0);
  bytes.insert(bytes.end(), h.begin(), h.end());
  bytes.resize(bytes.size() + 8, 0);
  EXPECT_THROW(io::parse_npy(bytes.data(), bytes.size(), "huge.npy"), Error);
  const uint8_t tiny[3] = {1, 2, 3};
  EXPECT_THROW(io::parse_npy(tiny, sizeof tiny, "tiny.npy"), Error);
}

TEST(Recording, RecorderSelfTestSampleLoadsAndMatchesSchema) {
  const fs::path out = test::scratch_dir("rec_selftest") / "sample.json";
  const std::string cmd = "python3 " + (test::source_dir() / "tools/record_coreml.py").string() + " --self-test --out " + out.string();
  std::string log;
  ASSERT_EQ(test::run_command(cmd, &log, true), 0) << log;
  const Recording r = recording::load_recording_file(out.string());
  EXPECT_EQ(r.recorder, "tools/record_coreml.py 1");
  EXPECT_EQ(r.plan.size(), 2u);
  EXPECT_EQ(r.predictions.size(), 4u);
  std::ifstream in(out);
  const auto doc = nlohmann::json::parse(in);
  std::ifstream sin(test::source_dir() / "docs/recording.schema.json");
  const auto schema = nlohmann::json::parse(sin);
  EXPECT_EQ(test::schema_errors(schema, doc), std::vector<std::string>{});
  // The check itself can fail: a wrong device name violates the schema.
  auto bad = doc;
  bad["compute_plan"]["ops"][1]["preferred"] = "ane";
  EXPECT_FALSE(test::schema_errors(schema, bad).empty());
}

TEST(Recording, WrittenRecordingMatchesSchema) {
  const auto pkg = write_small_package("rec_schema");
  const auto doc = nlohmann::json::parse(recording::write_recording_json(recording_for(pkg)));
  std::ifstream sin(test::source_dir() / "docs/recording.schema.json");
  EXPECT_EQ(test::schema_errors(nlohmann::json::parse(sin), doc), std::vector<std::string>{});
}

}  // namespace
}  // namespace mlscope
