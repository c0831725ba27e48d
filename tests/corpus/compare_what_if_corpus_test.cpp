// The quantization what-if on corpus-gen models: error ordering between schemes, agreement with
// coremltools' own compressed models, the seed network's margin, bypass, and CLI parity.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "core/compare/metrics.h"
#include "core/compare/values.h"
#include "core/compare/what_if.h"
#include "core/exec/interpreter.h"
#include "core/io/npy.h"
#include "core/format/open.h"
#include "core/util/error.h"
#include "support/test_paths.h"

using namespace mlscope;
using namespace mlscope::compare;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path gen(const std::string& name) { return test::shared_dir() / "corpus-gen" / name; }

exec::RunInputs npy_input(const std::string& name, const fs::path& dir) {
  return {{name, io::read_npy((dir / "input.npy").string())}};
}

std::vector<double> scores(const exec::RunResult& r, const std::string& out) {
  return flatten(r.outputs.at(out)).values;
}

std::vector<double> run_what_if(const ir::Model& m, const std::string& spec, const exec::RunInputs& in, const std::string& out,
                                std::string* provenance = nullptr) {
  auto b = make_what_if_backend(m, WhatIfSpec::parse(spec), {});
  EXPECT_EQ(b->name(), "what-if");
  exec::RunResult r = b->run(m, in, {});
  if (provenance) *provenance = r.provenance;
  return scores(r, out);
}

std::vector<double> run_profile(const ir::Model& m, exec::NumericProfile p, const exec::RunInputs& in, const std::string& out) {
  exec::Interpreter it(std::move(p));
  return scores(it.run(m, in, {}), out);
}

}  // namespace

TEST(WhatIfCorpus, Int8PerChannelWeightsHurtLessThanInt4PerTensor) {
  MLSCOPE_REQUIRE_SHARED();
  const fs::path dir = gen("cnn_fp32");
  const ir::Model m = format::open((dir / "model.mlpackage").string());
  const exec::RunInputs in = npy_input("x", dir);
  const auto fp32 = run_profile(m, exec::NumericProfile::builtin("fp32"), in, "logits");
  // The fp32 interpreter is the reference: it matches PyTorch on this model.
  const auto torch = io::read_npy((dir / "ref_fp32.npy").string());
  const auto tv = flatten(torch).values;
  EXPECT_LT(diff_stats(tv, fp32).max_abs_diff, 1e-4);

  EXPECT_EQ(what_if_targets(m, WhatIfSpec::parse("weights=int8:per_channel")).weights, 6u);  // 5 conv + 1 linear
  std::string prov;
  const auto w8 = run_what_if(m, "weights=int8:per_channel", in, "logits", &prov);
  const auto w4 = run_what_if(m, "weights=int4:per_tensor", in, "logits");
  const auto lut4 = run_what_if(m, "weights=lut:4", in, "logits");
  EXPECT_NE(prov.find("what-if weights=int8:per_channel"), std::string::npos) << prov;
  EXPECT_NE(prov.find("emulated"), std::string::npos) << prov;
  const DiffStats d8 = diff_stats(fp32, w8), d4 = diff_stats(fp32, w4), dl = diff_stats(fp32, lut4);
  EXPECT_GT(d8.max_abs_diff, 0);  // the what-if did change something
  EXPECT_LT(d8.max_abs_diff, d4.max_abs_diff);
  EXPECT_GT(d8.cosine, d4.cosine);
  EXPECT_GT(dl.max_abs_diff, 0);
  std::cout << "cnn_fp32 vs fp32: int8 per-channel max|d| " << d8.max_abs_diff << " cos " << d8.cosine
            << "; int4 per-tensor max|d| " << d4.max_abs_diff << " cos " << d4.cosine << "; lut:4 max|d| " << dl.max_abs_diff << "\n";
}

