// Quantization lineage: for every input of every real op, where its data is stored and how it
// is decoded (constexpr chains, dequantize, quantize→dequantize activation pairs, casts), plus
// the NeuralNetwork WeightParams quantization. Bad quantization data becomes a Finding.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/finding.h"
#include "core/ir/model.h"

namespace mlscope::analysis {

struct ValueStats {
  bool present = false;
  uint64_t count = 0;
  double min = 0, max = 0, mean = 0;
};

/// One quantized/compressed input of one op.
struct TensorLineage {
  std::string function;
  std::string op;       ///< consuming op name
  std::string op_type;  ///< consuming op type
  std::string input;    ///< parameter name ("weight", "x")
  std::string value;    ///< consumed value name
  std::string kind;     ///< "weight" (compile-time) or "activation" (runtime quantize→dequantize)
  std::vector<std::string> chain;  ///< producer op types, consumer side first ("dequantize", "quantize")
  std::vector<std::string> chain_ops;  ///< the same ops' names
  std::string scheme;        ///< affine, blockwise, lut, sparse, cast, or combinations "lut+sparse"
  std::string stored_dtype;  ///< dtype of the stored codes/data ("int8", "uint4", "fp16")
  int bits = 0;
  std::string granularity;   ///< per_tensor, per_channel, per_block, per_grouped_channel ("" if n/a)
  std::optional<int64_t> axis;
  std::optional<int64_t> block_size;
  std::vector<int64_t> block_shape;  ///< per-dimension block sizes (blockwise / grouped LUT)
  ValueStats scale, zero_point;
  std::optional<bool> symmetric;
  int64_t lut_size = 0, lut_vector_size = 0, lut_count = 0;
  std::string lut_dtype;
  std::optional<double> density;  ///< sparse: fraction of stored (non-zero) elements
  uint64_t elements = 0;          ///< dense element count
  uint64_t stored_bytes = 0;      ///< bytes of every constant in the chain
  std::optional<double> compression_vs_fp16;  ///< elements·2 / stored_bytes
  std::string source_op;  ///< activations: op whose output is quantized ("" = function input)
};

struct Verdict {
  std::string kind;    ///< "none", "weight-only", "W8A8", "mixed"
  std::string detail;  ///< "affine int8 per_channel; activations int8 per_tensor"
  std::string text() const { return detail.empty() ? kind : kind + " (" + detail + ")"; }
};

struct QuantReport {
  std::vector<TensorLineage> tensors;
  int64_t activation_quantize_ops = 0;    ///< quantize ops
  int64_t activation_dequantize_ops = 0;  ///< dequantize ops of runtime values
  int64_t weight_compression_ops = 0;     ///< constexpr_* ops, dequantize of constants, NN quantized weights
  std::map<std::string, int64_t> real_ops_consuming_dequantized;  ///< op type → distinct ops
  std::map<std::string, int64_t> real_ops_consuming_quantized;
  /// "dequantized_activation", "compressed_weight", "quantized_input" → consuming real op names.
  std::map<std::string, std::vector<std::string>> real_ops_by_lineage;
  int64_t weight_inputs_total = 0;       ///< weight-like inputs of real ops (compile-time tensors ≥ 2-D)
  int64_t weight_inputs_compressed = 0;  ///< of those, decoded from a compressed form
  Verdict verdict;
  std::vector<Finding> findings;
};

struct QuantOptions {
  /// Decode every compression op once to validate it (mask/nnz, LUT range, scale shapes).
  bool validate_by_decoding = true;
};

/// Ops that compute (not const/constexpr/quantize/dequantize/cast plumbing).
bool is_real_op(const ir::Op& op);

/// Lineage of one function (appends to `report`; call finish_verdict() after the last one).
void analyze_function_quantization(const ir::Function& f, QuantReport& report, const QuantOptions& opt = {});
/// Every function of the model and of its sub-models, then the verdict.
QuantReport analyze_quantization(const ir::Model& m, const QuantOptions& opt = {});
/// Computes report.verdict from the collected tensors.
void finish_verdict(QuantReport& report);

}  // namespace mlscope::analysis
