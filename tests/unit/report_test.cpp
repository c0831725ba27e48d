// info/ops reports on models built in code: every documented JSON key is produced, values come
// from the IR (counts, program order, nesting, literals, constants), and the text forms line up.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "core/format/mil_printer.h"
#include "core/format/mlpackage_writer.h"
#include "core/ir/model.h"
#include "core/report/model_report.h"
#include "core/report/model_text.h"
#include "core/util/error.h"
#include "support/doc_keys.h"
#include "support/test_paths.h"

using namespace mlscope;
using namespace mlscope::ir;
using nlohmann::json;

namespace {

std::shared_ptr<const Constant> lit(Constant c) { return std::make_shared<const Constant>(std::move(c)); }

Feature array_feature(std::string name, ArrayDType dt, std::vector<int64_t> shape,
                      FeatureType::Kind kind = FeatureType::Kind::MultiArray) {
  Feature f;
  f.name = std::move(name);
  f.type.kind = kind;
  f.type.array_dtype = dt;
  f.type.shape = std::move(shape);
  return f;
}

Feature simple_feature(std::string name, FeatureType::Kind kind, FeatureType::Kind key = FeatureType::Kind::Invalid) {
  Feature f;
  f.name = std::move(name);
  f.type.kind = kind;
  f.type.key_kind = key;
  return f;
}

/// Adds `type` with one fp16 output named `out` to `block`; inputs are (arg, value) pairs.
OpId add(Function& f, BlockId block, std::string type, std::string name,
         std::vector<std::pair<std::string, std::vector<Binding>>> inputs, std::string out, Type out_type) {
  Op op;
  op.type = std::move(type);
  op.name = std::move(name);
  for (auto& [arg, bindings] : inputs) op.inputs.push_back({arg, bindings});
  op.outputs.push_back(f.add_value(std::move(out), std::move(out_type), block));
  return f.add_op(block, std::move(op));
}

Binding val(const Function& f, const std::string& name) {
  Binding b;
  b.value = f.find_value(name);
  EXPECT_NE(b.value, kNone) << name;
  return b;
}

Binding literal(Constant c) {
  Binding b;
  b.literal = lit(std::move(c));
  return b;
}

OpId add_const(Function& f, BlockId block, const std::string& name, Constant c) {
  Op op;
  op.type = "const";
  op.name = name;
  Type t = c.type;
  op.attributes.push_back({"val", lit(std::move(c))});
  op.outputs.push_back(f.add_value(name, t, block));
  return f.add_op(block, std::move(op));
}

const Type kFp16x = Type::tensor(DType::Float16, Shape{1, 3, 4, 4});
const Type kConvOut = Type::tensor(DType::Float16, Shape{1, 2, 4, 4});

/// main<CoreML7>: 4 consts, conv, cond with a relu in each branch, concat (variadic), reduce_mean.
Function main_function() {
  Function f;
  f.name = "main";
  f.opset = "CoreML7";
  BlockId body = f.add_block(kNone);
  f.specializations.push_back({"CoreML7", body});
  f.inputs.push_back(f.add_value("x", kFp16x, body));
  add_const(f, body, "w", Constant::from_floats({1, 2, 3, 4, 5, 6}, Shape{2, 3, 1, 1}, DType::Float16));
  add_const(f, body, "big", Constant::from_floats(std::vector<float>(40, 0.5f), Shape{40}, DType::Float32));
  add_const(f, body, "pad_type", Constant::from_string("valid"));
  add_const(f, body, "flag", Constant::from_bool(true));
  OpId conv = add(f, body, "conv", "conv_0",
                  {{"x", {val(f, "x")}},
                   {"weight", {val(f, "w")}},
                   {"pad_type", {val(f, "pad_type")}},
                   {"strides", {literal(Constant::from_ints({1, 1}, Shape{2}))}},
                   {"bias_big", {literal(Constant::from_ints(std::vector<int64_t>(20, 7), Shape{20}))}}},
                  "conv_0_out", kConvOut);
  f.ops[static_cast<size_t>(conv)].attributes.push_back({"groups_hint", lit(Constant::from_ints({1}, Shape{}))});
  OpId cond = add(f, body, "cond", "cond_0", {{"pred", {val(f, "flag")}}}, "cond_out", kConvOut);
  BlockId then_b = f.add_block(cond);
  BlockId else_b = f.add_block(cond);
  add(f, then_b, "relu", "relu_then", {{"x", {val(f, "conv_0_out")}}}, "relu_then_out", kConvOut);
  add(f, else_b, "relu", "relu_else", {{"x", {val(f, "conv_0_out")}}}, "relu_else_out", kConvOut);
  f.blocks[static_cast<size_t>(then_b)].outputs = {f.find_value("relu_then_out")};
  f.blocks[static_cast<size_t>(else_b)].outputs = {f.find_value("relu_else_out")};
  add(f, body, "concat", "cat",
      {{"values", {val(f, "conv_0_out"), val(f, "cond_out")}}, {"axis", {literal(Constant::from_ints({1}, Shape{}))}}},
      "cat_out", Type::tensor(DType::Float16, Shape{1, kUnknownDim, 4, 4}));
  add(f, body, "reduce_mean", "mean", {{"x", {val(f, "cat_out")}}}, "y",
      Type::tensor(DType::Float16, Shape{1, 2}));
  f.blocks[static_cast<size_t>(body)].outputs = {f.find_value("y")};
  f.rebuild_uses();
  return f;
}

/// A second function with a list-typed output and an unknown-rank tensor.
Function aux_function() {
  Function f;
  f.name = "aux";
  f.opset = "CoreML8";
  BlockId body = f.add_block(kNone);
  f.specializations.push_back({"CoreML8", body});
  Type unk = Type::tensor(DType::Int32, Shape{});
  unk.shape.unknown_rank = true;
  f.inputs.push_back(f.add_value("ids", unk, body));
  Constant elem_shape;  // a list literal: reported by its type and a summary
  elem_shape.type = Type::list(Type::scalar(DType::Int32), 1);
  elem_shape.elements = {Constant::from_ints({4}, Shape{})};
  add(f, body, "make_list", "lst",
      {{"init_length", {literal(Constant::from_ints({2}, Shape{}))}}, {"elem_shape", {literal(elem_shape)}}}, "lst_out",
      Type::list(Type::tensor(DType::Float32, Shape{4}), 2));
  f.blocks[static_cast<size_t>(body)].outputs = {f.find_value("lst_out")};
  f.rebuild_uses();
  return f;
}

Model program_model() {
  Model m;
  m.path = "/models/fixture.mlpackage";
  m.format = Format::MLPackage;
  m.kind = "mlProgram";
  m.specification_version = 8;
  Feature x = array_feature("x", ArrayDType::Float16, {1, 3, 4, 4});
  x.short_description = "input tensor";
  x.type.enumerated_shapes = {{1, 3, 4, 4}, {1, 3, 8, 8}};
  x.type.shape_ranges = {{1, 1}, {3, 3}, {4, -1}, {4, 64}};
  Feature img = simple_feature("img", FeatureType::Kind::Image);
  img.type.image_width = 8;
  img.type.image_height = 6;
  img.type.color_space = 30;
  img.type.optional = true;
  m.inputs = {x, img};
  m.outputs = {array_feature("y", ArrayDType::Float16, {1, 2}),
               simple_feature("probs", FeatureType::Kind::Dictionary, FeatureType::Kind::String),
               simple_feature("tokens", FeatureType::Kind::Sequence, FeatureType::Kind::Int64)};
  m.states = {array_feature("k_cache", ArrayDType::Float16, {1, 2}, FeatureType::Kind::State)};
  m.function_descriptions.push_back({"main", m.inputs, m.outputs, m.states, "", ""});
  m.default_function = "main";
  m.metadata = {"a fixture", "1.2", "mlscope tests", "MIT", {{"com.github.apple.coremltools.version", "9.0"}}};
  m.program_version = 1;
  m.program_attributes = {{"buildInfo.coremltools-version", "9.0"}};
  m.functions.push_back(aux_function());
  m.functions.push_back(main_function());
  m.notes = {"fixture built in code"};
  return m;
}

/// A pipeline: a NeuralNetwork classifier stage and a stage without an op graph.
Model pipeline_model() {
  Model nn;
  nn.kind = "neuralNetworkClassifier";
  nn.format = Format::MLModel;
  Function f;
  f.name = "neuralNetwork";
  f.dialect = Dialect::NeuralNetwork;
  BlockId body = f.add_block(kNone);
  f.specializations.push_back({"", body});
  f.inputs.push_back(f.add_value("image", Type::tensor(DType::Float32, Shape{1, 3, 8, 8}), body));
  Op conv;
  conv.type = "convolution";
  conv.name = "conv1";
  conv.dialect = Dialect::NeuralNetwork;
  conv.inputs.push_back({"input", {val(f, "image")}});
  conv.outputs.push_back(f.add_value("conv1_out", Type::tensor(DType::Float32, Shape{1, 4, 8, 8}), body));
  f.add_op(body, conv);
  Op act = conv;
  act.type = "activation";
  act.name = "relu1";
  act.inputs = {{"input", {val(f, "conv1_out")}}};
  act.outputs = {f.add_value("relu1_out", Type::tensor(DType::Float32, Shape{1, 4, 8, 8}), body)};
  f.add_op(body, act);
  f.rebuild_uses();
  nn.functions.push_back(std::move(f));
  nn.class_labels = {"cat", "dog", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
  ImagePreprocessing scaler;
  scaler.feature_name = "image";
  scaler.channel_scale = 1.0f / 255;
  scaler.red_bias = -0.5f;
  ImagePreprocessing mean;
  mean.feature_name = "image";
  mean.mean_image = std::vector<float>(12, 0.25f);
  nn.preprocessing = {scaler, mean};

  Model tree;
  tree.kind = "treeEnsembleRegressor";
  tree.notes = {"no op graph: treeEnsembleRegressor"};

  Model p;
  p.path = "/models/pipe.mlmodel";
  p.format = Format::MLModel;
  p.kind = "pipelineClassifier";
  p.specification_version = 1;
  p.inputs = {simple_feature("size", FeatureType::Kind::Double)};
  p.outputs = {simple_feature("label", FeatureType::Kind::String)};
  p.predicted_feature_name = "label";
  p.predicted_probabilities_name = "probs";
  p.class_labels = nn.class_labels;
  p.preprocessing = nn.preprocessing;
  p.submodel_names = {"net"};  // the second stage has no name: its kind is shown
  p.submodels = {nn, tree};
  return p;
}

std::vector<std::string> op_names(const json& fn) {
  std::vector<std::string> names;
  for (const auto& op : fn["ops"]) names.push_back(op["name"]);
  return names;
}

}  // namespace

TEST(InfoJson, ProducesEveryDocumentedKey) {
  ASSERT_FALSE(test::documented_keys("`info --json`").empty()) << "docs/cli-json.md has no info key table";
  // Weight-file entries need a real weight.bin; the corpus test checks those keys.
  std::set<std::string> need_blob = {"weight_files[].path", "weight_files[].bytes", "weight_files[].blobs"};
  auto missing = test::missing_documented_keys(
      "`info --json`", {report::info_json(program_model()), report::info_json(pipeline_model())}, need_blob);
  EXPECT_TRUE(missing.empty()) << "documented but not produced: " << json(missing).dump();
}

TEST(OpsJson, ProducesEveryDocumentedKey) {
  ASSERT_FALSE(test::documented_keys("`ops --json").empty());
  // Blob-backed literals/constants need a weight file; the corpus test checks those on a real one.
  std::set<std::string> need_blob = {"functions[].ops[].inputs.{argument}[].file",
                                     "functions[].ops[].inputs.{argument}[].offset",
                                     "functions[].ops[].constant.file", "functions[].ops[].constant.offset"};
  auto missing = test::missing_documented_keys(
      "`ops --json", {report::ops_json(program_model()), report::ops_json(pipeline_model())}, need_blob);
  EXPECT_TRUE(missing.empty()) << "documented but not produced: " << json(missing).dump();
}

TEST(DocKeys, PathResolverFindsOnlyRealKeys) {
  json doc = {{"a", {{{"b", 1}}, {{"c", 2}}}}, {"m", {{"k1", {{"v", 1}}}}}};
  EXPECT_TRUE(test::has_key_path(doc, "a[].b"));
  EXPECT_TRUE(test::has_key_path(doc, "a[].c"));
  EXPECT_FALSE(test::has_key_path(doc, "a[].d"));
  EXPECT_TRUE(test::has_key_path(doc, "m.{key}.v"));
  EXPECT_FALSE(test::has_key_path(doc, "m.{key}.w"));
  EXPECT_FALSE(test::has_key_path(doc, "m[]"));  // an object is not an array
  EXPECT_TRUE(test::has_key_path(json({{"e", json::array()}}), "e[]"));  // an empty array exists
  EXPECT_FALSE(test::has_key_path(json({{"e", json::array()}}), "e[].x"));
}

TEST(InfoJson, CountsAndInterfaceComeFromTheIr) {
  json j = report::info_json(program_model());
  EXPECT_EQ(j["format"], "mlpackage");
  EXPECT_EQ(j["kind"], "mlProgram");
  EXPECT_EQ(j["specification_version"], 8);
  EXPECT_EQ(j["functions"], json({"aux", "main"}));
  EXPECT_EQ(j["default_function"], "main");
  EXPECT_EQ(j["block_specializations"]["main"], json({"CoreML7"}));
  // main: 4 const + conv + cond + 2 relu (nested) + concat + reduce_mean; aux: make_list.
  EXPECT_EQ(j["op_counts"], json({{"concat", 1}, {"cond", 1}, {"const", 4}, {"conv", 1}, {"make_list", 1},
                                  {"reduce_mean", 1}, {"relu", 2}}));
  EXPECT_EQ(j["op_count_total"], 11);
  EXPECT_EQ(j["nested_ops"], 2);
  const json& x = j["inputs"][0];
  EXPECT_EQ(x["type"], "multiArrayType");
  EXPECT_EQ(x["dtype"], "FLOAT16");
  EXPECT_EQ(x["shape"], json({1, 3, 4, 4}));
  EXPECT_EQ(x["shape_ranges"][2], json({4, -1}));
  EXPECT_EQ(x["enumerated_shapes"].size(), 2u);
  const json& img = j["inputs"][1];
  EXPECT_EQ(img["type"], "imageType");
  EXPECT_EQ(img["color_space"], "BGR");
  EXPECT_EQ(img["width"], 8);
  EXPECT_EQ(img["height"], 6);
  EXPECT_EQ(img["optional"], true);
  EXPECT_FALSE(img.contains("dtype"));  // dtype is for arrays and states only
  EXPECT_EQ(j["outputs"][1]["key_type"], "stringType");
  EXPECT_EQ(j["states"][0]["type"], "stateType");
  EXPECT_EQ(j["states"][0]["dtype"], "FLOAT16");
  const json& main = j["function_details"][1];
  EXPECT_EQ(main["name"], "main");
  EXPECT_EQ(main["op_count"], 10);
  EXPECT_EQ(main["inputs"][0]["type"], "tensor<fp16, [1, 3, 4, 4]>");
  EXPECT_EQ(main["outputs"][0]["name"], "y");
  EXPECT_TRUE(j["function_details"][0]["inputs"][0]["shape"].is_null());  // unknown rank
  EXPECT_EQ(j["metadata"]["user_defined"]["com.github.apple.coremltools.version"], "9.0");
  // Inline payloads: 6 fp16 + 40 fp32 + "valid" + 1 bool + literals (2 + 20 + 1 int32, 1 int32 attr, 1 int32)
  // + the list literal's element (1 int32).
  EXPECT_EQ(j["weight_bytes"], 12 + 160 + 5 + 1 + (2 + 20 + 1 + 1 + 1 + 1) * 4);
}

TEST(InfoJson, PipelineStagesAndClassLabels) {
  json j = report::info_json(pipeline_model());
  ASSERT_EQ(j["submodels"].size(), 2u);
  EXPECT_EQ(j["submodels"][0], json({{"name", "net"}, {"kind", "neuralNetworkClassifier"}, {"op_count", 2}}));
  EXPECT_EQ(j["submodels"][1]["name"], "treeEnsembleRegressor");
  EXPECT_EQ(j["op_counts"], json({{"activation", 1}, {"convolution", 1}}));
  EXPECT_EQ(j["class_labels"]["count"], 12);
  EXPECT_EQ(j["class_labels"]["first"].size(), report::kMaxListedClassLabels);
  EXPECT_EQ(j["class_labels"]["first"][1], "dog");
  EXPECT_EQ(j["functions"], json::array());
  EXPECT_EQ(j["preprocessing"][1]["kind"], "meanImage");
  EXPECT_EQ(j["preprocessing"][1]["mean_image_size"], 12);
}

TEST(InfoJson, NeuralNetworkLayerListIsNoProgramFunction) {
  Model nn = pipeline_model().submodels[0];
  json j = report::info_json(nn);
  EXPECT_EQ(j["functions"], json::array());  // as the schema (and expected.json) count functions
  EXPECT_EQ(j["block_specializations"], json::object());
  ASSERT_EQ(j["function_details"].size(), 1u);
  EXPECT_EQ(j["function_details"][0]["dialect"], "nn");
  EXPECT_EQ(j["function_details"][0]["op_count"], 2);
  EXPECT_EQ(j["default_function"], "");
}

TEST(OpsJson, ProgramOrderNestingAndBindings) {
  json j = report::ops_json(program_model());
  ASSERT_EQ(j["functions"].size(), 2u);
  const json& main = j["functions"][1];
  EXPECT_EQ(main["opset"], "CoreML7");
  EXPECT_EQ(op_names(main), (std::vector<std::string>{"w", "big", "pad_type", "flag", "conv_0", "cond_0", "relu_then",
                                                      "relu_else", "cat", "mean"}));
  for (size_t i = 0; i < main["ops"].size(); ++i) EXPECT_EQ(main["ops"][i]["index"], i);
  const json& conv = main["ops"][4];
  EXPECT_EQ(conv["type"], "conv");
  EXPECT_EQ(conv["opset"], "CoreML7");
  EXPECT_EQ(conv["dialect"], "mil");
  EXPECT_EQ(conv["block"], "");
  EXPECT_EQ(conv["inputs"]["x"], json({"x"}));
  EXPECT_EQ(conv["inputs"]["weight"], json({"w"}));
  EXPECT_EQ(conv["inputs"]["strides"][0], json({{"dtype", "int32"}, {"shape", {2}}, {"value", {1, 1}}}));
  const json& big_lit = conv["inputs"]["bias_big"][0];  // 20 elements: location, not values
  EXPECT_FALSE(big_lit.contains("value"));
  EXPECT_EQ(big_lit["location"], "inline");
  EXPECT_EQ(big_lit["bytes"], 80);
  EXPECT_EQ(conv["attributes"]["groups_hint"], "1");
  EXPECT_EQ(conv["outputs"][0], json({{"name", "conv_0_out"}, {"dtype", "fp16"}, {"shape", {1, 2, 4, 4}},
                                      {"type", "tensor<fp16, [1, 2, 4, 4]>"}}));
  EXPECT_FALSE(conv.contains("constant"));
  const json& then_relu = main["ops"][6];
  EXPECT_EQ(then_relu["block"], "cond_0/block0");
  EXPECT_EQ(then_relu["depth"], 1);
  EXPECT_EQ(main["ops"][7]["block"], "cond_0/block1");
  EXPECT_EQ(main["ops"][8]["inputs"]["values"], json({"conv_0_out", "cond_out"}));  // variadic, in order
  EXPECT_EQ(main["ops"][8]["inputs"]["axis"][0]["value"], 1);                         // scalar unwrapped
  EXPECT_EQ(main["ops"][8]["outputs"][0]["shape"], json({1, -1, 4, 4}));
  // aux: a list-typed output has no dtype/shape.
  const json& lst = j["functions"][0]["ops"][0]["outputs"][0];
  EXPECT_TRUE(lst["dtype"].is_null());
  EXPECT_EQ(lst["type"], "list<tensor<fp32, [4]>, 2>");
  const json& elem_shape = j["functions"][0]["ops"][0]["inputs"]["elem_shape"][0];
  EXPECT_EQ(elem_shape["type"], "list<tensor<int32, []>, 1>");
  EXPECT_EQ(elem_shape["value"], "list<tensor<int32, []>, 1> (1 items)");
}

TEST(OpsJson, ConstPayloads) {
  json main = report::ops_json(program_model(), "main")["functions"][0];
  const json& w = main["ops"][0]["constant"];
  EXPECT_EQ(w["dtype"], "fp16");
  EXPECT_EQ(w["shape"], json({2, 3, 1, 1}));
  EXPECT_EQ(w["location"], "inline");
  EXPECT_EQ(w["bytes"], 12);
  EXPECT_EQ(w["value"], json({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}));
  const json& big = main["ops"][1]["constant"];
  EXPECT_EQ(big["bytes"], 160);
  EXPECT_FALSE(big.contains("value"));
  EXPECT_EQ(main["ops"][2]["constant"]["value"], "valid");
  EXPECT_EQ(main["ops"][3]["constant"]["value"], true);
  EXPECT_EQ(main["ops"][3]["outputs"][0]["dtype"], "bool");
}

TEST(OpsJson, FunctionFilterAndUnknownFunction) {
  Model m = program_model();
  json only = report::ops_json(m, "aux");
  ASSERT_EQ(only["functions"].size(), 1u);
  EXPECT_EQ(only["functions"][0]["name"], "aux");
  try {
    report::ops_json(m, "nope");
    FAIL() << "expected mlscope::Error";
  } catch (const Error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("/models/fixture.mlpackage"), std::string::npos) << what;
    EXPECT_NE(what.find("'nope'"), std::string::npos) << what;
    EXPECT_NE(what.find("aux, main"), std::string::npos) << what;
  }
}

