#include "core/exec/accumulator.h"

#include <algorithm>

namespace mlscope::exec {

Accumulator::Accumulator(const OpNumerics& num, SumGeometry g, AccumulationTally* tally)
    : order_(num.reduction.order),
      partial16_(num.reduction_accumulation == AccumMode::Fp16),
      scale_wanted_(num.reduction.scale_terms),
      rounding_(num.rounding),
      tally_(tally) {
  const ReductionScheme& s = num.reduction;
  combine16_ = s.combine == AccumMode::Fp16 && (order_ == ReductionOrder::Chunks || order_ == ReductionOrder::Tiles);
  switch (order_) {
    case ReductionOrder::Legacy: chunk_ = num.accumulation_chunk; break;
    case ReductionOrder::Sequential: break;
    case ReductionOrder::Chunks: chunk_ = std::max(s.chunk, 1); break;
    case ReductionOrder::Tiles:
      if (!g.planar) {  // a 1-D group: chunks of tile_h * tile_w terms
        order_ = ReductionOrder::Chunks;
        chunk_ = std::max(s.tile_h, 1) * std::max(s.tile_w, 1);
        break;
      }
      rows_ = std::max<uint64_t>(g.rows, 1);
      cols_ = std::max<uint64_t>(g.cols, 1);
      th_ = uint64_t(std::max(s.tile_h, 1));
      tw_ = uint64_t(std::max(s.tile_w, 1));
      buf_.assign(size_t((cols_ + tw_ - 1) / tw_), 0.0f);
      break;
    case ReductionOrder::Pairwise: buf_.reserve(64); break;
  }
}

void Accumulator::begin_mean(uint64_t n, bool fp16_storage) {
  if (!scale_wanted_ || n == 0) return;
  scale_ = true;
  round_terms_ = fp16_storage;
  inv_n_ = fp16_storage ? round_fp16(1.0f / float(n), rounding_) : 1.0f / float(n);
}

void Accumulator::add_tiled(float v) {
  float& p = buf_[size_t(tcol_)];
  p = psum(p + v);
  if (++in_w_ == tw_) {
    in_w_ = 0;
    ++tcol_;
  }
  if (++col_ == cols_) {  // end of a row of the plane
    col_ = in_w_ = tcol_ = 0;
    ++row_;
    if (++in_h_ == th_ || row_ == rows_) flush_band();
    if (row_ == rows_) row_ = 0;  // next slice
  }
}

void Accumulator::flush_band() {
  for (float& p : buf_) {
    total_ = csum(total_ + p);
    p = 0;
  }
  in_h_ = 0;
}

void Accumulator::add_pairwise(float v) {
  // Equal to summing adjacent pairs level by level with an odd last term carried up: a new
  // term merges with the stack top as long as the term count has trailing zero bits.
  float s = v;
  for (uint64_t c = ++count_; (c & 1) == 0; c >>= 1) {
    s = psum(buf_.back() + s);
    buf_.pop_back();
  }
  buf_.push_back(s);
}

float Accumulator::result() {
  float r = 0;
  switch (order_) {
    case ReductionOrder::Legacy:
      legacy_flush();
      r = total_;
      break;
    case ReductionOrder::Sequential: r = part_; break;
    case ReductionOrder::Chunks:
      if (n_ > 0) total_ = csum(total_ + part_);
      part_ = 0;
      n_ = 0;
      r = total_;
      break;
    case ReductionOrder::Tiles:
      if (col_ != 0 || in_h_ != 0) flush_band();
      r = total_;
      break;
    case ReductionOrder::Pairwise:
      if (!buf_.empty()) {
        r = buf_.back();
        for (size_t i = buf_.size() - 1; i-- > 0;) r = psum(buf_[i] + r);
      }
      break;
  }
  if (tally_ && (partial16_ || combine16_)) {
    tally_->max_abs_partial = std::max(tally_->max_abs_partial, max_abs_);
    tally_->overflowed_partials += overflowed_;
    tally_->sums += 1;
  }
  return r;
}

}  // namespace mlscope::exec
