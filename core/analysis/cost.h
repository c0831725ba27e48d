// Per-op cost: MACs/FLOPs from the IR's shapes, weight bytes as stored and decompressed,
// activation bytes, arithmetic intensity and a roofline ESTIMATE for a chip profile.
//
// Counting conventions (documented so totals can be checked by hand):
//  * MAC ops (conv, conv_transpose, linear, matmul, einsum, attention, lstm/gru/rnn):
//    FLOPs = 2 · MACs (+ one add per output element when a bias is present).
//  * elementwise: FLOPs = output elements × a per-op factor (1 for add/mul/relu, 4 for silu /
//    sigmoid, 8 for gelu ...); reductions: input elements; softmax 5 / norms 5 per element;
//    pools: output elements × kernel size. Data movement ops: 0 FLOPs, bytes only.
//  * An op whose shapes are unknown (and cannot be inferred) is reported with known = false and
//    counts 0 in the totals; unknown_ops says how many.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/analysis/chip_profile.h"
#include "core/analysis/finding.h"
#include "core/ir/model.h"

namespace mlscope::analysis {

struct OpCost {
  std::string function, name, type;
  bool known = true;
  std::string unknown_reason;
  uint64_t macs = 0, flops = 0;
  uint64_t weight_bytes = 0;               ///< weights as stored (compressed form)
  uint64_t weight_bytes_decompressed = 0;  ///< weights as the op consumes them
  uint64_t activation_bytes_read = 0, activation_bytes_written = 0;
  uint64_t activation_bytes() const { return activation_bytes_read + activation_bytes_written; }
  uint64_t bytes_moved() const { return weight_bytes + activation_bytes(); }
  double arithmetic_intensity = 0;  ///< FLOPs per byte moved
  bool int8 = false;                ///< int8 activations and ≤8-bit weights: int8 peak applies
  // Roofline estimate (seconds): max(compute, memory).
  double compute_seconds = 0, memory_seconds = 0, estimate_seconds = 0;
  std::string bound;  ///< "compute" or "memory" ("" when nothing to do)
};

struct CostTotals {
  int64_t ops = 0, unknown_ops = 0;
  uint64_t macs = 0, flops = 0, weight_bytes = 0, weight_bytes_decompressed = 0, activation_bytes = 0;
  double estimate_seconds = 0;
  void add(const OpCost& c);
};

struct CostReport {
  ChipProfile chip;
  std::string label = "estimate";
  std::vector<OpCost> ops;  ///< program order, every function
  std::map<std::string, CostTotals> per_function;
  std::map<std::string, CostTotals> by_type;
  CostTotals total;
  std::vector<Finding> findings;
  /// Indices into ops, largest estimate_seconds first (ties: larger FLOPs first).
  std::vector<size_t> top_ops(size_t n) const;
};

/// Cost of every executed op (not const/constexpr) of one function, appended to `report`.
void analyze_function_cost(const ir::Function& f, CostReport& report);
/// Every function of the model and its sub-models.
CostReport analyze_cost(const ir::Model& m, const ChipProfile& chip = default_chip());

}  // namespace mlscope::analysis
