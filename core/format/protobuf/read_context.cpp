// Resolving BlobFileValue.fileName to a weight file (docs/coreml-formats.md §2.2): "@model_path/"
// is the directory holding model.mlmodel; if that file is missing, fall back to the package's
// weights directory by basename, as coremltools does. Paths may not leave the package.
#include "core/format/protobuf/read_context.h"

#include <filesystem>

#include "core/util/error.h"

namespace mlscope::format::pbread {

namespace fs = std::filesystem;

namespace {
bool has_dotdot(const fs::path& p) {
  for (const auto& part : p)
    if (part == "..") return true;
  return false;
}
}  // namespace

std::shared_ptr<const ir::BlobFile> ReadContext::blob_file(const std::string& file_name, const std::string& op) {
  auto cached = blob_files.find(file_name);
  if (cached != blob_files.end()) return cached->second;

  const std::string prefix = "@model_path/";
  if (file_name.rfind(prefix, 0) != 0)
    throw Error(Location::at_op(file, op), "weight file reference '" + file_name + "' does not start with @model_path/");
  fs::path rel(file_name.substr(prefix.size()));
  if (rel.empty() || rel.is_absolute() || has_dotdot(rel))
    throw Error(Location::at_op(file, op), "weight file reference '" + file_name + "' escapes the model directory");
  fs::path p = fs::path(model_dir) / rel;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec) && !weights_dir.empty()) {
    fs::path alt = fs::path(weights_dir) / rel.filename();
    if (fs::is_regular_file(alt, ec)) p = alt;
  }
  if (!fs::is_regular_file(p, ec))
    throw Error(Location::at_op(file, op), "weight file '" + file_name + "' not found (looked for " + p.string() + ")");
  std::shared_ptr<const ir::BlobFile> f;
  try {
    f = ir::BlobFile::open(p.string());
  } catch (const Error& e) {
    Location l = e.where();
    l.op = op;
    throw Error(l, e.message());
  }
  blob_files[file_name] = f;
  if (model) model->weight_files.push_back(f);
  return f;
}

}  // namespace mlscope::format::pbread
