// .mlpackage Manifest.json (docs/coreml-formats.md §2): which item is the root model and where
// the weights directory is. Validated strictly; errors name Manifest.json and the JSON key.
#pragma once

#include <string>

namespace mlscope::format {

struct PackageManifest {
  std::string file_format_version;
  std::string root_model_path;  ///< absolute path of the root model item (exists, regular file)
  std::string weights_dir;      ///< absolute path of the weights item, "" if none
};

/// Reads `<package_dir>/Manifest.json`. Throws mlscope::Error for missing keys, item paths that
/// are absolute or contain "..", and items whose files do not exist.
PackageManifest read_manifest(const std::string& package_dir);

}  // namespace mlscope::format
