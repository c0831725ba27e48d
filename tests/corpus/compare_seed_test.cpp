// `compare` on the seed program (corpus-gen/amplified_conv_tie_w8a8_ct9) against the seed
// document's real Mac measurements (../shared/docs/seed-measurements.md, seed 000/001).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_paths.h"

using nlohmann::json;
namespace fs = std::filesystem;
using mlscope::test::cli_path;
using mlscope::test::run_command;
using mlscope::test::shared_dir;
using mlscope::test::source_dir;

namespace {

fs::path seed_model() { return shared_dir() / "corpus-gen/amplified_conv_tie_w8a8_ct9/model.mlpackage"; }
fs::path seed_recording() { return source_dir() / "assets/recordings/amplified_conv_tie_w8a8_ct9.recording.json"; }

std::string cli(const std::string& args) { return cli_path().string() + " compare " + args; }

const json& backend(const json& j, const std::string& name) {
  for (const auto& b : j.at("backends"))
    if (b.at("name") == name) return b;
  throw std::runtime_error("no backend " + name);
}

}  // namespace

// Seed table (seed-measurements.md): vs CPU_ONLY, CPU_AND_NE and ALL differ by
// [1.3398438, 0.11132812] (max abs 1.33984375), margin delta +1.228515625, argmax flipped;
// CPU_AND_GPU is bit-identical.
TEST(CompareSeed, RecordingReproducesSeedCrossBackendTable) {
  MLSCOPE_REQUIRE_SHARED();
  ASSERT_TRUE(fs::exists(seed_recording())) << seed_recording();
  std::string out;
  ASSERT_EQ(run_command(cli(seed_model().string() + " --backends recording:" + seed_recording().string() +
                            " --reference recorded:cpu_only --json"),
                        &out),
            0)
      << out;
  const json j = json::parse(out);
  EXPECT_EQ(j.at("reference"), "recorded:cpu_only");
  const json& cpu = backend(j, "recorded:cpu_only");
  EXPECT_EQ(cpu.at("kind"), "recorded");
  EXPECT_EQ(cpu.at("outputs").at("y").at("values"), json({3.1015625, 3.572265625}));
  EXPECT_EQ(cpu.at("outputs").at("y").at("margin").get<double>(), -0.470703125);
  EXPECT_EQ(cpu.at("outputs").at("y").at("argmax"), 1);
  const json& gpu = backend(j, "recorded:cpu_and_gpu").at("vs_reference").at("y");
  EXPECT_EQ(gpu.at("array_equal"), true);
  EXPECT_EQ(gpu.at("max_abs_diff").get<double>(), 0.0);
  EXPECT_EQ(gpu.at("margin_delta").get<double>(), 0.0);
  EXPECT_EQ(gpu.at("argmax_equal"), true);
  for (const char* name : {"recorded:cpu_and_ne", "recorded:all"}) {
    const json& b = backend(j, name);
    EXPECT_NE(b.at("provenance").get<std::string>().find("recorded"), std::string::npos);
    EXPECT_EQ(b.at("outputs").at("y").at("margin").get<double>(), 0.7578125);
    EXPECT_EQ(b.at("outputs").at("y").at("argmax"), 0);
    const json& d = b.at("vs_reference").at("y");
    EXPECT_EQ(d.at("max_abs_diff").get<double>(), 1.33984375) << name;
    EXPECT_EQ(d.at("delta"), json({1.33984375, 0.111328125})) << name;
    EXPECT_EQ(d.at("margin_delta").get<double>(), 1.228515625) << name;
    EXPECT_EQ(d.at("argmax_equal"), false) << name;
    EXPECT_EQ(d.at("array_equal"), false) << name;
  }

  // The readable table prints numbers the way the seed's numpy did.
  std::string text;
  ASSERT_EQ(run_command(cli(seed_model().string() + " --backends recording:" + seed_recording().string()), &text), 0) << text;
  for (const char* s : {"[3.1015625 3.5722656]", "[4.4414062 3.6835938]", "-0.470703125", "0.7578125",
                        "[1.3398438 0.11132812]", "1.33984375", "1.228515625", "FLIPPED", "same (bit-identical)"})
    EXPECT_NE(text.find(s), std::string::npos) << "missing '" << s << "' in\n" << text;
  std::printf("%s\n", text.c_str());

  // --fail-on-flip turns the flip into exit 1.
  EXPECT_EQ(run_command(cli(seed_model().string() + " --backends recording:" + seed_recording().string() + " --fail-on-flip"), nullptr), 1);
}

TEST(CompareSeed, RecordingRefusesAnotherInputOrModel) {
  MLSCOPE_REQUIRE_SHARED();
  std::string out;
  EXPECT_EQ(run_command(cli(seed_model().string() + " --backends recording:" + seed_recording().string() + " --input x=random:3"), &out, true), 2);
  EXPECT_NE(out.find("recorded input"), std::string::npos) << out;
  out.clear();
  const fs::path other = shared_dir() / "corpus-gen/amplified_conv_tie_w8a8/model.mlpackage";
  EXPECT_EQ(run_command(cli(other.string() + " --backends recording:" + seed_recording().string()), &out, true), 2);
  EXPECT_NE(out.find("another model"), std::string::npos) << out;
}

// Emulated profiles beside the real Mac numbers on the same program and input. Prints the table
// (it goes in the README); asserts what the emulation must get right regardless of constants:
// provenance says "emulated", every profile gives two finite logits, repeated runs are bit-stable.
TEST(CompareSeed, EmulatedProfilesBesideRecordedTable) {
  MLSCOPE_REQUIRE_SHARED();
  const std::string args = seed_model().string() + " --backends recording:" + seed_recording().string() +
                           ",fp32,fp16,gpu,gpu-lowacc,ane,ane-w8a8 --reference recorded:cpu_only --runs 2";
  std::string text, out;
  ASSERT_EQ(run_command(cli(args), &text), 0) << text;
  std::printf("%s\n", text.c_str());
  ASSERT_EQ(run_command(cli(args + " --json"), &out), 0);
  const json j = json::parse(out);
  int emulated = 0;
  for (const auto& b : j.at("backends")) {
    if (b.at("kind") != "emulated") continue;
    ++emulated;
    EXPECT_EQ(b.at("provenance").get<std::string>().rfind("emulated", 0), 0u) << b.at("provenance");
    ASSERT_EQ(b.at("outputs").at("y").at("values").size(), 2u);
    EXPECT_TRUE(b.at("vs_reference").at("y").at("compared").get<bool>());
    // Emulated backends are deterministic: the same input twice gives the same bits.
    EXPECT_TRUE(b.at("drift").at("bit_stable").get<bool>()) << b.at("name");
    EXPECT_EQ(b.at("drift").at("worst_abs_diff").get<double>(), 0.0);
  }
  EXPECT_EQ(emulated, 6);
  // Recorded drift comes from the recording: 100 bit-stable runs per compute unit.
  EXPECT_EQ(backend(j, "recorded:cpu_and_ne").at("drift").at("repeats"), 100);
  EXPECT_EQ(backend(j, "recorded:cpu_and_ne").at("drift").at("bit_stable"), true);
}
