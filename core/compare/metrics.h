// Element-wise agreement between two arrays of numbers, and the class decision of a score vector.
//
// Pure functions over spans of doubles, so every backend (emulated, recorded, native) and every
// golden file is compared by exactly the same arithmetic.
//
// Definitions (a = reference, b = other, n elements, d_i = b_i − a_i):
//   max_abs_diff  = max |d_i|                     mean_abs_diff = Σ|d_i| / n
//   max_rel_diff  = max |d_i| / max(|a_i|, tiny)  (tiny = 1e-12 so an exact 0 reference stays finite)
//   cosine        = Σ a_i b_i / (‖a‖ ‖b‖); 1 when both are all-zero, 0 when only one is
//   snr_db        = 10 log10(Σ a_i² / Σ d_i²)     (+inf when identical)
//   psnr_db       = 10 log10(peak² / mean(d_i²)), peak = max |a_i| (+inf when identical)
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace mlscope::compare {

struct DiffStats {
  uint64_t count = 0;
  bool equal = false;  ///< every element bit-equal as doubles (NaN never equal)
  double max_abs_diff = 0;
  double mean_abs_diff = 0;
  double max_rel_diff = 0;
  double cosine = 1;
  double snr_db = 0;
  double psnr_db = 0;
  int64_t worst_index = -1;  ///< element with the largest |d|, -1 if none differ
};

/// Both spans must have the same length (callers check shapes first; throws std::invalid_argument
/// otherwise because it is a programming error, not bad input).
DiffStats diff_stats(std::span<const double> reference, std::span<const double> other);

/// Cosine similarity alone (same conventions as DiffStats::cosine).
double cosine_similarity(std::span<const double> a, std::span<const double> b);

/// The classes a margin is measured between. For two scores the seed's convention is kept:
/// margin = y0 − y1 (so a positive margin means class 0 wins). For more scores the pair is the
/// REFERENCE's top-1 and top-2 classes, margin = s[top1] − s[top2]: positive while the
/// reference's winner still beats its runner-up; a sign change is a flip between them.
struct MarginPair {
  int64_t a = 0, b = 1;
};
/// Pair for `reference_scores` (needs ≥ 2 scores; returns {0, 0} for fewer).
MarginPair margin_pair(std::span<const double> reference_scores);
double margin(std::span<const double> scores, MarginPair pair);

/// How a score vector decides. Only a strict winner can flip: a tie, an output whose scores are
/// all equal (all zeros after an fp16 underflow) or one holding NaN/inf is a finding of its own.
enum class Decision : uint8_t {
  Strict,      ///< one score is larger than every other
  Tie,         ///< the two largest scores are equal (and not every score is)
  Degenerate,  ///< every score is equal, e.g. all zero
  NonFinite,   ///< a NaN or an infinity among the scores
};
std::string_view decision_name(Decision d);  ///< "strict", "tie", "degenerate", "nonfinite"
Decision decide(std::span<const double> scores);

/// Class decision of one score vector.
struct ClassStats {
  int64_t argmax = -1;            ///< first index of the largest score (-1 if empty); NaN counts as largest, like numpy
  std::vector<int64_t> top_k;     ///< indices, best first, ties by lower index
  double top1_top2_gap = 0;       ///< own best minus own second best (≥ 0): closeness to a tie
  Decision decision = Decision::Degenerate;
};
ClassStats class_stats(std::span<const double> scores, int k);

/// Two decisions side by side. `Flipped` needs a strict winner on both sides; otherwise the
/// weaker side says what happened (nonfinite, then degenerate, then tie).
enum class Verdict : uint8_t { Same, Flipped, Tie, Degenerate, NonFinite };
std::string_view verdict_name(Verdict v);  ///< "same", "flipped", "tie", "degenerate", "nonfinite"
Verdict verdict(const ClassStats& reference, const ClassStats& other);

}  // namespace mlscope::compare
