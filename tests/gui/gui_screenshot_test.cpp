// Drives the real mlscope window under Xvfb and checks its screenshots' pixels.
#include <gtest/gtest.h>
#include <stb_image.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "gui_test_util.h"
#include "support/test_paths.h"

namespace fs = std::filesystem;
using namespace mlscope;
using namespace mlscope::guitest;

namespace {

// Op-family fills of the dark theme (widgets/theme.cpp: base colour × 0.85).
constexpr Rgb kConvBlue{56, 113, 207};
constexpr Rgb kQuantRed{195, 48, 45};
constexpr Rgb kMatmulTeal{0, 128, 116};
constexpr Rgb kActivationOrange{213, 119, 0};

Image screenshot_of(const std::string& tag, const fs::path& model, int* exit_code = nullptr) {
  const fs::path png = shots_dir() / (tag + ".png");
  fs::remove(png);
  std::string out;
  const int rc = run_gui(tag, "'" + model.string() + "' --screenshot '" + png.string() + "' --frames 6", &out);
  if (exit_code) *exit_code = rc;
  EXPECT_EQ(rc, 0) << out;
  EXPECT_TRUE(fs::exists(png)) << out;
  Image img = load_png(png);
  EXPECT_EQ(img.w, 1600);
  EXPECT_EQ(img.h, 1000);
  return img;
}

}  // namespace

TEST(GuiScreenshot, CorpusMlProgramShowsColouredNodes) {
  MLSCOPE_REQUIRE_SHARED();
  const Image img = screenshot_of("w8a8_ct9", test::shared_dir() / "corpus-gen/amplified_conv_tie_w8a8_ct9/model.mlpackage");
  ASSERT_TRUE(img.px);
  // 5 convs and 28 quantization ops: both colours must be drawn in the graph.
  EXPECT_GT(img.count(kConvBlue, kGx0, kGy0, kGx1, kGy1), 100);
  EXPECT_GT(img.count(kQuantRed, kGx0, kGy0, kGx1, kGy1), 300);
}

TEST(GuiScreenshot, NeuralNetworkModelShowsLayers) {
  MLSCOPE_REQUIRE_SHARED();
  const Image img = screenshot_of("neuralnetwork_cnn", test::shared_dir() / "corpus-gen/neuralnetwork_cnn/model.mlmodel");
  ASSERT_TRUE(img.px);
  EXPECT_GT(img.count(kConvBlue, kGx0, kGy0, kGx1, kGy1), 500);          // 2 nn.convolution
  EXPECT_GT(img.count(kActivationOrange, kGx0, kGy0, kGx1, kGy1), 500);  // nn.activation
}

TEST(GuiScreenshot, TenThousandOpProgramShowsNodes) {
  MLSCOPE_REQUIRE_SHARED();
  const Image img = screenshot_of("large_10k_ops", test::shared_dir() / "corpus-gen/large_10k_ops/model.mlpackage");
  ASSERT_TRUE(img.px);
  EXPECT_GT(img.count(kMatmulTeal, kGx0, kGy0, kGx1, kGy1), 500);  // linear
  EXPECT_GT(img.count(kActivationOrange, kGx0, kGy0, kGx1, kGy1), 500);  // relu
}

TEST(GuiScreenshot, CorruptFileShowsErrorAndKeepsRunning) {
  MLSCOPE_REQUIRE_SHARED();
  // A truncated copy of a real model: the reader must name the byte where it broke.
  const fs::path dir = test::scratch_dir("gui_corrupt");
  const fs::path bad = dir / "truncated.mlmodel";
  {
    std::ifstream in(test::shared_dir() / "corpus-gen/neuralnetwork_cnn/model.mlmodel", std::ios::binary);
    std::string bytes(3000, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::ofstream(bad, std::ios::binary).write(bytes.data(), in.gcount());
  }
  int rc = -1;
  const Image img = screenshot_of("corrupt_file", bad, &rc);
  ASSERT_TRUE(img.px);
  EXPECT_EQ(rc, 0);  // the app kept running until the screenshot
  // The error window sits in the middle; its message is drawn in red.
  const int red_text = img.count_if([](int r, int g, int b) { return r > 200 && g < 130 && b < 130; }, 0.3f, 0.3f, 0.7f, 0.6f);
  EXPECT_GT(red_text, 80);
}

TEST(GuiScript, VerbsDriveTheWindowAndReportFrameTimes) {
  MLSCOPE_REQUIRE_SHARED();
  const fs::path dir = test::scratch_dir("gui_script");
  const fs::path png = shots_dir() / "script_search_select.png";
  fs::remove(png);
  const fs::path script = dir / "run.txt";
  std::ofstream(script) << "# open, find, select and colour\n"
                        << "open " << (test::shared_dir() / "corpus-gen/transformer_block_fp32/model.mlpackage").string() << "\n"
                        << "color-mode op-type\nsearch softmax\nfit\nwait 2\nmeasure 5 fit\n"
                        << "screenshot " << png.string() << "\n";
  std::string out;
  EXPECT_EQ(run_gui("script", "--script '" + script.string() + "'", &out), 0) << out;
  EXPECT_NE(out.find("measure fit: ui_ms median="), std::string::npos) << out;
  const Image img = load_png(png);
  ASSERT_TRUE(img.px) << out;
  // The search selected the softmax and centred it: its (activation) colour is on screen.
  EXPECT_GT(img.count(kActivationOrange, kGx0, kGy0, kGx1, kGy1), 300);
}

TEST(GuiScript, RecordedPlacementColoursNeuralEngineOps) {
  MLSCOPE_REQUIRE_SHARED();
  const fs::path recording = fs::path(MLSCOPE_SOURCE_DIR) / "assets/recordings/amplified_conv_tie_w8a8_ct9.recording.json";
  ASSERT_TRUE(fs::exists(recording)) << recording;
  const fs::path dir = test::scratch_dir("gui_recording");
  const fs::path png = shots_dir() / "w8a8_ct9_recorded_device.png";
  fs::remove(png);
  const fs::path script = dir / "run.txt";
  std::ofstream(script) << "recording " << recording.string() << "\n"
                        << "open " << (test::shared_dir() / "corpus-gen/amplified_conv_tie_w8a8_ct9/model.mlpackage").string() << "\n"
                        << "color-mode device\nwait 3\nscreenshot " << png.string() << "\n";
  std::string out;
  EXPECT_EQ(run_gui("recording", "--script '" + script.string() + "'", &out), 0) << out;
  const Image img = load_png(png);
  ASSERT_TRUE(img.px) << out;
  // Neural Engine fill of the dark theme (widgets/theme.cpp): the recording puts ops there.
  EXPECT_GT(img.count(Rgb{60, 170, 90}, kGx0, kGy0, kGx1, kGy1, 6), 300);
}

TEST(GuiScript, UnknownVerbIsABadInput) {
  const fs::path dir = test::scratch_dir("gui_script_bad");
  const fs::path script = dir / "bad.txt";
  std::ofstream(script) << "open x\nfrobnicate 3\n";
  std::string out;
  EXPECT_EQ(run_gui("script_bad", "--script '" + script.string() + "'", &out), 2) << out;
  EXPECT_NE(out.find("bad.txt:2: unknown verb 'frobnicate'"), std::string::npos) << out;
}