TEST(OpsJson, NeuralNetworkLayersAndSubmodels) {
  json j = report::ops_json(pipeline_model());
  EXPECT_EQ(j["functions"], json::array());
  ASSERT_EQ(j["submodels"].size(), 2u);
  const json& net = j["submodels"][0];
  EXPECT_EQ(net["name"], "net");
  const json& conv = net["functions"][0]["ops"][0];
  EXPECT_EQ(conv["type"], "convolution");
  EXPECT_EQ(conv["opset"], "nn");
  EXPECT_EQ(conv["dialect"], "nn");
  EXPECT_EQ(net["functions"][0]["ops"][1]["inputs"]["input"], json({"conv1_out"}));
  EXPECT_EQ(j["submodels"][1]["functions"], json::array());
}

TEST(OpsJson, MalformedLiteralIsReportedNotFatal) {
  Model m = program_model();
  Function& f = m.functions[1];
  Constant bad;
  bad.type = Type::tensor(DType::Float16, Shape{3});
  bad.bytes = {0, 0};  // 2 bytes for 3 fp16 elements
  f.ops[static_cast<size_t>(f.find_op("conv_0"))].inputs[3].bindings[0].literal = lit(bad);
  json conv = report::ops_json(m, "main")["functions"][0]["ops"][4];
  const json& b = conv["inputs"]["strides"][0];
  EXPECT_TRUE(b.contains("error")) << b.dump();
  EXPECT_FALSE(b.contains("value"));
}

