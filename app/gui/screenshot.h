// Writes the current OpenGL back buffer to a PNG (stb_image_write).
#pragma once

#include <string>

namespace mlscope::gui {

/// Reads width x height RGBA pixels of the back buffer; returns false with `error` set.
bool write_screenshot(const std::string& path, int width, int height, std::string& error);
/// Writes the region (x0, y0)-(x1, y1) (top-left origin, window pixels) of a back buffer of
/// height `fb_height` — e.g. one plot, for "export plot as PNG".
bool write_screenshot_region(const std::string& path, int x0, int y0, int x1, int y1, int fb_height, std::string& error);

}  // namespace mlscope::gui
