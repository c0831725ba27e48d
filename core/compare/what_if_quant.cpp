// The fake-quantization arithmetic of the what-if backend (quantize → dequantize round trips).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/compare/what_if.h"

namespace mlscope::compare {

namespace {

float round_trip(float v, float scale, float lo, float hi) {
  const float q = std::nearbyint(v / scale);  // round half to even, like MIL quantize
  if (std::isnan(q)) return 0.0f;
  return std::clamp(q, lo, hi) * scale;
}

}  // namespace

void fake_quantize_linear(std::vector<float>& values, const exec::Dims& dims, int bits,
                          WeightQuant::Granularity granularity, int64_t channel_axis, int64_t input_axis,
                          int block_size) {
  const float qmax = static_cast<float>((1 << (bits - 1)) - 1);
  const int64_t rank = static_cast<int64_t>(dims.size());
  const bool has_channel = channel_axis >= 0 && channel_axis < rank;
  const bool has_input = input_axis >= 0 && input_axis < rank && input_axis != channel_axis;
  if (!has_channel) granularity = WeightQuant::Granularity::PerTensor;
  if (granularity == WeightQuant::Granularity::PerBlock && (!has_input || block_size <= 0))
    granularity = WeightQuant::Granularity::PerChannel;

  auto stride_of = [&](int64_t axis) {
    uint64_t s = 1;
    for (int64_t d = axis + 1; d < rank; ++d) s *= static_cast<uint64_t>(dims[static_cast<size_t>(d)]);
    return s;
  };
  uint64_t ch_stride = 1, ch_n = 1, in_stride = 1, in_n = 1, blocks = 1;
  if (granularity != WeightQuant::Granularity::PerTensor) {
    ch_stride = stride_of(channel_axis);
    ch_n = static_cast<uint64_t>(dims[static_cast<size_t>(channel_axis)]);
  }
  if (granularity == WeightQuant::Granularity::PerBlock) {
    in_stride = stride_of(input_axis);
    in_n = static_cast<uint64_t>(dims[static_cast<size_t>(input_axis)]);
    blocks = (in_n + static_cast<uint64_t>(block_size) - 1) / static_cast<uint64_t>(block_size);
  }
  auto group = [&](uint64_t i) -> uint64_t {
    switch (granularity) {
      case WeightQuant::Granularity::PerTensor: return 0;
      case WeightQuant::Granularity::PerChannel: return (i / ch_stride) % ch_n;
      case WeightQuant::Granularity::PerBlock:
        return ((i / ch_stride) % ch_n) * blocks + ((i / in_stride) % in_n) / static_cast<uint64_t>(block_size);
    }
    return 0;
  };
  std::vector<float> max_abs(ch_n * blocks, 0.0f);
  for (uint64_t i = 0; i < values.size(); ++i) {
    const float a = std::fabs(values[i]);
    float& m = max_abs[group(i)];
    if (a > m) m = a;  // NaN never wins
  }
  for (uint64_t i = 0; i < values.size(); ++i) {
    const float m = max_abs[group(i)];
    if (m == 0 || !std::isfinite(m)) continue;  // an all-zero group stays zero
    values[i] = round_trip(values[i], m / qmax, -qmax, qmax);
  }
}

std::vector<float> fake_palettize(std::vector<float>& values, int bits) {
  const size_t k_max = size_t{1} << bits;
  std::vector<float> sorted;
  sorted.reserve(values.size());
  for (float v : values)
    if (!std::isnan(v)) sorted.push_back(v);
  std::sort(sorted.begin(), sorted.end());
  std::vector<float> unique(sorted);
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  if (unique.size() <= k_max) return unique;  // already representable exactly
  const size_t n = sorted.size(), k = k_max;
  // Quantile initial centers over the distinct values (distinct, sorted), then 1-D Lloyd
  // iterations: in 1-D each cluster is a contiguous run of the sorted values.
  std::vector<double> centers(k);
  for (size_t j = 0; j < k; ++j) centers[j] = unique[(2 * j + 1) * unique.size() / (2 * k)];
  std::vector<double> prefix(n + 1, 0.0);
  for (size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + sorted[i];
  for (int iter = 0; iter < 100; ++iter) {
    bool changed = false;
    size_t lo = 0;
    for (size_t j = 0; j < k; ++j) {
      size_t hi = n;
      if (j + 1 < k) {
        const double boundary = 0.5 * (centers[j] + centers[j + 1]);
        hi = static_cast<size_t>(std::lower_bound(sorted.begin() + static_cast<std::ptrdiff_t>(lo), sorted.end(), boundary,
                                                  [](float a, double b) { return a < b; }) - sorted.begin());
      }
      if (hi > lo) {
        const double mean = (prefix[hi] - prefix[lo]) / static_cast<double>(hi - lo);
        if (mean != centers[j]) changed = true;
        centers[j] = mean;
      }
      lo = hi;
    }
    if (!changed) break;
  }
  std::vector<float> lut(k);
  for (size_t j = 0; j < k; ++j) lut[j] = static_cast<float>(centers[j]);
  for (float& v : values) {
    auto it = std::lower_bound(lut.begin(), lut.end(), v);
    if (it == lut.end()) {
      v = lut.back();
    } else if (it == lut.begin()) {
      v = lut.front();
    } else {
      const float hi = *it, lo = *(it - 1);
      v = (v - lo <= hi - v) ? lo : hi;
    }
  }
  return lut;
}

void fake_quantize_activation(std::span<float> values, float max_abs) {
  if (!(max_abs > 0) || !std::isfinite(max_abs)) return;
  const float scale = max_abs / 127.0f;
  for (float& v : values) v = round_trip(v, scale, -128.0f, 127.0f);
}

}  // namespace mlscope::compare
