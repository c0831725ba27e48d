// Decoders for every Core ML weight-compression scheme: materialize the dense fp32 value of a
// constexpr chain (coreml-formats.md §10). Shared by the lineage analysis and the interpreter.
//
// Every decoder validates sizes against the stored data before allocating and throws
// mlscope::Error naming the op on malformed input (the lineage analysis turns that into a Finding).
#pragma once

#include <string_view>
#include <vector>

#include "core/ir/function.h"

namespace mlscope::weights {

/// A dense tensor as fp32 values plus the dtype it is declared with (integers stay exact).
struct DenseTensor {
  ir::DType dtype = ir::DType::Float32;
  ir::Shape shape;
  std::vector<float> values;
};

/// constexpr_* ops, plus `const` (trivially materializable).
bool is_materializable(std::string_view op_type);

/// Dense value of output `output` of op `o` (a const or constexpr_* op, or `dequantize` /
/// `cast` of constants). Follows iOS18 chains (a constexpr whose param is another constexpr's
/// output). Throws mlscope::Error(Location::at_op(file, op name)) on malformed data.
DenseTensor materialize(const ir::Function& f, ir::OpId o, int output = 0, const std::string& file = {});
/// Dense value of `v` (its producer's output), same rules.
DenseTensor materialize_value(const ir::Function& f, ir::ValueId v, const std::string& file = {});

/// Dense view of a constant (every numeric dtype; sub-byte types unpacked LSB-first).
DenseTensor dense_from_constant(const ir::Constant& c);

// --- the individual schemes, on already-decoded operands (exposed for tests and reuse) ---

/// out = scale · (q − zero_point); scale/zero_point scalar or a vector along `axis`.
/// `zero_point` may be empty (0). Throws std::invalid_argument on a size mismatch.
std::vector<float> affine_dequantize(const DenseTensor& q, const DenseTensor& scale, const DenseTensor* zero_point,
                                     int64_t axis);
/// out[p] = scale[p/s] · (data[p] − offset[p/s]) with per-dimension block size s = data/scale.
std::vector<float> blockwise_shift_scale(const DenseTensor& data, const DenseTensor& scale, const DenseTensor* offset);
/// iOS18 LUT: `indices` of rank K, lut [B_0..B_{K-1}, P, V]; returns values and output shape.
DenseTensor lut_to_dense_grouped(const DenseTensor& indices, const DenseTensor& lut, int64_t vector_axis);
/// Unpacks `count` n-bit codes from a byte stream, LSB-first (MIL blobs, iOS16 LUT indices).
std::vector<uint32_t> unpack_lsb_first(const uint8_t* data, size_t bytes, int nbits, uint64_t count);
/// Scatters `nonzero` into a dense tensor of `mask.size()` elements where mask != 0, row-major.
std::vector<float> sparse_expand(const std::vector<float>& mask, const std::vector<float>& nonzero);

}  // namespace mlscope::weights
