#include "core/io/image_input.h"

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "core/util/error.h"

namespace mlscope::io {

exec::Tensor load_image_input(const std::string& path, const ir::FeatureType& feature, std::string* note) {
  if (feature.kind != ir::FeatureType::Kind::Image) throw Error(Location::in_file(path), "the input this image was given to is not an image feature");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Location::in_file(path), "cannot open image file");
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) throw Error(Location::in_file(path), "image file is empty");
  if (bytes.size() > (size_t(1) << 30)) throw Error(Location::in_file(path), "image file larger than 1 GiB");
  int w = 0, h = 0, comp = 0;
  if (!stbi_info_from_memory(bytes.data(), int(bytes.size()), &w, &h, &comp))
    throw Error(Location::in_file(path), std::string("not a readable image: ") + stbi_failure_reason());
  const int channels = (feature.color_space == 10 || feature.color_space == 40) ? 1 : 3;
  if (w <= 0 || h <= 0 || uint64_t(w) * uint64_t(h) * 4 > (uint64_t(256) << 20))
    throw Error(Location::in_file(path), "image claims " + std::to_string(w) + "x" + std::to_string(h) + " pixels (limit 256 MiB decoded)");
  unsigned char* px = stbi_load_from_memory(bytes.data(), int(bytes.size()), &w, &h, &comp, channels);
  if (!px) throw Error(Location::in_file(path), std::string("image decode failed: ") + stbi_failure_reason());
  std::vector<unsigned char> pixels(px, px + size_t(w) * size_t(h) * size_t(channels));
  stbi_image_free(px);
  int tw = int(feature.image_width > 0 ? feature.image_width : w), th = int(feature.image_height > 0 ? feature.image_height : h);
  if (tw != w || th != h) {
    std::vector<unsigned char> out(size_t(tw) * size_t(th) * size_t(channels));
    if (!stbir_resize_uint8(pixels.data(), w, h, 0, out.data(), tw, th, 0, channels))
      throw Error(Location::in_file(path), "image resize failed");
    if (note) *note = "resized " + std::to_string(w) + "x" + std::to_string(h) + " -> " + std::to_string(tw) + "x" + std::to_string(th);
    pixels.swap(out);
  }
  std::vector<int64_t> v(pixels.begin(), pixels.end());
  return exec::Tensor::from_ints(ir::DType::UInt8, {th, tw, channels}, std::move(v));
}

}  // namespace mlscope::io
