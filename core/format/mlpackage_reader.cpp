// format::read_mlpackage: the package manifest, the root Model protobuf it names, and the weights
// directory that blob references resolve against.
#include <filesystem>

#include "core/format/manifest.h"
#include "core/format/open.h"
#include "core/format/model_proto_file.h"

namespace mlscope::format {

namespace fs = std::filesystem;

ir::Model read_mlpackage(const std::string& package_dir) {
  PackageManifest manifest = read_manifest(package_dir);
  pbread::ReadContext ctx;
  ctx.package_dir = package_dir;
  ctx.model_dir = fs::path(manifest.root_model_path).parent_path().string();
  ctx.weights_dir = manifest.weights_dir;
  ir::Model model;
  model.path = package_dir;
  model.format = ir::Format::MLPackage;
  return read_model_file(manifest.root_model_path, ctx, std::move(model));
}

}  // namespace mlscope::format
