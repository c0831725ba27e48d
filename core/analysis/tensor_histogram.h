// Histogram and summary statistics of a compile-time tensor (a `const` or a decoded constexpr_*
// chain) for the op inspector. Cost is bounded: large stored constants are sampled with a fixed
// stride, and decompression chains above a size limit are not decoded (the result says why).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/ir/function.h"

namespace mlscope::analysis {

struct HistogramOptions {
  int bins = 48;
  uint64_t max_samples = uint64_t{1} << 20;  ///< elements read from a stored constant (strided beyond)
  uint64_t max_decode = uint64_t{1} << 24;   ///< dense elements a constexpr chain may decode to
};

struct TensorHistogram {
  std::string producer_type;  ///< "const", "constexpr_affine_dequantize", ...
  std::string dtype;          ///< declared dtype of the value ("fp16", "int8")
  std::string decoded;        ///< how the numbers were obtained: "stored values" / "decoded (fp32)"
  ir::Shape shape;
  uint64_t elements = 0;  ///< dense element count
  uint64_t used = 0;      ///< finite elements in the statistics
  uint64_t non_finite = 0;
  uint64_t stride = 1;    ///< 1 = every element; k = every k-th element (sampled)
  double min = 0, max = 0, mean = 0, stddev = 0;
  std::vector<uint32_t> bins;  ///< equal-width bins over [min, max]
  std::string error;           ///< non-empty: no statistics, and why

  bool ok() const { return error.empty() && used > 0; }
  bool sampled() const { return stride > 1; }
};

/// True when `v` is produced by a `const` or by an op whose value can be materialized at
/// compile time (constexpr_*): the "weight tensors" the inspector shows a histogram for.
bool is_compile_time_tensor(const ir::Function& f, ir::ValueId v);

/// Statistics of the dense value of `v`; never throws (problems land in .error).
TensorHistogram value_histogram(const ir::Function& f, ir::ValueId v, const HistogramOptions& opt = {});

/// Statistics of a stored numeric tensor constant (e.g. a NeuralNetwork layer's `weights`
/// attribute), strided to at most opt.max_samples reads; never throws.
TensorHistogram constant_histogram(const ir::Constant& c, const std::string& where, const HistogramOptions& opt = {});

/// Equal-width histogram + moments of `values` (read every `stride`-th; non-finite skipped).
void fill_histogram(TensorHistogram& h, const float* values, uint64_t count, uint64_t stride, int bins);

}  // namespace mlscope::analysis
