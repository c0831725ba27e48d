// Interpreter on the shared corpus: one test per corpus-gen model (generated from the folder
// listing) against its PyTorch / emulation references with the tolerance its meta.json states,
// the seed program's exact CPU result, every profile on the seed program, and every real corpus
// ML program end to end.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/io/input_files.h"
#include "core/exec/interpreter.h"
#include "core/io/npy.h"
#include "core/io/random_inputs.h"
#include "core/format/open.h"
#include "core/util/error.h"
#include "support/test_paths.h"

using namespace mlscope;
using namespace mlscope::exec;
using namespace mlscope::io;
using nlohmann::json;

namespace {

json read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

std::vector<float> values_of(const RunValue& v) {
  if (const auto* t = std::get_if<Tensor>(&v)) {
    Tensor f = t->cast_to(ir::DType::Float32);
    return {f.floats().begin(), f.floats().end()};
  }
  const auto& d = std::get<Dictionary>(v);
  return {d.value.begin(), d.value.end()};
}

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) { ab += double(a[i]) * b[i]; aa += double(a[i]) * a[i]; bb += double(b[i]) * b[i]; }
  return ab / std::sqrt(aa * bb);
}

// atol stated in a meta.json tolerance sentence ("atol 1e-4", "atol ~1e-4"), or fallback.
double stated_atol(const std::string& text, double fallback) {
  std::smatch m;
  if (std::regex_search(text, m, std::regex(R"(atol[ =~]*([0-9.]+e-?[0-9]+))"))) return std::stod(m[1]);
  return fallback;
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want, double atol, double rtol, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double err = std::fabs(double(got[i]) - want[i]);
    worst = std::max(worst, err);
    EXPECT_LE(err, atol + rtol * std::fabs(want[i])) << what << " element " << i << ": " << got[i] << " vs " << want[i];
  }
  std::cout << "[ exec ] " << what << ": max abs err " << worst << " (atol " << atol << ", rtol " << rtol << ")\n";
}

std::vector<test::CorpusCase> gen_cases() {
  std::vector<test::CorpusCase> out;
  for (auto& c : test::corpus_cases())
    if (c.name.rfind("corpus-gen/", 0) == 0) out.push_back(c);
  return out;
}

RunInputs inputs_from_meta(const json& meta, const std::filesystem::path& dir) {
  RunInputs ins;
  for (auto& [name, spec] : meta["inputs_npy"].items()) ins[name] = read_npy((dir / spec["file"].get<std::string>()).string());
  return ins;
}

class ExecCorpusGen : public ::testing::TestWithParam<test::CorpusCase> {};

