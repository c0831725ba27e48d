// Shared state of one protobuf read: which file errors name, where weight files resolve from,
// and the weight files opened so far (each opened once, kept alive by the Model).
// Internal to core/format: includes generated protobuf types.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/ir/blob_file.h"
#include "core/ir/model.h"

namespace mlscope::format::pbread {

struct ReadContext {
  std::string file;         ///< the protobuf file (named in errors)
  std::string model_dir;    ///< what @model_path means (directory holding model.mlmodel)
  std::string weights_dir;  ///< package weights directory from the manifest ("" if none)
  std::string package_dir;  ///< package root ("" for a bare .mlmodel); blob paths must stay inside
  std::map<std::string, std::shared_ptr<const ir::BlobFile>> blob_files;
  ir::Model* model = nullptr;  ///< receives opened weight files

  /// Opens (once) the weight file a BlobFileValue names. Throws mlscope::Error naming `op`.
  std::shared_ptr<const ir::BlobFile> blob_file(const std::string& file_name, const std::string& op);
};

}  // namespace mlscope::format::pbread
