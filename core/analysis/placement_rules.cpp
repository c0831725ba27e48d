#include "core/analysis/placement_rules.h"

#include <charconv>
#include <stdexcept>

#include "core/util/error.h"

namespace mlscope::analysis {

namespace {
constexpr Device kCpu = Device::CPU, kGpu = Device::GPU, kNe = Device::NeuralEngine;
}

const std::vector<PlacementRule>& placement_rules() {
  // Order matters: the first rule that catches an op decides. Model-wide limits come first
  // because they move every op; constants next because they never get a device.
  static const std::vector<PlacementRule> rules = {
      {"weight-file-max", 9, "A", "weights above the 2 GiB weight-file maximum fail to load",
       "coremltools PR #2593 (runtime error)", kCpu, {kCpu}},
      {"model-weights", 9, "A/C", "weights above 1 GB per model do not fit the Neural Engine (iPhone)",
       "coremltools docs mlmodel-utilities; ANEForge #45", kGpu, {kCpu, kGpu}},
      {"const", 0, "A", "const/constexpr ops are materialized at load time and have no device",
       "MLComputePlan (seed 000: 74 const/constexpr ops without device usage)", std::nullopt, {}},
      {"custom-layer", 6, "A", "custom layers run outside the Neural Engine",
       "coremltools #1278 #1780", kCpu, {kCpu, kGpu}},
      {"recurrent", 6, "M/C", "RNN/LSTM/GRU ops run on CPU", "coremltools #1780; anemll-profile",
       kCpu, {kCpu, kGpu}},
      {"dynamic-shape", 5, "A/C", "dynamic shapes (a RangeDim that changes) drop to CPU/GPU; enumerated shapes are fine",
       "coremltools flexible-inputs docs; coremltools #2370", kCpu, {kCpu, kGpu}},
      {"fp32", 1, "A", "fp32 tensors and fp32 constants never run on the Neural Engine",
       "coremltools docs \"typed execution\"; apple/coreai-models neural_engine_rules", kGpu, {kCpu, kGpu}},
      {"int-tensor", 2, "A/C", "int32/int64 tensors fall off the Neural Engine (fp16, int8, int16 only)",
       "neural_engine_rules; anemll-profile logs; tinygrad ANE notes", kCpu, {kCpu, kGpu}},
      {"rank", 3, "A/C", "tensor rank must be at most 5", "neural_engine_rules; ANEForge op quirks",
       kGpu, {kCpu, kGpu}},
      {"axis-limit", 4, "C", "axis sizes: N, C 1-65536; D, H, W 1-16384",
       "FluidAudio #121; larql PR #312; rustane #13", kGpu, {kCpu, kGpu}},
      {"op-kind", 6, "C/L", "op kinds seen off the Neural Engine: standalone slice_update, gather, dilated conv, NeuralNetwork ND/broadcastable layers",
       "coremltools #1780; anemll-profile; CoreMLInspect; hollance/neural-engine", kCpu, {kCpu, kGpu}},
      {"kernel-limit", 8, "C/L/A", "conv kernel width <= 15; pooling kernel <= 13, stride <= 2; upsample x2; palettized conv stride <= 2",
       "ANEForge; hollance issue #2; Apple performance guidance", kGpu, {kCpu, kGpu}},
      {"tiny-op", 7, "C", "small matmul (k below ~4992 fp16 / ~4096 int8) and small SDPA (< ~2M elements per Q/K/V) prefer the CPU",
       "Vx #436 #437; larql #312", kCpu, {kCpu, kGpu, kNe}},
      {"ne-eligible", 0, "C", "no rule keeps the op off the Neural Engine (fp16/int8 static shapes within limits)",
       "seed 000 compute plan: such ops prefer the Neural Engine", kNe, {kCpu, kGpu, kNe}},
      // Model-level warning only: never decides an op's verdict.
      {"shard-size", 9, "C", "compiled shards above ~250 MB were silently placed on the GPU",
       "seed 003", std::nullopt, {}},
  };
  return rules;
}

const PlacementRule& placement_rule(std::string_view key) {
  for (const auto& r : placement_rules())
    if (r.key == key) return r;
  throw std::out_of_range("unknown placement rule " + std::string(key));
}

namespace {
struct Field {
  std::string_view name;
  int64_t PlacementThresholds::*i64 = nullptr;
  uint64_t PlacementThresholds::*u64 = nullptr;
  int PlacementThresholds::*i32 = nullptr;
};
const std::vector<Field>& fields() {
  static const std::vector<Field> f = {
      {"max-rank", nullptr, nullptr, &PlacementThresholds::max_rank},
      {"max-axis-nc", &PlacementThresholds::max_batch_channel_axis},
      {"max-axis-dhw", &PlacementThresholds::max_spatial_axis},
      {"matmul-min-k-fp16", &PlacementThresholds::matmul_min_k_fp16},
      {"matmul-min-k-int8", &PlacementThresholds::matmul_min_k_int8},
      {"sdpa-min-elements", &PlacementThresholds::sdpa_min_elements},
      {"conv-max-kernel-width", &PlacementThresholds::conv_max_kernel_width},
      {"pool-max-kernel", &PlacementThresholds::pool_max_kernel},
      {"pool-max-stride", &PlacementThresholds::pool_max_stride},
      {"palettized-conv-max-stride", &PlacementThresholds::palettized_conv_max_stride},
      {"shard-warn-bytes", nullptr, &PlacementThresholds::shard_warn_bytes},
      {"model-limit-bytes", nullptr, &PlacementThresholds::model_limit_bytes},
      {"weight-file-max-bytes", nullptr, &PlacementThresholds::weight_file_max_bytes},
  };
  return f;
}
}  // namespace

std::vector<std::string_view> PlacementThresholds::threshold_names() {
  std::vector<std::string_view> out;
  for (const auto& f : fields()) out.push_back(f.name);
  return out;
}

void PlacementThresholds::set(std::string_view name, std::string_view value) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size())
    throw Error(Location::at_op("", std::string(name)),
                "threshold value '" + std::string(value) + "' is not a non-negative integer");
  for (const auto& f : fields()) {
    if (f.name != name) continue;
    if (f.u64) this->*(f.u64) = v;
    else if (f.i64) this->*(f.i64) = static_cast<int64_t>(std::min<uint64_t>(v, INT64_MAX));
    else this->*(f.i32) = static_cast<int>(std::min<uint64_t>(v, INT32_MAX));
    return;
  }
  std::string known;
  for (const auto& f : fields()) known += (known.empty() ? "" : ", ") + std::string(f.name);
  throw Error(Location::at_op("", std::string(name)), "unknown threshold (known: " + known + ")");
}

}  // namespace mlscope::analysis
