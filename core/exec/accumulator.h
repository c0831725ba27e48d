// Sums under a profile's reduction rules (OpNumerics::reduction_accumulation + ::reduction):
// sequential, chunked, tiled or pairwise partial sums, fp16 or fp32, and what the fp16 partial
// sums did (largest magnitude, how many left the fp16 range) for RunResult::accumulation.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/exec/numeric_profile.h"
#include "core/util/half.h"

// The per-term steps must inline into the kernels' loops: a call per term would serialize the
// interleaved chains of reduce_blocks and cost more than the add itself.
#if defined(__GNUC__)
#define MLSCOPE_HOT_INLINE inline __attribute__((always_inline))
#else
#define MLSCOPE_HOT_INLINE inline
#endif

namespace mlscope::exec {

/// What the fp16 partial sums of one op's reductions did (kept by the op's KernelContext).
struct AccumulationTally {
  float max_abs_partial = 0;       ///< largest |partial sum| before rounding to fp16
  uint64_t overflowed_partials = 0;  ///< fp16 partial sums with |x| > 65504 before rounding
  uint64_t sums = 0;               ///< reductions that rounded partial sums to fp16
};

/// Where the terms of one sum lie: the order add() receives them is row-major over
/// (slices, rows, cols), rows x cols being the last two reduced dims or the pooling window.
/// A 1-D group (one reduced dim) is not planar.
struct SumGeometry {
  uint64_t rows = 1, cols = 1;
  bool planar = false;
  static SumGeometry line() { return {}; }
  static SumGeometry plane(uint64_t rows, uint64_t cols) { return {rows, cols, true}; }
};

class Accumulator {
 public:
  /// The rule before reduction schemes: fp32 or fp16 partial sums, optionally chunks of `chunk`
  /// terms combined in fp32 (ReductionOrder::Legacy; cumsum's running sums).
  Accumulator(AccumMode mode, int chunk) : partial16_(mode == AccumMode::Fp16), chunk_(chunk) {}
  /// The op's reduction rules; `tally` (KernelContext::accumulation_tally(), may be null) gets
  /// the fp16 partial sums' statistics when result() is called. Not thread-safe: one thread
  /// per tally.
  Accumulator(const OpNumerics& num, SumGeometry g, AccumulationTally* tally);

  MLSCOPE_HOT_INLINE void add(float v) {
    if (scale_) v = !round_terms_ ? v * inv_n_ : rounding_ == RoundingMode::NearestEven ? round_normal_half(v * inv_n_) : round_fp16(v * inv_n_, rounding_);
    switch (order_) {
      case ReductionOrder::Legacy:
        part_ = psum(part_ + v);
        if (chunk_ > 0 && ++n_ == chunk_) legacy_flush();
        break;
      case ReductionOrder::Sequential: part_ = psum(part_ + v); break;
      case ReductionOrder::Chunks:
        part_ = psum(part_ + v);
        if (++n_ == chunk_) {
          total_ = csum(total_ + part_);
          part_ = 0;
          n_ = 0;
        }
        break;
      case ReductionOrder::Tiles: add_tiled(v); break;
      case ReductionOrder::Pairwise: add_pairwise(v); break;
    }
  }
  /// A position of the group that holds no term (pooling padding): a zero term in the
  /// position-based orders, nothing under Legacy (which never counted padding).
  void skip() {
    if (order_ != ReductionOrder::Legacy) add(0.0f);
  }
  /// Means: under ReductionScheme::scale_terms, multiply each following term by 1/n (both
  /// rounded to fp16 when `fp16_storage`) so that mean() is the sum; otherwise mean() divides.
  void begin_mean(uint64_t n, bool fp16_storage);
  float result();
  float mean(uint64_t n) { return scale_ ? result() : result() / float(n); }

  // round_to_half's bits, with fp16-normal magnitudes rounded in place on the float's bits (the
  // mantissa to 10 bits, nearest-even; a carry moves into the exponent as it should) instead of
  // through the half encoding: partial sums are a chain of dependent roundings, and the band
  // runs one per accumulation scheme. Bit for bit round_to_half (ExecReductionSchemes test).
  static MLSCOPE_HOT_INLINE float round_normal_half(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint32_t a = x & 0x7FFFFFFFu;
    if (a < 0x38800000u || a >= 0x477FF000u) return round_to_half(f);  // subnormal, zero, overflow, NaN
    const uint32_t r = ((a + 0xFFFu + ((a >> 13) & 1u)) & 0xFFFFE000u) | (x & 0x80000000u);
    float out;
    std::memcpy(&out, &r, 4);
    return out;
  }

 private:
  MLSCOPE_HOT_INLINE float r16(float s) {
    const float a = std::fabs(s);
    if (a > max_abs_) max_abs_ = a;
    overflowed_ += a > 65504.0f;
    return round_normal_half(s);
  }
  MLSCOPE_HOT_INLINE float psum(float s) { return partial16_ ? r16(s) : s; }
  MLSCOPE_HOT_INLINE float csum(float s) { return combine16_ ? r16(s) : s; }
  void legacy_flush() {
    total_ += part_;  // chunks are combined in fp32
    if (partial16_ && chunk_ <= 0) total_ = round_to_half(total_);
    part_ = 0;
    n_ = 0;
  }
  void add_tiled(float v);
  void flush_band();
  void add_pairwise(float v);

  ReductionOrder order_ = ReductionOrder::Legacy;
  bool partial16_ = false, combine16_ = false;
  int chunk_ = 0;
  int n_ = 0;
  float part_ = 0, total_ = 0;
  // Tiles: the partial sums of one band of tile rows; position inside the plane.
  uint64_t rows_ = 1, cols_ = 1, th_ = 1, tw_ = 1, row_ = 0, col_ = 0, in_h_ = 0, in_w_ = 0, tcol_ = 0;
  std::vector<float> buf_;  // Tiles: one partial per tile of the band; Pairwise: the stack
  uint64_t count_ = 0;      // Pairwise: terms so far
  // Means scaled before the sum.
  bool scale_wanted_ = false, scale_ = false, round_terms_ = false;
  RoundingMode rounding_ = RoundingMode::NearestEven;
  float inv_n_ = 1;
  // Statistics of fp16 partial sums.
  AccumulationTally* tally_ = nullptr;
  float max_abs_ = 0;
  uint64_t overflowed_ = 0;
};

}  // namespace mlscope::exec
