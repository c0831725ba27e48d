#include "core/recording/recording_files.h"

#include <filesystem>

#include "core/io/npy.h"
#include "core/util/error.h"
#include "core/util/sha256.h"

namespace mlscope::recording {

namespace fs = std::filesystem;

std::string resolve_tensor_path(const Recording& r, const TensorRecord& t) {
  fs::path p(t.npy);
  if (p.is_absolute()) return p.string();
  return (fs::path(r.path).parent_path() / p).lexically_normal().string();
}

exec::Tensor load_tensor_file(const Recording& r, const TensorRecord& t) {
  const std::string path = resolve_tensor_path(r, t);
  const std::string where = "tensor '" + t.name + "' (" + t.npy + ")";
  if (!fs::is_regular_file(path)) throw Error(Location::at_op(r.path, where), "referenced .npy not found: " + path);
  const std::string sha = sha256_file(path);
  if (sha != t.npy_sha256)
    throw Error(Location::at_op(r.path, where), "referenced .npy has SHA-256 " + sha + ", the recording says " + t.npy_sha256);
  exec::Tensor a = io::read_npy(path);
  const auto dt = ir::dtype_from_name(t.dtype);
  const exec::Dims shape(t.shape.begin(), t.shape.end());
  if (!dt || a.dtype() != *dt || a.shape() != shape)
    throw Error(Location::at_op(r.path, where), "referenced .npy is " + std::string(ir::dtype_name(a.dtype())) + " " +
                                                    exec::dims_str(a.shape()) + ", the recording says " + t.dtype + " " +
                                                    exec::dims_str(shape));
  return a;
}

void verify_tensor_files(const Recording& r) {
  for (const auto& p : r.predictions) {
    for (const auto& t : p.inputs)
      if (!t.npy.empty()) load_tensor_file(r, t);
    for (const auto& t : p.outputs)
      if (!t.npy.empty()) load_tensor_file(r, t);
  }
}

}  // namespace mlscope::recording