// coremltools made cnn_int8_weights_perchannel from the same weights with linear_symmetric int8
// per-channel quantization; its ref_decompressed_fp32.npy is that program run with coremltools'
// own decompressed weights. Our what-if on the float program must land on it.
TEST(WhatIfCorpus, Int8PerChannelMatchesCoremltoolsCompressedModel) {
  MLSCOPE_REQUIRE_SHARED();
  const fs::path dir = gen("cnn_fp32");
  const ir::Model m = format::open((dir / "model.mlpackage").string());
  const auto w8 = run_what_if(m, "weights=int8:per_channel", npy_input("x", dir), "logits");
  const auto ref = flatten(io::read_npy((gen("cnn_int8_weights_perchannel") / "ref_decompressed_fp32.npy").string())).values;
  const auto fp32 = flatten(io::read_npy((dir / "ref_fp32.npy").string())).values;
  const double ours = diff_stats(ref, w8).max_abs_diff, float_gap = diff_stats(ref, fp32).max_abs_diff;
  EXPECT_LT(ours, 1e-4) << "coremltools' int8 model vs float: " << float_gap;
  EXPECT_LT(ours, float_gap / 5);
}

TEST(WhatIfCorpus, PerBlockAndPalettizationLandNearCoremltoolsModels) {
  MLSCOPE_REQUIRE_SHARED();
  const fs::path dir = gen("cnn_fp32");
  const ir::Model m = format::open((dir / "model.mlpackage").string());
  const exec::RunInputs in = npy_input("x", dir);
  const auto fp32 = flatten(io::read_npy((dir / "ref_fp32.npy").string())).values;
  // int4 per_block:32: closer to coremltools' compressed program than the float program is
  // (not exact: coremltools leaves the first conv (Cin = 3) uncompressed, we quantize it).
  const auto pb = run_what_if(m, "weights=int4:per_block:32", in, "logits");
  const auto pb_ref = flatten(io::read_npy((gen("cnn_int4_weights_perblock32") / "ref_decompressed_fp32.npy").string())).values;
  EXPECT_LT(diff_stats(pb_ref, pb).max_abs_diff, diff_stats(pb_ref, fp32).max_abs_diff);
  // lut:4: k-means has no unique answer (coremltools uses scikit-learn's k-means++ restarts), so
  // the check is the size of the effect: our palettization moves the logits away from the float
  // reference by the same order of magnitude as coremltools' 4-bit palettized program does.
  const auto lut = run_what_if(m, "weights=lut:4", in, "logits");
  const auto lut_ref = flatten(io::read_npy((gen("cnn_palettized_4bit") / "ref_decompressed_fp32.npy").string())).values;
  const double ours = diff_stats(fp32, lut).max_abs_diff, theirs = diff_stats(fp32, lut_ref).max_abs_diff;
  EXPECT_GT(ours, theirs / 3);
  EXPECT_LT(ours, theirs * 3);
  std::cout << "lut:4 vs float: ours " << ours << ", coremltools " << theirs << "\n";
}

TEST(WhatIfCorpus, ActivationInt8MovesTheSeedNetworksMargin) {
  MLSCOPE_REQUIRE_SHARED();
  const fs::path dir = gen("amplified_conv_tie_fp16");
  const ir::Model m = format::open((dir / "model.mlpackage").string());
  const exec::RunInputs in = npy_input("x", dir);
  const auto fp32 = run_profile(m, exec::NumericProfile::builtin("fp32"), in, "y");
  const WhatIfSpec spec = WhatIfSpec::parse("activations=int8:per_tensor,calibration=4");
  const WhatIfTargets t = what_if_targets(m, spec);
  EXPECT_GE(t.activations, 5u);  // the inputs of every conv and of the linear
  // Calibration on a worker-style call with progress, then the backend from it.
  WhatIfOptions o;
  size_t calls = 0;
  CalibrationControl ctl;
  ctl.progress = [&](const Progress& p) {
    ++calls;
    EXPECT_EQ(p.total, 4.0);
    EXPECT_EQ(p.done, static_cast<double>(calls));
  };
  o.calibration = std::make_shared<const Calibration>(calibrate_activations(m, spec, o, ctl));
  EXPECT_EQ(calls, 4u);
  EXPECT_EQ(o.calibration->inputs, 4u);
  EXPECT_EQ(o.calibration->max_abs.size(), t.activations);
  auto b = make_what_if_backend(m, spec, o);
  const auto a8 = scores(b->run(m, in, {}), "y");
  const double m_fp32 = fp32[0] - fp32[1], m_a8 = a8[0] - a8[1];
  std::cout << "seed network margin: fp32 " << m_fp32 << ", activations int8 " << m_a8 << "\n";
  EXPECT_GT(std::fabs(m_a8 - m_fp32), 1e-3);
  // Same spec, synchronous calibration inside make_what_if_backend: the same numbers.
  EXPECT_EQ(run_what_if(m, spec.text(), in, "y"), a8);
}

