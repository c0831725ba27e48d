#include "core/exec/dequantized_codes.h"

#include <algorithm>

#include "core/util/simd_clones.h"

namespace mlscope::exec {

namespace {

// Gathers from a 256-entry table, built for AVX-512, AVX2 and baseline x86-64.
MLSCOPE_SIMD_CLONES void decode_run(const uint8_t* __restrict codes, const float* __restrict table,
                                    float* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = table[codes[i]];
}

}  // namespace

void decode_codes(const uint8_t* codes, const float* table, float* out, int64_t n) {
  decode_run(codes, table, out, n);
}

void decode_range(const DequantizedCodes& d, uint64_t begin, uint64_t n, float* out) {
  const uint8_t* codes = d.codes.bytes().data();
  if (d.channels <= 1) {
    decode_run(codes + begin, d.table.data(), out, int64_t(n));
    return;
  }
  // Per-channel tables along axis 1: decode one channel plane's run at a time.
  const auto& shape = d.codes.shape();
  uint64_t plane = 1;
  for (size_t k = 2; k < shape.size(); ++k) plane *= uint64_t(shape[k]);
  const uint64_t channels = uint64_t(d.channels);
  for (uint64_t i = begin, end = begin + n; i < end;) {
    const uint64_t c = (i / plane) % channels, run = std::min(end, (i / plane + 1) * plane) - i;
    decode_run(codes + i, d.table.data() + c * 256, out + (i - begin), int64_t(run));
    i += run;
  }
}

}  // namespace mlscope::exec
