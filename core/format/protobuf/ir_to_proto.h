// ir::Model (ML program) → Model protobuf, the inverse of model_from_proto (internal).
#pragma once

#include <functional>
#include <string>

#include "core/format/blob_writer.h"
#include "core/format/mlpackage_writer.h"
#include "model.pb.h"

namespace mlscope::format::pbwrite {

struct WriteState {
  WriteOptions options;
  std::string model_file;  ///< named in errors
  int64_t spec_version = 0;
  /// Returns the weight writer, creating weights/weight.bin on first use.
  std::function<BlobWriter&()> blobs;
};

void build_model_proto(const ir::Model& m, WriteState& st, pb::Model* out);

}  // namespace mlscope::format::pbwrite
