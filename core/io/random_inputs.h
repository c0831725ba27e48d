// Seeded random inputs of a declared dtype/shape.
//
// Generator (documented so a run can be reproduced anywhere): std::mt19937_64 seeded with the
// given seed; floats are standard normal by the Box–Muller transform on two 53-bit uniforms
// (cos branch only); integers are uniform in [0, 10); bool uniform {0,1}; fp16 values are
// rounded to nearest even. This is NOT numpy's default_rng: numpy's PCG64 + ziggurat cannot be
// reproduced cheaply, so when the exact input of a Python run matters, pass its .npy instead.
#pragma once

#include <cstdint>

#include "core/exec/tensor.h"

namespace mlscope::io {

exec::Tensor random_tensor(ir::DType dt, const exec::Dims& shape, uint64_t seed);

}  // namespace mlscope::io