TEST(WhatIfCorpus, CalibrationCanBeCancelled) {
  MLSCOPE_REQUIRE_SHARED();
  const ir::Model m = format::open((gen("amplified_conv_tie_fp16") / "model.mlpackage").string());
  std::atomic<bool> cancel{false};
  CalibrationControl ctl;
  ctl.cancel = cancel;
  ctl.progress = [&](const Progress&) { cancel = true; };
  EXPECT_THROW(calibrate_activations(m, WhatIfSpec::parse("activations=int8:per_tensor,calibration=50"), {}, ctl), Error);
}

TEST(WhatIfCorpus, BypassEqualsFp32WithActivationQuantOff) {
  MLSCOPE_REQUIRE_SHARED();
  const fs::path dir = gen("amplified_conv_tie_w8a8_ct9");
  const ir::Model m = format::open((dir / "model.mlpackage").string());
  const exec::RunInputs in = npy_input("x", dir);
  exec::NumericProfile off = exec::NumericProfile::builtin("fp32");
  off.defaults.honor_activation_quant = false;
  const auto want = run_profile(m, off, in, "y");
  const auto honored = run_profile(m, exec::NumericProfile::builtin("fp32"), in, "y");
  const auto got = run_what_if(m, "quantization=bypass", in, "y");
  EXPECT_EQ(got, want);
  EXPECT_NE(got, honored);  // the 11 quantize/dequantize pairs do change the logits
  // Re-quantizing the bypassed program's activations with our own calibration moves it again.
  const auto requant = run_what_if(m, "quantization=bypass,activations=int8:per_tensor,calibration=2", in, "y");
  EXPECT_NE(requant, got);
}

TEST(WhatIfCorpus, CliNumbersEqualTheLibrarys) {
  MLSCOPE_REQUIRE_SHARED();
  const fs::path dir = gen("cnn_fp32");
  const std::string model = (dir / "model.mlpackage").string();
  const std::string input = (dir / "input.npy").string();
  const ir::Model m = format::open(model);
  for (const std::string spec : {"weights=int4:per_tensor", "weights=int8:per_channel,activations=int8:per_tensor,calibration=3"}) {
    std::string out;
    ASSERT_EQ(test::run_command(test::cli_path().string() + " compare " + model + " --what-if " + spec + " --input x=" + input + " --json", &out), 0) << out;
    const json j = json::parse(out);
    EXPECT_EQ(j["reference"], "fp32");
    ASSERT_EQ(j["backends"].size(), 2u);
    const json& wi = j["backends"][1];
    EXPECT_EQ(wi["name"], "what-if");
    EXPECT_EQ(wi["kind"], "emulated");
    const auto lib = run_what_if(m, spec, npy_input("x", dir), "logits");
    const auto cli = wi["outputs"]["logits"]["values"].get<std::vector<double>>();
    ASSERT_EQ(cli.size(), lib.size());
    for (size_t i = 0; i < lib.size(); ++i) EXPECT_FLOAT_EQ(static_cast<float>(cli[i]), static_cast<float>(lib[i])) << spec << " " << i;
    const auto fp32 = run_profile(m, exec::NumericProfile::builtin("fp32"), npy_input("x", dir), "logits");
    EXPECT_NEAR(wi["vs_reference"]["logits"]["max_abs_diff"].get<double>(), diff_stats(fp32, lib).max_abs_diff, 1e-6);
  }
}

TEST(WhatIfCorpus, CliRejectsBadSpecsWithExit2) {
  MLSCOPE_REQUIRE_SHARED();
  const std::string model = (gen("cnn_fp32") / "model.mlpackage").string();
  std::string out;
  EXPECT_EQ(test::run_command(test::cli_path().string() + " compare " + model + " --what-if weights=int8:per_row", &out, true), 2);
  EXPECT_NE(out.find("per_row"), std::string::npos) << out;
  EXPECT_NE(out.find("what-if spec:1:1"), std::string::npos) << out;
  EXPECT_EQ(test::run_command(test::cli_path().string() + " compare " + model + " --what-if weights=int8:per_tensor,bits=3", &out, true), 2);
  EXPECT_NE(out.find("what-if spec:1:25"), std::string::npos) << out;
  EXPECT_EQ(test::run_command(test::cli_path().string() + " compare " + model + " --what-if-base fp16", &out, true), 2);
}
