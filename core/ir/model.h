// Model: what a Core ML file describes — its interface (features), metadata, and the program
// (ML program functions or NeuralNetwork layers as one function), or sub-models for pipelines.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/ir/dtype.h"
#include "core/ir/function.h"

namespace mlscope::ir {

enum class Format : uint8_t { MLPackage, MLModel, MLModelC, MILText };
std::string_view format_name(Format f);  ///< "mlpackage", "mlmodel", "mlmodelc", "mil"

/// A model-description feature type (FeatureTypes.proto).
struct FeatureType {
  enum class Kind : uint8_t { Invalid, Int64, Double, String, Image, MultiArray, Dictionary, Sequence, State };
  Kind kind = Kind::Invalid;
  bool optional = false;
  // MultiArray / State(array)
  ArrayDType array_dtype = ArrayDType::Invalid;
  std::vector<int64_t> shape;
  std::vector<std::vector<int64_t>> enumerated_shapes;
  std::vector<std::pair<int64_t, int64_t>> shape_ranges;  ///< (lower, upper); upper < 0 = unbounded
  // Image
  int64_t image_width = 0, image_height = 0;
  int32_t color_space = 0;  ///< 10 GRAYSCALE, 20 RGB, 30 BGR, 40 GRAYSCALE_FLOAT16
  // Dictionary / Sequence
  Kind key_kind = Kind::Invalid;  ///< Int64 or String

  /// Schema name: "multiArrayType", "imageType", "doubleType", "stateType", ...
  std::string_view kind_name() const;
  /// "FLOAT16"... for arrays/states, "" otherwise.
  std::string dtype_name() const;
  bool has_flexible_shape() const { return !enumerated_shapes.empty() || !shape_ranges.empty(); }
};

struct Feature {
  std::string name;
  std::string short_description;
  FeatureType type;
};

struct FunctionDescription {
  std::string name;
  std::vector<Feature> inputs, outputs, states;
  std::string predicted_feature_name, predicted_probabilities_name;
};

struct Metadata {
  std::string short_description, version, author, license;
  std::map<std::string, std::string> user_defined;
};

/// NeuralNetwork image preprocessing (scaler or mean image) for one input.
struct ImagePreprocessing {
  std::string feature_name;
  float channel_scale = 1.0f;
  float red_bias = 0, green_bias = 0, blue_bias = 0, gray_bias = 0;
  std::vector<float> mean_image;
};

struct Model {
  std::string path;       ///< what was opened
  Format format = Format::MLModel;
  int64_t specification_version = 0;
  /// Model oneof field name: "mlProgram", "neuralNetworkClassifier", "pipelineRegressor",
  /// "treeEnsembleRegressor", "neuralNetwork (espresso)" for compiled NN bundles, ...
  std::string kind;
  bool is_updatable = false;

  // --- description ---
  std::vector<Feature> inputs, outputs, states;
  std::vector<FunctionDescription> function_descriptions;
  std::string default_function;
  std::string predicted_feature_name, predicted_probabilities_name;
  Metadata metadata;

  // --- program ---
  int64_t program_version = 0;
  std::map<std::string, std::string> program_attributes;  ///< e.g. buildInfo entries
  std::vector<Function> functions;  ///< ML program functions, or one NeuralNetwork function
  std::vector<ImagePreprocessing> preprocessing;  ///< NeuralNetwork models
  std::vector<std::string> class_labels;          ///< classifier labels (NN classifier)

  // --- pipelines ---
  std::vector<std::string> submodel_names;
  std::vector<Model> submodels;

  /// Human notes: "no op graph: treeEnsembleRegressor", "compiled NeuralNetwork: weights not decoded".
  std::vector<std::string> notes;
  /// Weight files referenced by constants (kept open for lazy reads).
  std::vector<std::shared_ptr<const BlobFile>> weight_files;

  bool is_ml_program() const { return kind == "mlProgram"; }
  const Function* function(std::string_view name) const;
  /// The default function (default_function, else "main", else the first).
  const Function* main_function() const;
  /// Op type → count over every function (every specialization, nested blocks, consts) and
  /// every sub-model.
  std::map<std::string, int64_t> op_counts() const;
  int64_t op_count() const;
  /// Bytes of weight files plus inline constant payloads.
  uint64_t weight_bytes() const;
};

}  // namespace mlscope::ir
