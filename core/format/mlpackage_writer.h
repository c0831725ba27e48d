// Writing an ir::Model (ML program) as an .mlpackage directory: Manifest.json with fresh UUIDs,
// Data/com.apple.CoreML/model.mlmodel and weights/weight.bin (blob storage v2). Tensor constants
// of at least 10 elements whose dtype can live in a blob go to weight.bin, as coremltools does
// (int16/uint16/int32/uint32 only for specification version >= 9).
#pragma once

#include <cstdint>
#include <string>

#include "core/ir/model.h"

namespace mlscope::format {

struct WriteOptions {
  /// Minimum element count for a constant to be stored in weight.bin instead of inline.
  uint64_t blob_threshold = 10;
  /// A tensor constant with no payload at all (no bytes, no blob) is written as a zero-filled
  /// blob of its full dtype × shape size, reserved with ftruncate (sparse on disk). Lets tests
  /// and benchmarks make multi-GB packages without writing GBs. Off: such constants are errors.
  bool sparse_zero_constants = false;
};

/// Writes `model` (kind "mlProgram") to `package_dir` (created; must not exist or be empty).
/// Throws mlscope::Error on models it cannot represent or I/O failures.
void write_mlpackage(const ir::Model& model, const std::string& package_dir, const WriteOptions& options = {});

}  // namespace mlscope::format