TEST_P(ExecCorpusGen, MatchesReferences) {
  MLSCOPE_REQUIRE_SHARED();
  const auto& c = GetParam();
  const json meta = read_json(c.dir / "meta.json");
  ir::Model model = format::open(c.model.string());
  ASSERT_TRUE(list_unsupported(model).empty()) << "unsupported ops in " << c.name;
  const std::string precision = meta.value("compute_precision", "");
  const bool fp16 = precision.rfind("FLOAT16", 0) == 0;
  const json extra = meta.value("extra_references_npy", json::object());
  const bool compressed = extra.contains("ref_decompressed_fp32.npy");
  RunInputs ins = inputs_from_meta(meta, c.dir);

  if (meta.contains("sequence_semantics")) {
    // Stateful: call the model once per step with input[t], states carried over from zero.
    const Tensor seq = std::get<Tensor>(ins.begin()->second);
    const std::string in_name = ins.begin()->first;
    const int64_t steps = seq.shape()[0];
    Dims step_shape(seq.shape().begin() + 1, seq.shape().end());
    const uint64_t per = dims_count(step_shape);
    const Tensor ref = read_npy((c.dir / "ref_fp32.npy").string());
    Interpreter interp(NumericProfile::builtin("gpu"));
    std::map<std::string, Tensor> states;
    std::vector<float> got;
    for (int64_t t = 0; t < steps; ++t) {
      RunInputs step;
      step[in_name] = Tensor::from_floats(ir::DType::Float32, step_shape, std::vector<float>(seq.floats().begin() + t * int64_t(per), seq.floats().begin() + (t + 1) * int64_t(per)));
      for (auto& [n, s] : states) step[n] = s;
      RunResult r = interp.run(model, step, {});
      ASSERT_FALSE(r.states.empty());
      states = r.states;
      auto v = values_of(r.outputs.begin()->second);
      got.insert(got.end(), v.begin(), v.end());
    }
    // meta.json: "LOOSE (atol ~1e-2): fp16 states and fp16 compute vs an fp32 torch reference".
    const double atol = stated_atol(meta["tolerance"]["vs_ref_fp32"], 1e-2);
    expect_close(got, {ref.floats().begin(), ref.floats().end()}, atol, 0, c.name + " outputs (gpu, 5 steps)");
    for (auto& [n, s] : states) {
      const Tensor want = read_npy((c.dir / ("ref_state_" + n + "_final.npy")).string());
      expect_close(values_of(s), {want.floats().begin(), want.floats().end()}, atol, 0, c.name + " final state " + n);
    }
    return;
  }

  // Functions: every function named in the description, each output against its reference.
  std::vector<std::string> functions;
  for (const auto& f : model.function_descriptions) functions.push_back(f.name);
  if (functions.empty()) functions.push_back("");
  const json refs = meta["references_npy"];
  int compared = 0;
  for (const auto& fname : functions) {
    RunOptions o;
    o.function = fname;
    if (fp16) {
      // W8A8 programs: meta.json calls the float reference "VERY LOOSE" (int8 activations and
      // weights change the function by several logit units), so only the emulation reference is a
      // meaningful target; the cosine criterion applies to fp16-only programs.
      const bool w8a8 = meta.contains("quantization") && meta["quantization"].contains("activations");
      RunResult gpu = Interpreter(NumericProfile::builtin("gpu")).run(model, ins, o);
      for (auto& [out, spec] : refs.items()) {
        if (w8a8) break;
        if (!gpu.outputs.count(out)) continue;
        const Tensor ref = read_npy((c.dir / spec["file"].get<std::string>()).string());
        const auto got = values_of(gpu.outputs.at(out));
        const double cs = cosine(got, {ref.floats().begin(), ref.floats().end()});
        std::cout << "[ exec ] " << c.name << " gpu cosine vs fp32 torch: " << cs << "\n";
        EXPECT_GE(cs, 0.999) << c.name;
        ++compared;
      }
      // The fp16 emulation reference (every fp16 op output rounded, fp32 accumulation) is what the
      // fp16 profile defines; meta.json's tolerance sentence gives the scale (atol ~0.05-0.5).
      for (auto& [file, spec] : extra.items()) {
        if (file.rfind("ref_mil_emulated", 0) != 0) continue;
        RunResult f16 = Interpreter(NumericProfile::builtin("fp16")).run(model, ins, o);
        const Tensor ref = read_npy((c.dir / file).string());
        expect_close(values_of(f16.outputs.begin()->second), {ref.floats().begin(), ref.floats().end()}, 0.05, 0, c.name + " fp16 vs " + file);
        ++compared;
      }
      continue;
    }
    RunResult r = Interpreter(NumericProfile::builtin("fp32")).run(model, ins, o);
    if (compressed) {
      const Tensor ref = read_npy((c.dir / "ref_decompressed_fp32.npy").string());
      const double atol = std::min(1e-4, stated_atol(meta["tolerance"].value("vs_ref_decompressed_fp32", ""), 1e-4));
      expect_close(values_of(r.outputs.begin()->second), {ref.floats().begin(), ref.floats().end()}, atol, 1e-4, c.name + " vs ref_decompressed_fp32");
      ++compared;
      continue;
    }
    for (auto& [out, spec] : refs.items()) {
      if (!r.outputs.count(out)) continue;
      const Tensor ref = read_npy((c.dir / spec["file"].get<std::string>()).string());
      const double atol = std::min(1e-4, stated_atol(meta["tolerance"].value("vs_ref_fp32", ""), 1e-4));
      expect_close(values_of(r.outputs.at(out)), {ref.floats().begin(), ref.floats().end()}, atol, 1e-4, c.name + " " + out + " (fp32)");
      ++compared;
    }
  }
  EXPECT_GT(compared, 0) << "no output of " << c.name << " was compared";
}

INSTANTIATE_TEST_SUITE_P(CorpusGen, ExecCorpusGen, ::testing::ValuesIn(gen_cases()),
                         [](const auto& info) { return test::case_test_name(info.param.name); });

const std::filesystem::path seed_dir() { return test::shared_dir() / "corpus-gen" / "amplified_conv_tie_w8a8_ct9"; }

// seed-measurements.md: the Mac's CPU_ONLY (and CPU_AND_GPU) logits for this program and input.
TEST(ExecSeed, Fp16ProfileReproducesTheMacCpuResultBitForBit) {
  MLSCOPE_REQUIRE_SHARED();
  ir::Model model = format::open((seed_dir() / "model.mlpackage").string());
  RunInputs ins = {{"x", read_npy((seed_dir() / "input.npy").string())}};
  RunResult r = Interpreter(NumericProfile::builtin("fp16")).run(model, ins, {});
  const Tensor& y = std::get<Tensor>(r.outputs.at("y"));
  ASSERT_EQ(y.size(), 2u);
  EXPECT_EQ(y.floats()[0], 3.1015625f);
  EXPECT_EQ(y.floats()[1], 3.5722656f);
  const Tensor emu = read_npy((seed_dir() / "ref_mil_emulated_w8a8.npy").string());
  EXPECT_EQ(y.floats()[0], emu.floats()[0]);
  EXPECT_EQ(y.floats()[1], emu.floats()[1]);
}

