// NeuralNetwork WeightParams → ir::Constant attributes (internal to core/format).
#pragma once

#include <string>
#include <vector>

#include "core/ir/function.h"
#include "neural_network.pb.h"

namespace mlscope::format::pbread {

/// Appends attribute `name` holding the weight payload (fp32, fp16, quantized raw bytes or int8)
/// and, for quantized weights, `name.quantization.{bits,type,scale,bias,lut,bit_order}` so later
/// passes can see linear / lookup-table quantization and the bit width. `shape_hint` is used when
/// its element count matches the payload; otherwise the weight is 1-D.
/// Throws mlscope::Error naming `file` and `layer` on malformed payloads.
void append_weight_attributes(const pb::WeightParams& w, const std::string& name, const std::vector<int64_t>& shape_hint,
                              const std::string& file, const std::string& layer, std::vector<ir::Attribute>& out);

}  // namespace mlscope::format::pbread
