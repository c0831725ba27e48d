#include "core/recording/model_identity.h"

#include <filesystem>

#include "core/analysis/placement.h"
#include "core/util/error.h"
#include "core/util/sha256.h"

namespace mlscope::recording {

namespace fs = std::filesystem;

int64_t plan_op_count(const ir::Model& model) {
  int64_t n = 0;
  for (const auto& [label, fn] : analysis::plan_functions(model)) n += static_cast<int64_t>(fn->program_order().size());
  return n;
}

ModelIdentity identify_model(const std::string& model_path, const ir::Model& model) {
  ModelIdentity id;
  id.format = std::string(ir::format_name(model.format));
  const fs::path root(model_path);
  switch (model.format) {
    case ir::Format::MLPackage: id.hashed_file = "Data/com.apple.CoreML/model.mlmodel"; break;
    case ir::Format::MLModelC: id.hashed_file = fs::exists(root / "model.mil") ? "model.mil" : "coremldata.bin"; break;
    case ir::Format::MLModel:
    case ir::Format::MILText: id.hashed_file = root.filename().string(); break;
  }
  const bool is_dir = model.format == ir::Format::MLPackage || model.format == ir::Format::MLModelC;
  const fs::path file = is_dir ? root / id.hashed_file : root;
  if (!fs::is_regular_file(file)) throw Error(Location::in_file(file.string()), "model file to hash is missing");
  id.sha256 = sha256_file(file.string());
  id.op_count = plan_op_count(model);
  return id;
}

}  // namespace mlscope::recording
