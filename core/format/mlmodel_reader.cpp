// format::read_mlmodel: a bare .mlmodel file (one Model protobuf; weights inline).
#include <filesystem>

#include "core/format/model_proto_file.h"
#include "core/format/open.h"

namespace mlscope::format {

ir::Model read_mlmodel(const std::string& file) {
  pbread::ReadContext ctx;
  ctx.model_dir = std::filesystem::path(file).parent_path().string();
  ir::Model model;
  model.path = file;
  model.format = ir::Format::MLModel;
  return read_model_file(file, ctx, std::move(model));
}

}  // namespace mlscope::format