TEST(InfoText, TablesAndSortedOpCounts) {
  std::string t = report::info_text(program_model());
  EXPECT_TRUE(std::regex_search(t, std::regex("\nformat +mlpackage\n"))) << t;
  EXPECT_NE(t.find("ranges [1..1, 3..3, 4..inf, 4..64]"), std::string::npos) << t;
  EXPECT_TRUE(std::regex_search(t, std::regex("\nops +11 total, 2 in nested blocks\n"))) << t;
  EXPECT_NE(t.find("multiArray<FLOAT16, [1, 3, 4, 4]>"), std::string::npos) << t;
  EXPECT_NE(t.find("image<BGR, 8x6> (optional)"), std::string::npos) << t;
  // Op types most frequent first: const (4) before relu (2) before the singletons.
  size_t c = t.find("  const"), r = t.find("  relu"), conv = t.find("  conv ");
  ASSERT_NE(c, std::string::npos);
  ASSERT_NE(r, std::string::npos);
  ASSERT_NE(conv, std::string::npos);
  EXPECT_LT(c, r);
  EXPECT_LT(r, conv);
  EXPECT_NE(t.find("note: fixture built in code"), std::string::npos);
}

TEST(OpsText, OneAlignedLinePerOp) {
  std::string t = report::ops_text(program_model(), "main");
  EXPECT_EQ(t.rfind("function main<CoreML7>: 10 ops\n", 0), 0u) << t;
  std::regex conv_line(R"(\n  4  conv +conv_0 +\(x=x, weight=w, pad_type=pad_type, strides=\[1, 1\], bias_big=tensor<int32, \[20\]> inline\)\[groups_hint=1\] -> tensor<fp16, \[1, 2, 4, 4\]> conv_0_out\n)");
  EXPECT_TRUE(std::regex_search(t, conv_line)) << t;
  std::regex nested(R"(\n  6    relu +relu_then +\(x=conv_0_out\))");  // indented by depth
  EXPECT_TRUE(std::regex_search(t, nested)) << t;
  EXPECT_NE(t.find("(values=(conv_0_out, cond_out), axis=1)"), std::string::npos) << t;
  EXPECT_NE(t.find("(val=\"valid\")"), std::string::npos) << t;
  // Every column starts at the same offset on every op line: the name column is aligned.
  std::vector<size_t> name_cols;
  for (const char* name : {" w ", " conv_0 ", " mean "}) {
    size_t at = t.find(name);
    ASSERT_NE(at, std::string::npos) << name;
    name_cols.push_back(at - t.rfind('\n', at));
  }
  EXPECT_EQ(name_cols[0], name_cols[1]);
  EXPECT_EQ(name_cols[1], name_cols[2]);
}