TEST(ExecSeed, EveryProfileRunsAndPrintsItsLogits) {
  MLSCOPE_REQUIRE_SHARED();
  ir::Model model = format::open((seed_dir() / "model.mlpackage").string());
  RunInputs ins = {{"x", read_npy((seed_dir() / "input.npy").string())}};
  std::cout << "[ exec ] seed program logits (Mac CPU_ONLY [3.1015625, 3.5722656], Mac NE [4.4414062, 3.6835938]):\n";
  for (const auto& name : NumericProfile::builtin_names()) {
    RunResult r = Interpreter(NumericProfile::builtin(name)).run(model, ins, {});
    const Tensor& y = std::get<Tensor>(r.outputs.at("y"));
    ASSERT_EQ(y.size(), 2u) << name;
    EXPECT_FALSE(std::isnan(y.floats()[0]) || std::isnan(y.floats()[1])) << name;
    std::printf("[ exec ]   %-11s [%.7g, %.7g]  margin %+.7g\n", name.c_str(), y.floats()[0], y.floats()[1], y.floats()[0] - y.floats()[1]);
  }
}

// Real third-party ML programs: no unsupported op, and a run on seeded inputs of the declared
// shapes finishes with finite outputs.
class ExecRealCorpus : public ::testing::TestWithParam<test::CorpusCase> {};

std::vector<test::CorpusCase> real_program_cases() {
  std::vector<test::CorpusCase> out;
  for (auto& c : test::corpus_cases()) {
    if (c.name.rfind("corpus/", 0) != 0) continue;
    const json e = read_json(c.dir / "expected.json");
    const std::string kind = e.value("kind", "");
    if (kind == "mlProgram") out.push_back(c);
  }
  return out;
}

