// Compiled models (.mlmodelc) and their MIL text, against the corpus ground truth:
// expected.json (op counts from an independent scan of model.mil), metadata.json (interface,
// layer histogram of the NN bundle), coreml-formats.md §10.5 (palettized weight layout), and the
// compiler's own model.mil bytes (print of the parsed IR must reproduce them).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/format/mil_parser.h"
#include "core/format/mil_printer.h"
#include "core/format/open.h"
#include "core/util/error.h"
#include "support/ir_compare.h"
#include "support/test_paths.h"

namespace mlscope::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

json load_json(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<CorpusCase> compiled_cases() {
  std::vector<CorpusCase> out;
  for (auto& c : corpus_cases())
    if (c.model.extension() == ".mlmodelc") out.push_back(c);
  return out;
}

/// The ML-program bundles (with a model.mil).
std::vector<CorpusCase> mil_cases() {
  std::vector<CorpusCase> out;
  for (auto& c : compiled_cases())
    if (fs::exists(c.model / "model.mil")) out.push_back(c);
  return out;
}

const CorpusCase* find_case(const std::string& name) {
  static const std::vector<CorpusCase> cases = compiled_cases();
  for (const auto& c : cases)
    if (c.name == name) return &c;
  return nullptr;
}

std::map<std::string, int64_t> expected_counts(const json& e) {
  std::map<std::string, int64_t> m;
  if (e.contains("op_counts"))
    for (const auto& [k, v] : e["op_counts"].items()) m[k] = v.get<int64_t>();
  return m;
}

TEST(MlmodelcCorpus, CompiledCasesExist) {
  MLSCOPE_REQUIRE_SHARED();
  EXPECT_GE(compiled_cases().size(), 4u) << "expected the .mlmodelc corpus cases (3 ML program, 1 espresso)";
}

class CompiledCase : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(CompiledCase, MatchesExpectedJson) {
  MLSCOPE_REQUIRE_SHARED();
  const CorpusCase& c = GetParam();
  json e = load_json(c.dir / "expected.json");
  ir::Model m = format::open(c.model.string());
  EXPECT_EQ(ir::format_name(m.format), e["format"].get<std::string>());
  EXPECT_EQ(m.kind, e["kind"].get<std::string>());
  if (m.is_ml_program()) {
    std::vector<std::string> names;
    for (const auto& f : m.functions) names.push_back(f.name);
    EXPECT_EQ(names, e["functions"].get<std::vector<std::string>>());
    EXPECT_EQ(m.op_counts(), expected_counts(e));
    EXPECT_EQ(m.weight_files.size(), fs::exists(c.model / "weights" / "weight.bin") ? 1u : 0u);
  }
  if (e.contains("specification_version")) {
    EXPECT_EQ(m.specification_version, e["specification_version"].get<int64_t>());
  }
}

TEST_P(CompiledCase, InterfaceFromMetadataMatchesTheProgram) {
  MLSCOPE_REQUIRE_SHARED();
  const CorpusCase& c = GetParam();
  json meta = load_json(c.model / "metadata.json")[0];
  ir::Model m = format::open(c.model.string());
  ASSERT_EQ(m.inputs.size(), meta["inputSchema"].size());
  ASSERT_EQ(m.outputs.size(), meta["outputSchema"].size());
  EXPECT_EQ(m.specification_version, meta["specificationVersion"].get<int64_t>());
  const ir::Function* f = m.main_function();
  ASSERT_NE(f, nullptr);
  // Every metadata input is a parameter (ML program) / input blob (espresso) of the program.
  for (const auto& in : meta["inputSchema"]) {
    std::string name = in["name"].get<std::string>();
    bool found = false;
    for (ir::ValueId v : f->inputs) found = found || f->value(v).name == name;
    EXPECT_TRUE(found) << name;
  }
  std::set<std::string> outs;
  for (ir::ValueId v : f->outputs()) outs.insert(f->value(v).name);
  for (const auto& o : meta["outputSchema"]) EXPECT_TRUE(outs.count(o["name"].get<std::string>())) << o["name"];
  if (m.is_ml_program()) {
    // Shapes in metadata.json ("[1, 128]") equal the parameter types in model.mil.
    for (const auto& feat : m.inputs)
      for (ir::ValueId v : f->inputs)
        if (f->value(v).name == feat.name) {
          EXPECT_EQ(f->value(v).type.shape.dims, feat.type.shape) << feat.name;
        }
  }
}

class MilCase : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(MilCase, PrintParseRoundTripKeepsTheProgram) {
  MLSCOPE_REQUIRE_SHARED();
  const CorpusCase& c = GetParam();
  ir::Model m = format::open(c.model.string());
  format::MilText text = format::print_mil_text(m);
  ir::Model back;
  format::MilSource src{"printed.mil", c.model.string(), false};
  ASSERT_NO_THROW(format::parse_mil_program(text.text, src, back));
  EXPECT_EQ(back.op_counts(), expected_counts(load_json(c.dir / "expected.json")));
  EXPECT_EQ(diff_programs(m, back), "");
}

TEST_P(MilCase, PrintReproducesTheCompilersText) {
  MLSCOPE_REQUIRE_SHARED();
  const CorpusCase& c = GetParam();
  ir::Model m = format::open(c.model.string());
  std::string original = read_text(c.model / "model.mil");
  std::string printed = format::print_mil(m);
  // Compare line by line so a failure names the first differing line.
  std::istringstream a(original), b(printed);
  std::string la, lb;
  int line = 0;
  while (true) {
    bool ga = static_cast<bool>(std::getline(a, la));
    bool gb = static_cast<bool>(std::getline(b, lb));
    ++line;
    if (!ga || !gb) {
      EXPECT_EQ(ga, gb) << "line count differs at line " << line;
      break;
    }
    ASSERT_EQ(la, lb) << "line " << line;
  }
}

TEST_P(MilCase, BareMilFileReadsTheSameProgram) {
  MLSCOPE_REQUIRE_SHARED();
  const CorpusCase& c = GetParam();
  ir::Model m = format::open((c.model / "model.mil").string());
  EXPECT_EQ(m.format, ir::Format::MILText);
  EXPECT_EQ(m.kind, "mlProgram");
  EXPECT_EQ(m.op_counts(), expected_counts(load_json(c.dir / "expected.json")));
  // Interface derived from the main function: same names as metadata.json lists.
  json meta = load_json(c.model / "metadata.json")[0];
  std::set<std::string> want, got;
  for (const auto& in : meta["inputSchema"]) want.insert(in["name"].get<std::string>());
  for (const auto& in : m.inputs) got.insert(in.name);
  EXPECT_EQ(got, want);
}

INSTANTIATE_TEST_SUITE_P(Corpus, CompiledCase, ::testing::ValuesIn(compiled_cases()),
                         [](const auto& info) { return case_test_name(info.param.name); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CompiledCase);
INSTANTIATE_TEST_SUITE_P(Corpus, MilCase, ::testing::ValuesIn(mil_cases()),
                         [](const auto& info) { return case_test_name(info.param.name); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(MilCase);

TEST(MlmodelcCorpus, Palette4LutConstantsResolveAndDecode) {
  MLSCOPE_REQUIRE_SHARED();
  const CorpusCase* c = find_case("corpus/silero-vad-palette4-mlmodelc");
  ASSERT_NE(c, nullptr);
  ir::Model m = format::open(c->model.string());
  const ir::Function& f = *m.main_function();
  int luts = 0;
  for (const auto& op : f.ops) {
    if (op.type != "constexpr_lut_to_dense") continue;
    ++luts;
    const ir::Constant* indices = op.attribute_value("indices");
    const ir::Constant* lut = op.attribute_value("lut");
    const ir::Constant* shape = op.attribute_value("shape");
    ASSERT_TRUE(indices && lut && shape) << op.name;
    EXPECT_TRUE(indices->is_blob() && lut->is_blob()) << op.name;
    EXPECT_EQ(indices->dtype(), ir::DType::UInt8);
    EXPECT_EQ(lut->shape(), (ir::Shape{16}));  // 4-bit: 16 palette entries
    EXPECT_TRUE(lut->dtype() == ir::DType::Float16 || lut->dtype() == ir::DType::Float32) << op.name;
    // §10.5: indices hold ceil(nbits * prod(shape) / 8) bytes, nbits = log2(16) = 4.
    auto dims = shape->to_ints();
    uint64_t prod = std::accumulate(dims.begin(), dims.end(), uint64_t(1), [](uint64_t a, int64_t d) { return a * uint64_t(d); });
    EXPECT_EQ(indices->raw().size(), (4 * prod + 7) / 8) << op.name;
    // The op's result type is the dense shape.
    EXPECT_EQ(f.value(op.outputs[0]).type.shape.dims, dims);
    auto palette = lut->to_floats();
    ASSERT_EQ(palette.size(), 16u);
    for (float v : palette) EXPECT_TRUE(std::isfinite(v));
    EXPECT_GT(std::set<float>(palette.begin(), palette.end()).size(), 1u) << "palette is constant";
    if (op.name == "stft_forward_basis_to_fp16_palettized") {
      EXPECT_EQ(indices->shape(), (ir::Shape{33024}));  // corpus value quoted in §10.5: 258*1*256 4-bit indices
      EXPECT_EQ(dims, (std::vector<int64_t>{258, 1, 256}));
      EXPECT_EQ(lut->dtype(), ir::DType::Float16);
      EXPECT_EQ(indices->blob->record.record_offset, 64u);
      EXPECT_EQ(lut->blob->record.record_offset, 33152u);
    }
  }
  EXPECT_EQ(luts, 7);
}

TEST(MlmodelcCorpus, LstmResultsAreMultiOutput) {
  MLSCOPE_REQUIRE_SHARED();
  const CorpusCase* c = find_case("corpus/silero-vad-256ms-mlmodelc");
  ASSERT_NE(c, nullptr);
  ir::Model m = format::open(c->model.string());
  const ir::Function& f = *m.main_function();
  EXPECT_EQ(f.opset, "ios15");
  int lstms = 0;
  for (const auto& op : f.ops)
    if (op.type == "lstm") {
      ++lstms;
      EXPECT_EQ(op.outputs.size(), 3u) << op.name;
    }
  EXPECT_EQ(lstms, 8);
  EXPECT_EQ(m.program_attributes.at("coremltools-version"), "9.0b1");
  // Every non-const op binds its inputs by name to a value defined earlier (SSA, no dangling ids).
  for (const auto& op : f.ops)
    for (const auto& in : op.inputs)
      for (const auto& b : in.bindings)
        if (!b.is_literal()) {
          EXPECT_LT(b.value, static_cast<ir::ValueId>(f.values.size()));
        }
}

TEST(MlmodelcCorpus, EspressoBundleLayersMatchTheHistogram) {
  MLSCOPE_REQUIRE_SHARED();
  const CorpusCase* c = find_case("corpus/chiron-spiral-nn");
  ASSERT_NE(c, nullptr);
  ir::Model m = format::open(c->model.string());
  EXPECT_EQ(m.kind, "neuralNetwork (espresso)");
  ASSERT_EQ(m.functions.size(), 1u);
  const ir::Function& f = m.functions[0];
  EXPECT_EQ(f.dialect, ir::Dialect::NeuralNetwork);
  // metadata.json's histogram counts the source NeuralNetwork layers; espresso fuses ReLU/tanh
  // activations into the conv/inner-product layer before it, flagged by fused_*/has_* fields.
  json meta = load_json(c->model / "metadata.json")[0];
  int64_t histogram_total = 0;
  for (const auto& [k, v] : meta["neuralNetworkLayerTypeHistogram"].items()) histogram_total += v.get<int64_t>();
  int64_t fused = 0;
  for (const auto& op : f.ops)
    for (const char* flag : {"fused_relu", "fused_tanh", "has_relu", "has_tanh", "has_prelu"})
      if (const ir::Constant* v = op.attribute_value(flag)) fused += v->scalar_int().value_or(0) != 0;
  EXPECT_EQ(static_cast<int64_t>(f.ops.size()) + fused, histogram_total);
  EXPECT_EQ(m.op_counts().at("convolution"), meta["neuralNetworkLayerTypeHistogram"]["Convolution"].get<int64_t>());
  // Shapes from model.espresso.shape: the input blob is the metadata input shape [1, 128, 128, 1].
  EXPECT_EQ(f.value(f.inputs[0]).type.shape, (ir::Shape{1, 128, 128, 1}));
  EXPECT_FALSE(m.notes.empty());
  EXPECT_EQ(m.outputs.at(0).name, "Identity");
  EXPECT_EQ(f.value(f.outputs().at(0)).name, "Identity");
}

TEST(MlmodelcCorpus, BareMilFindsMovedWeightFile) {
  MLSCOPE_REQUIRE_SHARED();
  const CorpusCase* c = find_case("corpus/silero-vad-palette4-mlmodelc");
  ASSERT_NE(c, nullptr);
  fs::path dir = scratch_dir("bare_mil_fallback");
  fs::copy_file(c->model / "model.mil", dir / "palette.mil");
  // weight.bin beside the .mil (not in weights/): found through the basename fallback.
  fs::copy_file(c->model / "weights" / "weight.bin", dir / "weight.bin");
  ir::Model m = format::open((dir / "palette.mil").string());
  EXPECT_EQ(m.op_counts().at("constexpr_lut_to_dense"), 7);
  ASSERT_EQ(m.weight_files.size(), 1u);
  EXPECT_EQ(fs::path(m.weight_files[0]->path()).filename(), "weight.bin");
  // Without it: a located error naming the BLOBFILE path.
  fs::remove(dir / "weight.bin");
  try {
    format::open((dir / "palette.mil").string());
    FAIL() << "no error without weight.bin";
  } catch (const Error& e) {
    EXPECT_GT(e.where().line, 0);
    EXPECT_NE(e.message().find("@model_path/weights/weight.bin"), std::string::npos) << e.what();
  }
}

TEST(MlmodelcCorpus, Ios18LiteralFormsResolveABlob) {
  MLSCOPE_REQUIRE_SHARED();
  const CorpusCase* c = find_case("corpus/silero-vad-palette4-mlmodelc");
  ASSERT_NE(c, nullptr);
  // The newer spelling (§8.3) pointing at a real record of the corpus weight.bin.
  std::string text =
      "program(1.3)\n{\n    func main<ios18>() {\n"
      "            tensor<fp16, [16]> lut = const()[name = string(\"lut\"), val = tensor<fp16, [16]>(BLOBFILE(path = "
      "string(\"@model_path/weights/weight.bin\"), offset = uint64(33152)))];\n"
      "        } -> (lut);\n}\n";
  ir::Model m;
  format::parse_mil_program(text, {"t.mil", c->model.string(), false}, m);
  const ir::Constant* lut = m.functions[0].op(0).attribute_value("val");
  ASSERT_NE(lut, nullptr);
  ASSERT_TRUE(lut->is_blob());
  // Same bytes as the iOS16-form reference to the same record in the bundle's own model.mil.
  ir::Model bundle = format::open(c->model.string());
  const ir::Function& f = *bundle.main_function();
  const ir::Constant* ref = f.op(f.find_op("stft_forward_basis_to_fp16_palettized")).attribute_value("lut");
  EXPECT_EQ(lut->to_floats(), ref->to_floats());
  // A record offset that is not a record: located error.
  std::string bad = text;
  bad.replace(bad.find("33152"), 5, "33153");
  ir::Model m2;
  try {
    format::parse_mil_program(bad, {"t.mil", c->model.string(), false}, m2);
    FAIL() << "no error for a misaligned record";
  } catch (const Error& e) {
    EXPECT_EQ(e.where().line, 4);
  }
}

}  // namespace
}  // namespace mlscope::test
