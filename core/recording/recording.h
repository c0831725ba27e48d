// A recording: a compute plan and per-compute-unit predictions captured on a Mac, loadable
// anywhere. Format: docs/recording-format.md, schema docs/recording.schema.json.
//
// Producers: tools/record_coreml.py (coremltools on a Mac), later the native macOS backend,
// and transcriptions of published measurements (assets/recordings/). All write this struct
// through write_recording_json(), so every producer yields the same format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/placement.h"

namespace mlscope::recording {

constexpr int kFormatVersion = 1;

/// Which file identifies the model, and its hash (see model_identity.h for what is hashed).
struct ModelIdentity {
  std::string hashed_file;  ///< path of the hashed file inside the model: "Data/com.apple.CoreML/model.mlmodel"
  std::string format;       ///< "mlpackage", "mlmodel", "mlmodelc", "mil"
  std::string sha256;       ///< lowercase hex of the hashed file's bytes
  int64_t op_count = 0;     ///< ops in the compute plan (every function, program order)
};

struct RecordedOp {
  std::string function;
  int64_t index = 0;        ///< position in the function's program order
  std::string type;         ///< as MLComputePlan reports it: "ios17.conv", "const"
  std::string name;         ///< optional debug name ("" if not recorded)
  std::optional<analysis::Device> preferred;  ///< nullopt: no device usage
  analysis::DeviceSet supported;
  std::optional<double> cost;  ///< MLComputePlan estimated cost weight; nullopt if not recorded
};

/// A tensor by name: values inline, or a reference to an .npy file (path relative to the
/// recording file) with the file's SHA-256.
struct TensorRecord {
  std::string name;
  std::string dtype;           ///< numpy name: "float32", "float16", "int32", ...
  std::vector<int64_t> shape;
  std::vector<double> values;  ///< inline values (C order); empty when `npy` is set
  std::string npy;             ///< .npy path relative to the recording file
  std::string npy_sha256;
};

struct RunStats {
  int64_t runs = 0;          ///< predictions made after the reference one
  bool bit_stable = false;   ///< every run bit-identical to the reference
  double worst_abs_diff = 0;
};

struct Prediction {
  std::string compute_units;  ///< "cpu_only", "cpu_and_gpu", "cpu_and_ne", "all"
  std::vector<TensorRecord> inputs;
  std::vector<TensorRecord> outputs;
  RunStats stats;
};

struct Recording {
  int format_version = kFormatVersion;
  std::string recorder;          ///< "tools/record_coreml.py 1", "transcription", ...
  std::string recorded_on;       ///< machine / OS as reported ("macOS 14.5, Apple M1")
  std::string coremltools_version;
  std::string plan_compute_units = "all";
  std::string provenance;        ///< free text: how the data was obtained (required for transcriptions)
  ModelIdentity model;
  std::vector<RecordedOp> plan;
  std::vector<Prediction> predictions;
  std::string path;              ///< file it was loaded from ("" if built in memory)
};

/// The four compute-unit names of the format.
const std::vector<std::string>& compute_unit_names();

}  // namespace mlscope::recording
