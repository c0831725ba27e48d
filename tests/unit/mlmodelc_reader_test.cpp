// .mlmodelc / bare .mil reader on bundles made in the test (JSON written with nlohmann, MIL text
// printed from IR), including broken ones: every failure names the file and the place.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/format/open.h"
#include "core/util/error.h"
#include "support/test_paths.h"

namespace mlscope::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

json feature(const std::string& name, const std::string& shape) {
  return {{"name", name}, {"type", "MultiArray"}, {"dataType", "Float32"}, {"shape", shape},
          {"isOptional", "0"}, {"hasShapeFlexibility", "0"}, {"shortDescription", "d " + name}};
}

json metadata(const std::string& type, const std::string& in, const std::string& out) {
  json o = {{"specificationVersion", 7},
            {"modelType", {{"name", "MLModelType_" + type}}},
            {"isUpdatable", "0"},
            {"inputSchema", json::array({feature(in, "[1, 2]")})},
            {"outputSchema", json::array({feature(out, "[1, 2]")})},
            {"userDefinedMetadata", {{"k", "v"}}}};
  return json::array({o});
}

const std::string kMil =
    "program(1.0)\n{\n    func main<ios16>(tensor<fp32, [1, 2]> x) {\n"
    "            tensor<fp32, [1, 2]> y = relu(x = x)[name = tensor<string, []>(\"r\")];\n        } -> (y);\n}\n";

template <typename F>
Error expect_error(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no mlscope::Error";
  return Error({}, "none");
}

