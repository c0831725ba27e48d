// Writes the current OpenGL back buffer to a PNG (stb_image_write).
#pragma once

#include <string>

namespace mlscope::gui {

/// Reads width x height RGBA pixels of the back buffer; returns false with `error` set.
bool write_screenshot(const std::string& path, int width, int height, std::string& error);

}  // namespace mlscope::gui