TEST_P(ExecRealCorpus, RunsEndToEnd) {
  MLSCOPE_REQUIRE_SHARED();
  const auto& c = GetParam();
  ir::Model model = format::open(c.model.string());
  auto missing = list_unsupported(model);
  for (const auto& u : missing) ADD_FAILURE() << c.name << ": no kernel for " << u.op_type << " (" << u.op_name << ")";
  ASSERT_TRUE(missing.empty());
  const ir::Function* fn = model.main_function();
  ASSERT_NE(fn, nullptr);
  RunInputs ins;
  uint64_t seed = 1;
  for (ir::ValueId v : fn->inputs) {
    const std::string name = fn->value(v).name;
    InputDecl d = input_declaration(model, *fn, name);
    if (d.dtype == ir::DType::Int32 || d.dtype == ir::DType::Int64) {
      ins[name] = Tensor(d.dtype, d.shape);  // token ids: 0 is valid in every vocabulary
    } else {
      Tensor t = random_tensor(d.is_image ? ir::DType::UInt8 : d.dtype, d.shape, seed++);
      // Non-negative values are valid for every input here (audio, LSTM states, and DTLN's
      // spectral magnitudes, which the program takes the log of); negative magnitudes are not.
      if (t.dtype() == ir::DType::Float32)
        for (float& x : t.mutable_floats()) x = std::fabs(x);
      ins[name] = std::move(t);
    }
  }
  RunResult r = Interpreter(NumericProfile::builtin("fp32")).run(model, ins, {});
  EXPECT_FALSE(r.outputs.empty());
  for (const auto& [name, v] : r.outputs) {
    if (const auto* t = std::get_if<Tensor>(&v); t && t->is_float()) {
      for (float x : t->floats()) ASSERT_TRUE(std::isfinite(x)) << c.name << " output " << name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, ExecRealCorpus, ::testing::ValuesIn(real_program_cases()),
                         [](const auto& info) { return test::case_test_name(info.param.name); });

// The two quantized encodings of Silero VAD's "unified" network (int8 weights, 4-bit
// palettized weights) must agree on the same input: the VAD probability is a sigmoid in [0, 1];
// both approximate the same float weights, so they may differ by the two quantization errors.
// 0.05 absolute is far below the 0.5 decision threshold the model is used with.
TEST(ExecSilero, QuantizedVariantsAgree) {
  MLSCOPE_REQUIRE_SHARED();
  const auto root = test::shared_dir() / "corpus";
  ir::Model a = format::open((root / "silero-vad-int8-mlpackage/unified_int8.mlpackage").string());
  ir::Model b = format::open((root / "silero-vad-palette4-mlmodelc/unified_palette_4bit.mlmodelc").string());
  RunInputs ins = {{"audio_input", random_tensor(ir::DType::Float32, {1, 576}, 11)},
                   {"hidden_state", Tensor(ir::DType::Float32, {1, 128})},
                   {"cell_state", Tensor(ir::DType::Float32, {1, 128})}};
  // Speech-like amplitude: scale the standard normal noise down to 0.1.
  for (float& v : std::get<Tensor>(ins["audio_input"]).mutable_floats()) v *= 0.1f;
  RunResult ra = Interpreter(NumericProfile::builtin("fp32")).run(a, ins, {});
  RunResult rb = Interpreter(NumericProfile::builtin("fp32")).run(b, ins, {});
  const auto va = values_of(ra.outputs.at("vad_output")), vb = values_of(rb.outputs.at("vad_output"));
  ASSERT_EQ(va.size(), vb.size());
  for (size_t i = 0; i < va.size(); ++i) {
    std::cout << "[ exec ] silero vad int8 " << va[i] << " vs palette4 " << vb[i] << "\n";
    EXPECT_NEAR(va[i], vb[i], 0.05);
  }
}

}  // namespace

namespace {

TEST(ExecCli, RunWritesNpyAndJson) {
  MLSCOPE_REQUIRE_SHARED();
  const auto dir = test::shared_dir() / "corpus-gen" / "cnn_fp32";
  const auto out = test::scratch_dir("exec_cli_run");
  std::string stdout_text;
  const std::string cmd = test::cli_path().string() + " run " + (dir / "model.mlpackage").string() + " --input x=" + (dir / "input.npy").string() +
                          " --output-dir " + out.string() + " --json";
  ASSERT_EQ(test::run_command(cmd, &stdout_text), 0) << stdout_text;
  const json j = json::parse(stdout_text);
  EXPECT_EQ(j["outputs"]["logits"]["dtype"], "fp32");
  EXPECT_EQ(j["outputs"]["logits"]["shape"], json::array({1, 10}));
  EXPECT_EQ(j["outputs"]["logits"]["values"].size(), 10u);
  EXPECT_NE(j["provenance"].get<std::string>().find("emulated"), std::string::npos);
  const Tensor written = read_npy((out / "logits.npy").string());
  const Tensor ref = read_npy((dir / "ref_fp32.npy").string());
  for (uint64_t i = 0; i < 10; ++i) EXPECT_NEAR(written.floats()[i], ref.floats()[i], 1e-4);
}

TEST(ExecCli, BadInputsExitWithTwo) {
  MLSCOPE_REQUIRE_SHARED();
  const auto dir = test::shared_dir() / "corpus-gen" / "cnn_fp32";
  const std::string base = test::cli_path().string() + " run " + (dir / "model.mlpackage").string();
  std::string out;
  EXPECT_EQ(test::run_command(base + " --input x=/nonexistent/in.npy", &out, true), 2) << out;
  EXPECT_NE(out.find("/nonexistent/in.npy"), std::string::npos) << out;
  EXPECT_EQ(test::run_command(base, &out, true), 2) << out;  // missing required input
  EXPECT_NE(out.find("missing required input 'x'"), std::string::npos) << out;
  EXPECT_EQ(test::run_command(base + " --input nope=" + (dir / "input.npy").string(), &out, true), 2) << out;
  EXPECT_EQ(test::run_command(base + " --input x=" + (dir / "input.npy").string() + " --profile tpu", &out, true), 2) << out;
  EXPECT_EQ(test::run_command(base + " --input x=" + (dir / "meta.json").string(), &out, true), 2) << out;
  // An image given to a non-image input, and an unreadable image for the image model.
  const auto img_dir = test::shared_dir() / "corpus-gen" / "image_classifier";
  const auto bad_png = test::scratch_dir("exec_bad_png") / "bad.png";
  std::ofstream(bad_png) << "not a png";
  EXPECT_EQ(test::run_command(test::cli_path().string() + " run " + (img_dir / "model.mlpackage").string() + " --input image=" + bad_png.string(), &out, true), 2) << out;
  EXPECT_NE(out.find("bad.png"), std::string::npos) << out;
}

TEST(ExecCli, ListUnsupportedIsEmptyForTheSeed) {
  MLSCOPE_REQUIRE_SHARED();
  std::string out;
  EXPECT_EQ(test::run_command(test::cli_path().string() + " run --list-unsupported " + (seed_dir() / "model.mlpackage").string(), &out), 0) << out;
  EXPECT_NE(out.find("0 op(s) without a kernel"), std::string::npos) << out;
}

}  // namespace
