#include "widgets/image_thumbnail.h"

#include <GL/gl.h>
#include <stb_image.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace mlscope::gui {

namespace {

bool is_image_path(const std::string& p) {
  std::string ext = std::filesystem::path(p).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

}  // namespace

ImageThumbnail::~ImageThumbnail() { release(); }

void ImageThumbnail::release() {
  if (texture_) {
    GLuint t = texture_;
    glDeleteTextures(1, &t);
  }
  texture_ = 0;
  w_ = h_ = 0;
}

void ImageThumbnail::Draw(const std::string& path, float max_side) {
  if (path != path_) {
    release();
    path_ = path;
    failed_ = false;
    if (!is_image_path(path)) return;
    int c = 0;
    // A hostile header claiming a huge image is refused by stb's own size checks.
    unsigned char* px = stbi_load(path.c_str(), &w_, &h_, &c, 4);
    if (!px) { failed_ = true; w_ = h_ = 0; return; }
    GLuint t = 0;
    glGenTextures(1, &t);
    glBindTexture(GL_TEXTURE_2D, t);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, w_, h_, 0, GL_RGBA, GL_UNSIGNED_BYTE, px);
    stbi_image_free(px);
    texture_ = t;
  }
  if (failed_) { ImGui::TextDisabled("(cannot preview this image)"); return; }
  if (!texture_ || w_ <= 0 || h_ <= 0) return;
  const float s = max_side / static_cast<float>(std::max(w_, h_));
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture_)), ImVec2(static_cast<float>(w_) * s, static_cast<float>(h_) * s));
  ImGui::SameLine();
  ImGui::TextDisabled("%d x %d (resized to the model's input size when run)", w_, h_);
}

}  // namespace mlscope::gui
