#include "core/analysis/chip_profile.h"

namespace mlscope::analysis {

const std::vector<ChipProfile>& chip_profiles() {
  static const std::vector<ChipProfile> profiles = {
      {"h17", "Apple M4-class Neural Engine (h17), one cluster", 20.05e12, 40.11e12, 120e9,
       "seed-measurements.md: quoted theoretical peaks 20.05 TFLOPS fp16 / 40.11 TOPS int8 per cluster",
       "Apple-published M4 unified memory bandwidth 120 GB/s (whole SoC; the ANE's share is not published)"},
      {"a18pro", "Apple A18 Pro Neural Engine", 15.86e12, 30.53e12, 60e9,
       "seed-measurements.md: quoted peaks 15.86 TFLOPS fp16 / 30.53 TOPS int8",
       "assumed 60 GB/s (LPDDR5X-7500 on a 64-bit bus; not an Apple-published figure)"},
  };
  return profiles;
}

const ChipProfile* find_chip(const std::string& name) {
  for (const auto& p : chip_profiles())
    if (p.name == name) return &p;
  return nullptr;
}

const ChipProfile& default_chip() { return chip_profiles().front(); }

}  // namespace mlscope::analysis
