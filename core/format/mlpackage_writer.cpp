// .mlpackage layout (docs/coreml-formats.md §2): Manifest.json + Data/com.apple.CoreML/{model.mlmodel,
// weights/weight.bin}. Item identifiers are fresh random UUIDs, upper-case like macOS writes them.
#include "core/format/mlpackage_writer.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>

#include "core/format/protobuf/ir_to_proto.h"
#include "core/util/error.h"

namespace mlscope::format {

namespace fs = std::filesystem;

namespace {

std::string random_uuid() {
  std::random_device rd;
  uint8_t b[16];
  for (auto& x : b) x = static_cast<uint8_t>(rd());
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static const char* hex = "0123456789ABCDEF";
  std::string s;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += hex[b[i] >> 4];
    s += hex[b[i] & 15];
  }
  return s;
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw Error(Location::in_file(p.string()), "cannot write file");
}

}  // namespace

void write_mlpackage(const ir::Model& model, const std::string& package_dir, const WriteOptions& options) {
  const fs::path root(package_dir);
  std::error_code ec;
  if (fs::exists(root, ec) && !(fs::is_directory(root, ec) && fs::is_empty(root, ec)))
    throw Error(Location::in_file(package_dir), "output exists and is not an empty directory");
  const fs::path data = root / "Data" / "com.apple.CoreML";
  const fs::path weights = data / "weights";
  fs::create_directories(data, ec);
  if (ec) throw Error(Location::in_file(data.string()), "cannot create directory: " + ec.message());

  pbwrite::WriteState st;
  st.options = options;
  st.model_file = (data / "model.mlmodel").string();
  std::unique_ptr<BlobWriter> blobs;
  st.blobs = [&]() -> BlobWriter& {
    if (!blobs) {
      fs::create_directories(weights, ec);
      if (ec) throw Error(Location::in_file(weights.string()), "cannot create directory: " + ec.message());
      blobs = std::make_unique<BlobWriter>((weights / "weight.bin").string());
    }
    return *blobs;
  };
  pb::Model proto;
  pbwrite::build_model_proto(model, st, &proto);
  if (blobs) blobs->finish();

  std::string bytes;
  if (!proto.SerializeToString(&bytes))
    throw Error(Location::in_file(st.model_file), "model is too large to serialize (protobuf limit 2 GiB)");
  write_text(st.model_file, bytes);

  nlohmann::ordered_json manifest;
  manifest["fileFormatVersion"] = "1.0.0";
  nlohmann::ordered_json items = nlohmann::ordered_json::object();
  const std::string model_id = random_uuid();
  items[model_id] = {{"author", "com.apple.CoreML"}, {"description", "CoreML Model Specification"},
                     {"name", "model.mlmodel"}, {"path", "com.apple.CoreML/model.mlmodel"}};
  if (blobs)
    items[random_uuid()] = {{"author", "com.apple.CoreML"}, {"description", "CoreML Model Weights"},
                            {"name", "weights"}, {"path", "com.apple.CoreML/weights"}};
  manifest["itemInfoEntries"] = items;
  manifest["rootModelIdentifier"] = model_id;
  write_text(root / "Manifest.json", manifest.dump(2));
}

}  // namespace mlscope::format
