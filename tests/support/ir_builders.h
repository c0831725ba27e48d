// Small IR programs built in code for tests and benchmarks (no files, no readers involved).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "core/ir/function.h"

namespace mlscope::fixtures {

/// large_10k_ops' shape: `blocks` times x = mul(add(x, relu(linear(x, W, b))), 0.5), with
/// `const` ops for W, b and the scale (3 per block), like corpus-gen/large_10k_ops.
ir::Function chain_program(int blocks);
/// A DAG with `ops` compute ops, each reading 1-3 earlier values (some far back) and a const;
/// deterministic for a seed.
ir::Function random_dag(int ops, uint32_t seed);
/// One op `name` of `type` whose single output `output` is a rank-1 tensor of n elements of dt.
ir::Function single_op_function(const std::string& type, const std::string& name, const std::string& output, ir::DType dt,
                                size_t n);
/// x -> cond(pred){then: relu(x), add; else: mul(x, c)} -> sigmoid, to exercise nested blocks.
ir::Function program_with_cond();

/// x [rows, in] -> quantize(int8, activation_scale, zero point 0) -> dequantize -> linear "y"
/// whose weight is a constexpr_affine_dequantize of int8 codes [out, in] with one scale per
/// output channel (zero points 0), plus a bias: the W8A8 linear of converted transformers.
struct Int8LinearSpec {
  int64_t rows = 1, in = 1, out = 1;
  float activation_scale = 1;
  std::function<int64_t(int64_t o, int64_t k)> weight_code;
  std::function<float(int64_t o)> weight_scale, bias;
};
ir::Function int8_linear_program(const Int8LinearSpec& spec);

}  // namespace mlscope::fixtures
