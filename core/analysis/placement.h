// Placement: which device each op prefers and which it supports, with where that came from.
//
// One model for the three sources: `estimated` (our rules, placement_estimator.h), `recorded`
// (a compute plan captured on a Mac, core/recording) and `native` (Core ML on the machine we run
// on, the macOS backend). Ops are keyed by function + index in Function::program_order(), which
// is how MLComputePlan enumerates them, so the three can be compared op by op.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ir/function.h"
#include "core/ir/model.h"

namespace mlscope::analysis {

enum class Device : uint8_t { CPU = 0, GPU = 1, NeuralEngine = 2 };
constexpr int kDeviceCount = 3;

/// "cpu", "gpu", "neural_engine" (the spelling of the recording format and of --json).
std::string_view device_name(Device d);
/// Parses the spelling above; nullopt for anything else.
std::optional<Device> device_from_name(std::string_view s);

/// A set of devices as a bitmask (bit i = Device i).
class DeviceSet {
 public:
  constexpr DeviceSet() = default;
  constexpr DeviceSet(std::initializer_list<Device> ds) {
    for (Device d : ds) add(d);
  }
  constexpr void add(Device d) { bits_ |= static_cast<uint8_t>(1u << static_cast<unsigned>(d)); }
  constexpr bool has(Device d) const { return (bits_ >> static_cast<unsigned>(d)) & 1u; }
  constexpr bool empty() const { return bits_ == 0; }
  std::vector<Device> list() const;  ///< in cpu, gpu, neural_engine order
  bool operator==(const DeviceSet&) const = default;

 private:
  uint8_t bits_ = 0;
};

enum class PlacementSource : uint8_t { Estimated, Recorded, Native };
std::string_view source_name(PlacementSource s);  ///< "estimated", "recorded", "native"

struct OpPlacement {
  std::string function;   ///< function name ("main"; "<submodel>/<function>" inside pipelines)
  int32_t index = 0;      ///< position in Function::program_order()
  ir::OpId op = ir::kNone;
  std::string name;       ///< op debug name
  std::string type;       ///< as the source reports it: "conv" (estimated), "ios17.conv" (recorded)
  std::optional<Device> preferred;  ///< nullopt: no device (const/constexpr), as in a real plan
  DeviceSet supported;
  std::string rule;       ///< key of the deciding rule (placement_rules.h), "recorded" for recordings
  std::string reason;     ///< human sentence naming the rule
  std::optional<double> cost;  ///< relative cost weight (plan's estimated cost); nullopt if unknown
};

/// A model-level finding (weight size warnings and limits).
struct PlacementFinding {
  std::string rule;      ///< rule key
  std::string severity;  ///< "warning", "limit" (moves ops off the NE) or "error" (will not load)
  std::string message;
};

struct Placement {
  PlacementSource source = PlacementSource::Estimated;
  std::vector<OpPlacement> ops;
  std::vector<PlacementFinding> findings;
  std::vector<std::string> notes;  ///< provenance notes shown with the plan
  uint64_t weight_bytes = 0;       ///< counted by the estimator (0 when not counted)
};

/// Counts like the seed probe: preferred device ("none" for no device) → ops, and
/// op type → device → ops.
struct PlacementCounts {
  std::map<std::string, int64_t> preferred;
  std::map<std::string, std::map<std::string, int64_t>> type_by_device;
};
PlacementCounts count_placement(const Placement& p);
/// "none" or the device name.
std::string preferred_key(const OpPlacement& op);

/// The functions a compute plan enumerates, with their plan labels: every function of the model,
/// then pipeline sub-models' functions as "<submodel>/<function>" (recursively).
std::vector<std::pair<std::string, const ir::Function*>> plan_functions(const ir::Model& model);

/// The op type without an opset prefix: "ios17.conv" → "conv", "const" → "const".
std::string_view bare_op_type(std::string_view type);

}  // namespace mlscope::analysis
