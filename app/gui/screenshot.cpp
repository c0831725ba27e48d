#include "app/gui/screenshot.h"

#include <GL/gl.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace mlscope::gui {

bool write_screenshot(const std::string& path, int width, int height, std::string& error) {
  if (width <= 0 || height <= 0) { error = "empty framebuffer"; return false; }
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * static_cast<size_t>(height) * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  // GL's origin is bottom-left; PNG rows go top-down.
  std::vector<uint8_t> flipped(pixels.size());
  const size_t stride = static_cast<size_t>(width) * 4;
  for (int y = 0; y < height; ++y)
    std::copy_n(pixels.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(height - 1 - y) * stride), stride,
                flipped.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(y) * stride));
  for (size_t i = 3; i < flipped.size(); i += 4) flipped[i] = 255;  // opaque
  if (!stbi_write_png(path.c_str(), width, height, 4, flipped.data(), static_cast<int>(stride))) {
    error = "cannot write " + path;
    return false;
  }
  return true;
}

bool write_screenshot_region(const std::string& path, int x0, int y0, int x1, int y1, int fb_height, std::string& error) {
  y0 = std::max(0, y0);
  x0 = std::max(0, x0);
  y1 = std::min(fb_height, y1);
  const int w = x1 - x0, h = y1 - y0;
  if (w <= 0 || h <= 0) { error = "empty plot region"; return false; }
  std::vector<uint8_t> pixels(static_cast<size_t>(w) * static_cast<size_t>(h) * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(x0, fb_height - y1, w, h, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  std::vector<uint8_t> flipped(pixels.size());
  const size_t stride = static_cast<size_t>(w) * 4;
  for (int y = 0; y < h; ++y)
    std::copy_n(pixels.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(h - 1 - y) * stride), stride,
                flipped.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(y) * stride));
  for (size_t i = 3; i < flipped.size(); i += 4) flipped[i] = 255;
  if (!stbi_write_png(path.c_str(), w, h, 4, flipped.data(), static_cast<int>(stride))) {
    error = "cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace mlscope::gui
