// The Neural Engine placement rules, in ONE table, with their source and grade.
//
// Source: docs/ane-placement-rules.md (rows 1–10). Grades: A Apple documentation or code,
// M Apple maintainer, C community measurement, L old (NeuralNetwork era) or speculative.
// Apple publishes no static list, so every verdict names the rule that decided it and a
// recorded plan from a Mac always overrides the estimate. Thresholds are configurable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/analysis/placement.h"

namespace mlscope::analysis {

struct PlacementRule {
  std::string_view key;      ///< stable id used in reasons, JSON and tests: "fp32", "rank", ...
  int doc_row;               ///< row in ane-placement-rules.md (0: not a rule of that table)
  std::string_view grade;    ///< "A", "A/C", "C", "L", ...
  std::string_view summary;  ///< what the rule says
  std::string_view source;   ///< where it comes from
  /// Verdict for an op the rule catches. preferred nullopt = no device (constants).
  std::optional<Device> preferred;
  DeviceSet supported;
};

/// Every rule in evaluation order (the first rule that catches an op decides its verdict).
const std::vector<PlacementRule>& placement_rules();
/// Rule by key; throws std::out_of_range for an unknown key (a programming error).
const PlacementRule& placement_rule(std::string_view key);

/// Configurable thresholds (defaults from the rules document and the seeds).
struct PlacementThresholds {
  int max_rank = 5;                       ///< rule 3
  int64_t max_batch_channel_axis = 65536; ///< rule 4: N and C
  int64_t max_spatial_axis = 16384;       ///< rule 4: D, H, W (and reduction depth)
  int64_t matmul_min_k_fp16 = 4992;       ///< rule 7: matmul NE-preferred from this contraction size
  int64_t matmul_min_k_int8 = 4096;       ///< rule 7
  int64_t sdpa_min_elements = 2'000'000;  ///< rule 7: per Q/K/V tensor
  int64_t conv_max_kernel_width = 15;     ///< rule 8
  int64_t pool_max_kernel = 13;           ///< rule 8 (NeuralNetwork era)
  int64_t pool_max_stride = 2;            ///< rule 8 (NeuralNetwork era)
  int64_t palettized_conv_max_stride = 2; ///< rule 8
  uint64_t shard_warn_bytes = 250ull * 1000 * 1000;    ///< rule 9: seed 003 silent GPU fallback
  uint64_t model_limit_bytes = 1000ull * 1000 * 1000;  ///< rule 9: 1 GB per model on the NE
  uint64_t weight_file_max_bytes = 2ull << 30;         ///< rule 9: 2 GiB weight-file maximum

  /// Sets a threshold by its flag name (see threshold_names()). Throws mlscope::Error for an
  /// unknown name or a value that is not a non-negative integer.
  void set(std::string_view name, std::string_view value);
  /// "max-rank", "max-axis-nc", "max-axis-dhw", "matmul-min-k-fp16", ...: one per field.
  static std::vector<std::string_view> threshold_names();
};

}  // namespace mlscope::analysis
