// Chip profiles for the roofline estimate. Peaks come from shared/docs/seed-measurements.md
// (quoted theoretical Neural Engine peaks); bandwidths are published system-memory figures,
// labeled with their source. Everything computed from them is an ESTIMATE, never a measurement.
#pragma once

#include <string>
#include <vector>

namespace mlscope::analysis {

struct ChipProfile {
  std::string name;              ///< CLI key: "h17", "a18pro"
  std::string description;
  double fp16_flops = 0;         ///< peak fp16 FLOP/s
  double int8_ops = 0;           ///< peak int8 OP/s
  double bandwidth = 0;          ///< bytes/s
  std::string peak_source;       ///< where the peaks come from
  std::string bandwidth_source;  ///< where the bandwidth comes from
};

const std::vector<ChipProfile>& chip_profiles();
/// Profile by name (case-sensitive), nullptr if unknown.
const ChipProfile* find_chip(const std::string& name);
/// The default profile ("h17").
const ChipProfile& default_chip();

}  // namespace mlscope::analysis
