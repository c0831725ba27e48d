// Findings that are not flips, in the real Compare window: an output that underflowed to all
// zeros under fp16 and one that overflowed to inf are drawn as notes (amber pills), never as the
// red ARGMAX FLIP badge, and never as bars. Programs written with the project's writer.
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

namespace {

json load(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

const json& backend(const json& state, const std::string& name) {
  for (const auto& b : state.at("outputs").at(0).at("backends"))
    if (b.at("name") == name) return b;
  throw std::runtime_error("no backend " + name + " in " + state.dump());
}

}  // namespace

TEST(GuiFindings, AllZeroAndInfOutputsAreNotesNotFlips) {
  const fs::path dir = test::scratch_dir("gui_findings");
  // x [4] fp16 · 1e-9: under fp32 the scores keep x's strict winner (index 2); stored as fp16
  // every product is below 2^-25 and rounds to exactly 0. · 1e5: every |x|·1e5 > 65504 → ±inf.
  const fs::path tiny = dir / "tiny.mlpackage", huge = dir / "huge.mlpackage", input = dir / "x.npy";
  for (const auto& p : {tiny, huge}) fs::remove_all(p);
  format::write_mlpackage(fixtures::program_model(fixtures::scale_program(1e-9f, 4, ir::DType::Float16)), tiny.string());
  format::write_mlpackage(fixtures::program_model(fixtures::scale_program(1e5f, 4, ir::DType::Float16)), huge.string());
  io::write_npy(input.string(), exec::Tensor::from_floats(ir::DType::Float16, {4}, {1, 2, 4, 3}));
  const fs::path s1 = dir / "tiny.json", s2 = dir / "huge.json";
  const fs::path shot = guitest::shots_dir() / "compare_findings.png";
  fs::remove(shot);
  auto run_block = [&](const fs::path& model, const fs::path& state) {
    return "open " + model.string() + "\nbackends fp32,gpu\nreference fp32\ninput " + input.string() +
           "\npanel backends\npanel compare logits\nrun\nwait-runs\nwait 3\ndump-state " + state.string() + "\n";
  };
  std::string out;
  const int code = guitest::run_script("findings", run_block(tiny, s1) + run_block(huge, s2) + "screenshot " + shot.string() + "\nquit\n", &out);
  ASSERT_EQ(code, 0) << out;

  const json a = load(s1);
  EXPECT_EQ(a.at("flip_badges_drawn"), 0) << a.dump(1);
  EXPECT_GE(a.at("note_pills_drawn").get<int>(), 1);
  EXPECT_EQ(backend(a, "fp32").at("argmax"), 2);
  EXPECT_EQ(backend(a, "gpu").at("verdict"), "degenerate");
  EXPECT_EQ(backend(a, "gpu").at("flip"), false);
  EXPECT_EQ(backend(a, "gpu").at("values"), (std::vector<double>{0, 0, 0, 0}));

  const json b = load(s2);
  EXPECT_EQ(b.at("flip_badges_drawn"), 0) << b.dump(1);
  EXPECT_GE(b.at("note_pills_drawn").get<int>(), 1);
  EXPECT_EQ(backend(b, "gpu").at("verdict"), "nonfinite");
  EXPECT_EQ(backend(b, "gpu").at("nonfinite"), 4);
  EXPECT_EQ(backend(b, "gpu").at("flip"), false);

  // Pixels: no red flip badge anywhere in the Compare window, and the amber note is there.
  const guitest::Image img = guitest::load_png(shot);
  ASSERT_GT(img.w, 0) << shot;
  EXPECT_LT(img.count({220, 40, 40}, 0.2f, 0.0f, 1.0f, 1.0f, 6), 50);
  EXPECT_GT(img.count({255, 184, 64}, 0.2f, 0.0f, 1.0f, 1.0f, 20), 20);
}
