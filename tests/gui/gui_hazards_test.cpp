// The fp16 hazards view in the real window (widgets/hazards_panel.cpp) under Xvfb: analysis on
// the worker, the graph's hazards colour mode with the NaN origin ringed, the Inspector section
// of the selected op. Checked against the app's state dump and the screenshot's pixels.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/io/npy.h"
#include "core/format/mlpackage_writer.h"
#include "gui_test_util.h"
#include "support/hazard_programs.h"
#include "support/test_paths.h"

namespace fs = std::filesystem;
using namespace mlscope;
using nlohmann::json;

TEST(GuiHazards, ColorModeMarksTheReduceMeanOrigin) {
  const fs::path dir = test::scratch_dir("gui_hazards");
  const fs::path model = dir / "reduction.mlpackage", input = dir / "x.npy", dump = dir / "state.json";
  fs::remove_all(model);
  format::write_mlpackage(fixtures::program_model(fixtures::reduction_overflow_program(32)), model.string());
  io::write_npy(input.string(), exec::Tensor::from_floats(ir::DType::Float32, {1, 1, 32, 32},
                                                            std::vector<float>(1024, fixtures::kReductionOverflowInput)));
  const fs::path shot = guitest::shots_dir() / "hazards_color_mode.png";
  fs::remove(shot);
  std::string out;
  const int code = guitest::run_script("hazards",
                                       "open " + model.string() + "\n"
                                       "hazards gpu-lowacc x=" + input.string() + "\n"
                                       "wait-hazards\n"
                                       "color-mode hazards\n"
                                       "select pool\n"
                                       "fit\n"
                                       "wait 5\n"
                                       "screenshot " + shot.string() + "\n"
                                       "dump-hazards " + dump.string() + "\n"
                                       "quit\n",
                                       &out);
  ASSERT_EQ(code, 0) << out;
  std::ifstream in(dump);
  ASSERT_TRUE(in) << out;
  const json j = json::parse(in);
  EXPECT_EQ(j.at("color_mode"), "hazards");
  EXPECT_EQ(j.at("overlay_available"), true) << j.at("overlay_why");
  EXPECT_EQ(j.at("profile"), "gpu-lowacc");
  EXPECT_EQ(j.at("nonfinite_origin"), "pool");
  EXPECT_EQ(j.at("origin_marked"), true);
  EXPECT_EQ(j.at("origin_color"), j.at("critical_color"));
  EXPECT_EQ(j.at("summary").at("nonfinite"), 1);
  EXPECT_EQ(j.at("selected_op"), "pool");
  // Two findings on pool, most severe first: its NaN output, and the fp16 partial sums of its
  // 1024-term mean that left the fp16 range (x = 4 -> conv 4 -> silu 3.93, x 64 = 251 per term:
  // a running fp16 sum passes 65504 after 261 of the 1024 terms).
  ASSERT_EQ(j.at("selected_op_hazards").size(), 2u);
  EXPECT_EQ(j.at("selected_op_hazards").at(0).at("kind"), "nonfinite");
  EXPECT_EQ(j.at("selected_op_hazards").at(0).at("severity"), "critical");
  EXPECT_EQ(j.at("selected_op_hazards").at(1).at("kind"), "accumulation");

  // Pixels: the origin's fill (critical red, HazardsOverlay::severity_color) and its red ring.
  const guitest::Image img = guitest::load_png(shot);
  ASSERT_GT(img.w, 0) << shot;
  EXPECT_GT(img.count({215, 40, 40}, 0, 0, 1, 1, 6), 200) << "critical fill of pool";
  EXPECT_GT(img.count({255, 40, 40}, 0, 0, 1, 1, 6), 50) << "the origin's ring";
}
