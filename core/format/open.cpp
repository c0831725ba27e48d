#include "core/format/open.h"

#include <filesystem>
#include <fstream>

#include "core/util/error.h"

namespace mlscope::format {

namespace fs = std::filesystem;

ir::Model open(const std::string& path) {
  std::error_code ec;
  fs::path p(path);
  // A trailing slash ("Foo.mlpackage/") must not hide the extension.
  if (!p.has_filename() && p.has_parent_path()) p = p.parent_path();
  if (!fs::exists(p, ec)) throw Error(Location::in_file(path), "no such file or directory");
  std::string ext = p.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool dir = fs::is_directory(p, ec);
  if (dir) {
    if (ext == ".mlpackage" || fs::exists(p / "Manifest.json", ec)) return read_mlpackage(p.string());
    if (ext == ".mlmodelc" || fs::exists(p / "model.mil", ec) || fs::exists(p / "model.espresso.net", ec) ||
        fs::exists(p / "coremldata.bin", ec))
      return read_mlmodelc(p.string());
    throw Error(Location::in_file(path), "directory is neither an .mlpackage (no Manifest.json) nor an .mlmodelc "
                                         "(no model.mil / model.espresso.net / coremldata.bin)");
  }
  if (ext == ".mil") return read_mil_file(p.string());
  if (ext == ".mlmodel") return read_mlmodel(p.string());
  if (ext == ".mlpackage" || ext == ".mlmodelc")
    throw Error(Location::in_file(path), "expected a directory for a " + ext + " model, found a file");
  // Unknown extension: sniff. MIL text starts with "program" (after optional whitespace).
  {
    std::ifstream in(p, std::ios::binary);
    char head[256] = {};
    in.read(head, sizeof head);
    std::string_view h(head, static_cast<size_t>(in.gcount()));
    size_t start = h.find_first_not_of(" \t\r\n");
    if (start != std::string_view::npos && h.substr(start, 7) == "program") return read_mil_file(p.string());
  }
  return read_mlmodel(p.string());
}

}  // namespace mlscope::format
