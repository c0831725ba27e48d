// Small IR programs built in code for tests and benchmarks (no files, no readers involved).
#pragma once

#include <cstdint>

#include "core/ir/function.h"

namespace mlscope::fixtures {

/// large_10k_ops' shape: `blocks` times x = mul(add(x, relu(linear(x, W, b))), 0.5), with
/// `const` ops for W, b and the scale (3 per block), like corpus-gen/large_10k_ops.
ir::Function chain_program(int blocks);
/// A DAG with `ops` compute ops, each reading 1-3 earlier values (some far back) and a const;
/// deterministic for a seed.
ir::Function random_dag(int ops, uint32_t seed);
/// x -> cond(pred){then: relu(x), add; else: mul(x, c)} -> sigmoid, to exercise nested blocks.
ir::Function program_with_cond();

}  // namespace mlscope::fixtures
