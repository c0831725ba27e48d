// Weight comparison of two models over their matched ops: for every weight of A's op (a
// compile-time float tensor input, or a NeuralNetwork layer's WeightParams) the same parameter
// of B's op, both decoded to fp32 and reduced to a few errors — what palettizing, quantizing,
// pruning or re-converting did to each weight, and what it saved in bytes. Works across formats
// (NeuralNetwork "weights" ↔ ML-program "weight"; conv and linear layouts agree).
//
// Errors (a = A's dense values, b = B's, d_i = b_i − a_i; sums in double):
//   max_abs_error = max |d_i|
//   rel_error     = ‖d‖₂ / ‖a‖₂           (0 when both are zero)
//   snr_db        = 10 log10(Σ a_i² / Σ d_i²)  (+inf when identical; the definition of metrics.h)
//
// Memory: one weight pair is decoded at a time, reduced and freed, so the peak is the largest
// pair, whatever the model's size. Bad data in either model (a malformed constexpr chain,
// WeightParams that do not fit their layer) becomes a WeightDiff with compared = false and the
// decoder's message as its note; diff_weights does not throw.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ir/model.h"

namespace mlscope::compare {

struct WeightDiff {
  std::string a_op, b_op;          ///< names of the consuming matched ops
  std::string param;               ///< A's parameter: MIL input ("weight", "bias", "gamma") or NN attribute ("weights")
  std::string a_name, b_name;      ///< MIL: the consumed values (A's const, B's decompressed chain output); NN: "<layer>.weights"
  std::string a_scheme, b_scheme;  ///< "fp32", "fp16", or the lineage's scheme: "lut 4-bit per_tensor", "affine int8 per_channel"
  uint64_t elements = 0;           ///< A's element count
  bool compared = false;
  std::string note;                ///< why not compared: "shape [64, 32, 3, 3] vs [64, 32, 3]", a decoder's message
  double max_abs_error = 0;
  double rel_error = 0;
  double snr_db = 0;
  uint64_t bytes_a = 0, bytes_b = 0;  ///< stored bytes of every constant each is decoded from

  /// Compared and equal element by element.
  bool identical() const { return compared && snr_db == std::numeric_limits<double>::infinity(); }
};

struct WeightTotals {
  uint64_t bytes_a = 0, bytes_b = 0;  ///< over every weight listed
  size_t compared = 0, identical = 0, not_compared = 0;
  double worst_snr_db = std::numeric_limits<double>::infinity();  ///< lowest SNR of the compared weights
  std::string worst;                                              ///< its "<a_op>.<param>" ("" when all are identical)
};

/// Weights of A's op and B's op for every matched pair (op ids in fa and fb), in pair order and
/// then A's input order. Files named in notes are a.path and b.path.
std::vector<WeightDiff> diff_weights(const ir::Model& a, const ir::Function& fa, const ir::Model& b, const ir::Function& fb,
                                     const std::vector<std::pair<ir::OpId, ir::OpId>>& matched);

WeightTotals weight_totals(const std::vector<WeightDiff>& diffs);

/// Keys: a_op, b_op, param, a_name, b_name, a_scheme, b_scheme, elements, compared, note,
/// identical, max_abs_error, snr_db, rel_error, bytes_a, bytes_b. The errors are null when not
/// compared, snr_db also when identical (no JSON number is infinite).
nlohmann::json weight_diff_json(const WeightDiff& d);

}  // namespace mlscope::compare
