// NumPy .npy files (format versions 1–3): header parsing with every size checked against the
// real file size, little-endian numeric arrays read as doubles, and writing float32/float16.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mlscope {

struct NpyArray {
  std::string descr;            ///< numpy dtype string as stored: "<f4", "<f2", "|i1", "<i4" ...
  std::vector<int64_t> shape;
  bool fortran_order = false;
  std::vector<uint8_t> data;    ///< raw little-endian element bytes, C order unless fortran_order

  /// "float32", "float16", "int8", ... (numpy names); "" if the descr is not a supported type.
  std::string dtype_name() const;
  uint64_t element_count() const;
  /// Elements as doubles (numeric dtypes only). Throws mlscope::Error for other dtypes.
  std::vector<double> to_doubles() const;
};

/// Reads a whole .npy file. Throws mlscope::Error (file + byte offset) on anything malformed:
/// bad magic, header not a dict, big-endian or object dtypes, data shorter than the shape says.
NpyArray read_npy(const std::string& path);
/// Parses .npy bytes already in memory; `name` is used in error messages.
NpyArray parse_npy(const std::vector<uint8_t>& bytes, const std::string& name);

/// Writes a C-order array. `descr` must be "<f4" or "<f2" or "<i4" or "|i1" and data sized to match.
void write_npy(const std::string& path, const NpyArray& a);

}  // namespace mlscope
