// A dequantize's output held as its int8/uint8 input codes plus a table of what each code maps
// to, for readers that take values piecewise instead of an fp32 copy four times the codes' size:
// conv's im2col (deferred dequantize) and per-op divergence (its reductions).
#pragma once

#include <cstdint>
#include <vector>

#include "core/exec/tensor.h"

namespace mlscope::exec {

/// Element i of channel c is table[c * 256 + byte i of codes], storage rounding included: the
/// same bits the dequantize op would output.
struct DequantizedCodes {
  Tensor codes;              ///< the dequantize's input (shares its storage)
  std::vector<float> table;  ///< channels x 256, indexed by the code's byte pattern
  int64_t channels = 1;      ///< 1: one table for every element; else one per index of axis 1
};

/// out[i] = table[codes[i]] for n codes of one table.
void decode_codes(const uint8_t* codes, const float* table, float* out, int64_t n);

/// Elements [begin, begin + n) of the value, in the tensor's row-major order, into out.
void decode_range(const DequantizedCodes& d, uint64_t begin, uint64_t n, float* out);

}  // namespace mlscope::exec
