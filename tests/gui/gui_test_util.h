// Shared helpers of the GUI tests: run the real mlscope under Xvfb, load its screenshots, count
// pixels of a colour inside a box given as fractions of the image.
#pragma once

#include <stb_image.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "support/test_paths.h"

namespace mlscope::guitest {

namespace fs = std::filesystem;

struct Rgb { int r, g, b; };

struct Image {
  int w = 0, h = 0;
  std::unique_ptr<uint8_t, void (*)(void*)> px{nullptr, stbi_image_free};
  int count(Rgb c, float x0, float y0, float x1, float y1, int tol = 8) const {
    int n = 0;
    for (int y = static_cast<int>(y0 * h); y < static_cast<int>(y1 * h); ++y)
      for (int x = static_cast<int>(x0 * w); x < static_cast<int>(x1 * w); ++x) {
        const uint8_t* p = px.get() + (static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x)) * 3;
        if (std::abs(p[0] - c.r) <= tol && std::abs(p[1] - c.g) <= tol && std::abs(p[2] - c.b) <= tol) ++n;
      }
    return n;
  }
  /// Pixels inside the box for which pred(r, g, b) holds.
  template <class Pred>
  int count_if(Pred pred, float x0, float y0, float x1, float y1) const {
    int n = 0;
    for (int y = static_cast<int>(y0 * h); y < static_cast<int>(y1 * h); ++y)
      for (int x = static_cast<int>(x0 * w); x < static_cast<int>(x1 * w); ++x) {
        const uint8_t* p = px.get() + (static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x)) * 3;
        if (pred(p[0], p[1], p[2])) ++n;
      }
    return n;
  }
};

inline Image load_png(const fs::path& path) {
  Image img;
  int channels = 0;
  img.px.reset(stbi_load(path.c_str(), &img.w, &img.h, &channels, 3));
  return img;
}

inline fs::path shots_dir() {
  fs::create_directories(MLSCOPE_SHOTS_DIR);
  return MLSCOPE_SHOTS_DIR;
}

/// Runs mlscope with `args` under Xvfb with software GL and a private config folder.
inline int run_gui(const std::string& tag, const std::string& args, std::string* out) {
  const fs::path cfg = test::scratch_dir("gui_cfg_" + tag);
  const std::string cmd = "LIBGL_ALWAYS_SOFTWARE=1 MLSCOPE_CONFIG_DIR='" + cfg.string() +
                          "' xvfb-run -a -s '-screen 0 1600x1000x24' '" MLSCOPE_GUI_PATH "' " + args;
  return test::run_command(cmd, out, true);
}

/// Writes `lines` as a script and runs it; returns the exit code, output in `out`.
inline int run_script(const std::string& tag, const std::string& lines, std::string* out) {
  const fs::path script = test::scratch_dir("gui_script_" + tag) / "run.txt";
  std::ofstream(script) << lines;
  return run_gui(tag, "--script '" + script.string() + "'", out);
}

/// The number after `key` in the first line of `out` that contains `prefix` (-1 if absent).
inline long long number_after(const std::string& out, const std::string& prefix, const std::string& key) {
  const size_t line = out.find(prefix);
  if (line == std::string::npos) return -1;
  const size_t end = out.find('\n', line);
  const size_t k = out.find(key, line);
  if (k == std::string::npos || (end != std::string::npos && k > end)) return -1;
  return std::atoll(out.c_str() + k + key.size());
}

// Default window arrangement (app_menus.cpp): Model/Inspector 0..22%, Graph 22..70% wide (top
// 64%), Ops below it, MIL text 70..100%.
constexpr float kGx0 = 0.23f, kGy0 = 0.09f, kGx1 = 0.69f, kGy1 = 0.62f;  ///< graph canvas
constexpr float kIx0 = 0.0f, kIy0 = 0.45f, kIx1 = 0.21f, kIy1 = 1.0f;    ///< inspector
constexpr float kTx0 = 0.23f, kTy0 = 0.68f, kTx1 = 0.69f, kTy1 = 0.99f;  ///< op table rows

}  // namespace mlscope::guitest
