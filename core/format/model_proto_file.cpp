#include "core/format/model_proto_file.h"

#include <algorithm>

#include "core/format/mapped_file.h"

namespace mlscope::format {

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

}  // namespace mlscope::format
