// format::read_mlpackage and format::read_mlmodel: one Model protobuf, plus for packages the
// manifest and the weights directory that blob references resolve against.
#include <algorithm>
#include <filesystem>

#include "core/format/manifest.h"
#include "core/format/mapped_file.h"
#include "core/format/open.h"
#include "core/format/protobuf/model_from_proto.h"

namespace mlscope::format {

namespace fs = std::filesystem;

namespace {

ir::Model read_model_file(const std::string& file, pbread::ReadContext& ctx, ir::Model model) {
  MappedFile bytes(file);
  // An arena makes parsing and freeing tens of thousands of small messages cheap.
  google::protobuf::ArenaOptions opts;
  opts.start_block_size = std::max<size_t>(64 * 1024, bytes.size() * 2);
  opts.max_block_size = std::max<size_t>(1 << 20, bytes.size() * 2);
  google::protobuf::Arena arena(opts);
  pb::Model* m = google::protobuf::Arena::CreateMessage<pb::Model>(&arena);
  pbread::parse_model_bytes(bytes.bytes(), bytes.size(), file, m);
  ctx.file = file;
  ctx.model = &model;
  pbread::convert_model(*m, ctx, model);
  ctx.model = nullptr;
  return model;
}

}  // namespace

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

ir::Model read_mlmodel(const std::string& file) {
  pbread::ReadContext ctx;
  ctx.model_dir = fs::path(file).parent_path().string();
  ir::Model model;
  model.path = file;
  model.format = ir::Format::MLModel;
  return read_model_file(file, ctx, std::move(model));
}

}  // namespace mlscope::format