TEST(MlmodelcReader, MlProgramBundleWithMetadata) {
  fs::path d = scratch_dir("mlmodelc_ok") / "M.mlmodelc";
  write(d / "model.mil", kMil);
  write(d / "metadata.json", metadata("mlProgram", "x", "y").dump(2));
  ir::Model m = format::open(d.string());
  EXPECT_EQ(m.format, ir::Format::MLModelC);
  EXPECT_EQ(m.kind, "mlProgram");
  EXPECT_EQ(m.specification_version, 7);
  ASSERT_EQ(m.inputs.size(), 1u);
  EXPECT_EQ(m.inputs[0].type.shape, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(m.inputs[0].type.array_dtype, ir::ArrayDType::Float32);
  EXPECT_EQ(m.inputs[0].short_description, "d x");
  EXPECT_EQ(m.metadata.user_defined.at("k"), "v");
  EXPECT_EQ(m.functions.at(0).opset, "ios16");
  EXPECT_EQ(m.functions.at(0).specializations.at(0).opset, "ios16");
}

TEST(MlmodelcReader, WithoutMetadataTheInterfaceComesFromTheProgram) {
  fs::path d = scratch_dir("mlmodelc_nometa") / "M.mlmodelc";
  write(d / "model.mil", kMil);
  ir::Model m = format::open(d.string());
  ASSERT_EQ(m.inputs.size(), 1u);
  EXPECT_EQ(m.inputs[0].name, "x");
  EXPECT_EQ(m.outputs.at(0).name, "y");
  EXPECT_EQ(m.outputs[0].type.kind, ir::FeatureType::Kind::MultiArray);
  EXPECT_FALSE(m.notes.empty());
}

TEST(MlmodelcReader, BareMilDescribesEveryFunction) {
  fs::path d = scratch_dir("bare_mil");
  std::string two = kMil.substr(0, kMil.rfind('}')) +
                    "    func second<ios17>(state<tensor<fp16, [4]>> s, tensor<int32, []> n) {\n        } -> (n);\n}\n";
  write(d / "two.mil", two);
  ir::Model m = format::open((d / "two.mil").string());
  EXPECT_EQ(m.format, ir::Format::MILText);
  EXPECT_EQ(m.kind, "mlProgram");
  EXPECT_EQ(m.default_function, "main");
  ASSERT_EQ(m.function_descriptions.size(), 2u);
  EXPECT_EQ(m.function_descriptions[1].name, "second");
  ASSERT_EQ(m.function_descriptions[1].states.size(), 1u);
  EXPECT_EQ(m.function_descriptions[1].states[0].type.kind, ir::FeatureType::Kind::State);
  EXPECT_EQ(m.function_descriptions[1].states[0].type.array_dtype, ir::ArrayDType::Float16);
  EXPECT_EQ(m.inputs.at(0).name, "x");
}

TEST(MlmodelcReader, MalformedMetadataNamesFileAndByte) {
  fs::path d = scratch_dir("mlmodelc_badmeta") / "M.mlmodelc";
  write(d / "model.mil", kMil);
  std::string full = metadata("mlProgram", "x", "y").dump();
  write(d / "metadata.json", full.substr(0, full.size() / 2));  // truncated JSON
  Error e = expect_error([&] { format::open(d.string()); });
  EXPECT_EQ(e.where().file, (d / "metadata.json").string());
  EXPECT_GT(e.where().byte_offset, 0);
  json bad = metadata("mlProgram", "x", "y");
  bad[0]["inputSchema"][0]["shape"] = "[1, two]";
  write(d / "metadata.json", bad.dump());
  Error e2 = expect_error([&] { format::open(d.string()); });
  EXPECT_EQ(e2.where().op, "x");
  EXPECT_NE(e2.message().find("[1, two]"), std::string::npos);
}

TEST(MlmodelcReader, EspressoBundleAndItsErrors) {
  fs::path d = scratch_dir("espresso") / "N.mlmodelc";
  json layers = json::array({{{"type", "convolution"}, {"name", "c1"}, {"bottom", "in"}, {"top", "h"}, {"fused_relu", 1}, {"C", 8}},
                             {{"type", "concat"}, {"name", "cat"}, {"bottom", "h,in"}, {"top", "out"}, {"attributes", {{"is_output", 1}}}}});
  write(d / "model.espresso.net", json({{"storage", "model.espresso.weights"}, {"layers", layers}}).dump());
  write(d / "model.espresso.shape",
        json({{"layer_shapes", {{"h", {{"n", 1}, {"k", 8}, {"h", 4}, {"w", 5}, {"_rank", 4}}}}}}).dump());
  write(d / "metadata.json", metadata("neuralNetwork", "in", "out").dump());
  ir::Model m = format::open(d.string());
  EXPECT_EQ(m.kind, "neuralNetwork (espresso)");
  const ir::Function& f = m.functions.at(0);
  ASSERT_EQ(f.ops.size(), 2u);
  EXPECT_EQ(f.ops[0].qualified_type(), "nn.convolution");
  EXPECT_EQ(f.ops[0].attribute_value("C")->scalar_int(), 8);
  EXPECT_EQ(f.ops[1].inputs.size(), 2u);  // "h,in": two inputs
  EXPECT_NE(f.ops[1].attribute("attributes.is_output"), nullptr);
  EXPECT_EQ(f.value(f.ops[0].outputs[0]).type.shape, (ir::Shape{1, 8, 4, 5}));
  EXPECT_EQ(f.value(f.outputs().at(0)).name, "out");
  EXPECT_EQ(f.value(f.inputs.at(0)).uses.size(), 2u);

  // A layer reading a blob nobody produced: named by the layer.
  layers[1]["bottom"] = "h,ghost";
  write(d / "model.espresso.net", json({{"layers", layers}}).dump());
  Error e = expect_error([&] { format::open(d.string()); });
  EXPECT_EQ(e.where().op, "cat");
  EXPECT_NE(e.message().find("ghost"), std::string::npos);
  // Not JSON at all: file + byte offset.
  write(d / "model.espresso.net", "{\"layers\": [ {\"type\": ");
  Error e2 = expect_error([&] { format::open(d.string()); });
  EXPECT_EQ(e2.where().file, (d / "model.espresso.net").string());
  EXPECT_GE(e2.where().byte_offset, 0);
}

TEST(MlmodelcReader, CompiledPipelineFromSubFolders) {
  fs::path d = scratch_dir("pipeline") / "P.mlmodelc";
  write(d / "metadata.json", metadata("pipeline", "x", "y").dump());
  for (const char* stage : {"model0", "model1", "model10", "model2"}) write(d / stage / "model.mil", kMil);
  ir::Model m = format::open(d.string());
  EXPECT_EQ(m.kind, "pipeline");
  EXPECT_EQ(m.submodel_names, (std::vector<std::string>{"model0", "model1", "model2", "model10"}));
  EXPECT_EQ(m.op_counts().at("relu"), 4);
}

TEST(MlmodelcReader, UnreadableBundles) {
  fs::path d = scratch_dir("empty_bundle") / "E.mlmodelc";
  fs::create_directories(d);
  Error e = expect_error([&] { format::read_mlmodelc(d.string()); });
  EXPECT_NE(e.message().find("not a readable .mlmodelc"), std::string::npos);
  // Only metadata: the interface, and a note instead of a program.
  write(d / "metadata.json", metadata("treeEnsembleRegressor", "x", "y").dump());
  ir::Model m = format::read_mlmodelc(d.string());
  EXPECT_EQ(m.kind, "treeEnsembleRegressor");
  EXPECT_TRUE(m.functions.empty());
  EXPECT_FALSE(m.notes.empty());
  // A syntax error inside model.mil is reported at its line in model.mil.
  write(d / "model.mil", "program(1.0)\n{\n    func main<ios16>( {\n");
  Error e2 = expect_error([&] { format::open(d.string()); });
  EXPECT_EQ(e2.where().file, (d / "model.mil").string());
  EXPECT_EQ(e2.where().line, 3);
}

}  // namespace
}  // namespace mlscope::test

namespace mlscope::test {
namespace {

TEST(MlmodelcReader, MilTextIsRecognisedWhateverItsExtension) {
  fs::path d = scratch_dir("mil_sniff");
  write(d / "program.txt", "\n  " + kMil);
  ir::Model m = format::open((d / "program.txt").string());
  EXPECT_EQ(m.format, ir::Format::MILText);
  EXPECT_EQ(m.op_counts().at("relu"), 1);
}

TEST(MlmodelcReader, DeeplyNestedBlocksAreBounded) {
  std::string body;
  for (int i = 0; i < 100; ++i) body += "int32 v" + std::to_string(i) + " = cond(pred = p) {\n";
  fs::path d = scratch_dir("mil_deep_blocks");
  write(d / "deep.mil", "program(1.0)\n{\n    func main<ios16>(bool p) {\n" + body);
  try {
    format::open((d / "deep.mil").string());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where().line, 4 + 64);  // the 65th nested block
    EXPECT_NE(e.message().find("nested blocks deeper than 64"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mlscope::test
