// A small preview of an image file (stb_image → OpenGL texture) for image inputs.
#pragma once

#include <imgui.h>

#include <string>

namespace mlscope::gui {

class ImageThumbnail {
 public:
  ~ImageThumbnail();
  /// Shows `path` scaled to `max_side` pixels; loads it when the path changes. Non-images show nothing.
  void Draw(const std::string& path, float max_side);

 private:
  void release();
  std::string path_;
  unsigned texture_ = 0;
  int w_ = 0, h_ = 0;
  bool failed_ = false;
};

}  // namespace mlscope::gui
