#include "core/io/random_inputs.h"

#include <cmath>
#include <random>

#include "core/util/half.h"

namespace mlscope::io {

exec::Tensor random_tensor(ir::DType dt, const exec::Dims& shape, uint64_t seed) {
  std::mt19937_64 gen(seed);
  auto uniform = [&] { return (static_cast<double>(gen() >> 11) + 0.5) * (1.0 / 9007199254740992.0); };  // (0,1)
  const uint64_t n = exec::dims_count(shape);
  switch (exec::storage_of(dt)) {
    case exec::Storage::Float: {
      std::vector<float> v(n);
      for (auto& x : v) {
        double u1 = uniform(), u2 = uniform();
        float f = static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
        x = dt == ir::DType::Float16 ? round_to_half(f) : f;
      }
      return exec::Tensor::from_floats(dt, shape, std::move(v));
    }
    case exec::Storage::Int: {
      std::vector<int64_t> v(n);
      for (auto& x : v) x = dt == ir::DType::Bool ? int64_t(gen() & 1) : int64_t(gen() % 10);
      return exec::Tensor::from_ints(dt, shape, std::move(v));
    }
    case exec::Storage::String: break;
  }
  return exec::Tensor::from_strings(shape, std::vector<std::string>(n));
}

}  // namespace mlscope::io
