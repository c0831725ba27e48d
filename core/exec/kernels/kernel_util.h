// Small helpers shared by the kernel families: axes, strides, broadcasting, fp16 accumulation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/exec/accumulator.h"
#include "core/exec/buffer_pool.h"
#include "core/exec/kernels/kernel.h"
#include "core/util/half.h"

namespace mlscope::exec {

/// Normalizes a possibly negative axis against `rank` (Error at the op if out of range).
int64_t norm_axis(const KernelContext& ctx, int64_t axis, size_t rank);
std::vector<int64_t> strides_of(const Dims& shape);
/// Numpy broadcast of two shapes (Error at the op if incompatible).
Dims broadcast_shapes(const KernelContext& ctx, const Dims& a, const Dims& b);
/// For each output element of `out` shape, the flat index into a tensor of shape `in` broadcast to it.
std::vector<uint64_t> broadcast_index(const Dims& in, const Dims& out);
/// Zero-filled output tensor of the op's declared float dtype (fp32 when not declared).
Tensor float_output(const KernelContext& ctx, const Dims& shape, size_t index = 0);
/// The same with unspecified contents, for kernels that write every element.
Tensor float_output_uninitialized(const KernelContext& ctx, const Dims& shape, size_t index = 0);

/// True when the op's float output is stored as fp16 under its profile (storage fp16, or
/// declared and the output is declared fp16): how pre-scaled mean terms are rounded.
bool stores_fp16(const KernelContext& ctx);
/// An Accumulator under the op's reduction rules, reporting to the op's tally.
inline Accumulator reduction_sum(const KernelContext& ctx, SumGeometry g = SumGeometry::line()) {
  return Accumulator(ctx.numerics(), g, ctx.accumulation_tally());
}

}  // namespace mlscope::exec

namespace mlscope::exec {
/// Softmax along an axis (activation.cpp), shared with attention and NN layers.
Tensor softmax_along(const KernelContext& ctx, const Tensor& x, int64_t axis, ir::DType out_dt);
}  // namespace mlscope::exec

namespace mlscope::exec {
/// Clamps conv/matmul-class outputs to ±saturate when the profile asks (linear.cpp).
void saturate_outputs(const OpNumerics& num, std::span<float> v);
}  // namespace mlscope::exec

namespace mlscope::exec {
/// out.flat[k] = x.flat[idx[k]] for any storage (float, int, string); dtype kept.
Tensor take(const Tensor& x, const Dims& out_shape, const std::vector<uint64_t>& idx);
/// Index map of a permutation: out[k] = in[idx[k]] where out = transpose(in, perm).
std::vector<uint64_t> permute_index(const Dims& in_shape, const std::vector<int64_t>& perm, Dims& out_shape);
/// Concatenation of tensors (same storage) along axis.
Tensor concat_along(const KernelContext& ctx, const std::vector<Tensor>& parts, int64_t axis);
}  // namespace mlscope::exec