TEST(OpsText, PipelineListsStagesAndNotes) {
  std::string t = report::ops_text(pipeline_model());
  EXPECT_NE(t.find("submodel net (neuralNetworkClassifier)"), std::string::npos) << t;
  EXPECT_NE(t.find("nn.convolution"), std::string::npos) << t;
  EXPECT_NE(t.find("no op graph (treeEnsembleRegressor)"), std::string::npos) << t;
}

// The fixture written as a real .mlpackage by the project's writer (constants of >= 10 elements
// go to weight.bin), then read back by mlscope-cli: the blob-backed keys appear, and with the
// IR fixtures every documented key of both documents is produced.
TEST(CliJson, WrittenPackageProducesEveryDocumentedKey) {
  auto dir = test::scratch_dir("report_cli_package") / "fixture.mlpackage";
  format::write_mlpackage(program_model(), dir.string());
  auto run = [&](const std::string& verb) {
    std::string out;
    int code = test::run_command(test::cli_path().string() + " " + verb + " '" + dir.string() + "' --json", &out);
    EXPECT_EQ(code, 0) << verb;
    json j = json::parse(out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << out.substr(0, 200);
    return j;
  };
  json info = run("info"), ops = run("ops");
  auto missing_info = test::missing_documented_keys(
      "`info --json`", {info, report::info_json(program_model()), report::info_json(pipeline_model())});
  EXPECT_TRUE(missing_info.empty()) << json(missing_info).dump();
  auto missing_ops = test::missing_documented_keys(
      "`ops --json", {ops, report::ops_json(program_model()), report::ops_json(pipeline_model())});
  EXPECT_TRUE(missing_ops.empty()) << json(missing_ops).dump();

  // What was written is what the CLI reports.
  EXPECT_EQ(info["format"], "mlpackage");
  EXPECT_EQ(info["op_counts"], report::info_json(program_model())["op_counts"]);
  ASSERT_EQ(info["weight_files"].size(), 1u);
  EXPECT_EQ(info["weight_files"][0]["path"], "Data/com.apple.CoreML/weights/weight.bin");
  const json* main = nullptr;
  for (const auto& f : ops["functions"])
    if (f["name"] == "main") main = &f;
  ASSERT_NE(main, nullptr);
  EXPECT_EQ(op_names(*main), op_names(report::ops_json(program_model(), "main")["functions"][0]));
  const json& big = (*main)["ops"][1]["constant"];  // 40 fp32 elements: stored in weight.bin
  EXPECT_EQ(big["file"], "weight.bin");
  EXPECT_EQ(big["bytes"], 160);
  const json& bias_big = (*main)["ops"][4]["inputs"]["bias_big"][0];  // 20-element literal
  EXPECT_EQ(bias_big["dtype"], "int32");
  EXPECT_EQ(bias_big["bytes"], 80);
}

// A bare .mil file (the fixture printed by the MIL printer) reports format "mil", the program's
// op counts and, for `ops`, the same program order per function.
TEST(CliJson, BareMilFile) {
  auto path = test::scratch_dir("report_cli_mil") / "fixture.mil";
  {
    std::ofstream out(path);
    out << format::print_mil(program_model());
  }
  std::string out;
  ASSERT_EQ(test::run_command(test::cli_path().string() + " info '" + path.string() + "' --json", &out), 0);
  json info = json::parse(out);
  EXPECT_EQ(info["format"], "mil");
  EXPECT_EQ(info["kind"], "mlProgram");
  EXPECT_EQ(info["op_counts"], report::info_json(program_model())["op_counts"]);
  EXPECT_EQ(info["nested_ops"], 2);
  out.clear();
  ASSERT_EQ(test::run_command(test::cli_path().string() + " ops '" + path.string() + "' --json --function main", &out), 0);
  json ops = json::parse(out);
  ASSERT_EQ(ops["functions"].size(), 1u);
  EXPECT_EQ(op_names(ops["functions"][0]), op_names(report::ops_json(program_model(), "main")["functions"][0]));
  EXPECT_EQ(ops["functions"][0]["ops"][6]["block"], "cond_0/block0");
}
