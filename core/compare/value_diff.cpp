#include "core/compare/value_diff.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

#include "core/compare/metrics.h"
#include "core/compare/values.h"
#include "core/exec/parallel.h"
#include "core/util/simd_clones.h"

namespace mlscope::compare {

namespace {

// ‖b − a‖₂ / ‖a‖₂ over flattened values (∞ when a is all zero and b is not).
double rel_l2(const std::vector<double>& a, const std::vector<double>& b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    num += (b[i] - a[i]) * (b[i] - a[i]);
    den += a[i] * a[i];
  }
  if (den == 0) return num == 0 ? 0 : std::numeric_limits<double>::infinity();
  return std::sqrt(num / den);
}

// Sums over fixed blocks of 64 Ki elements, combined in block order, each block summed in fixed
// lanes (loops that vectorize without reassociating anything): the same numbers whatever the
// thread count, and a 64 x 224 x 224 activation is reduced on every core.
struct BlockSums {
  double dot = 0, na = 0, nb = 0, dd = 0, max_abs = 0;
  bool nan = false;
};

// The exact path: every element widened to double. Used for blocks the float path cannot take.
constexpr int kDoubleLanes = 8;
template <typename A, typename B>
[[gnu::always_inline]] inline BlockSums sum_block_double(const A* a, const B* b, size_t n) {
  double dot[kDoubleLanes] = {}, na[kDoubleLanes] = {}, nb[kDoubleLanes] = {},
         dd[kDoubleLanes] = {}, mx[kDoubleLanes] = {};
  int nan[kDoubleLanes] = {};
  auto add = [&](int l, double x, double y) {
    const double diff = y - x, ad = std::fabs(diff);
    dot[l] += x * y;
    na[l] += x * x;
    nb[l] += y * y;
    dd[l] += diff * diff;
    mx[l] = ad > mx[l] ? ad : mx[l];
    nan[l] |= ad != ad;
  };
  size_t i = 0;
  for (; i + kDoubleLanes <= n; i += kDoubleLanes)
    for (int l = 0; l < kDoubleLanes; ++l)
      add(l, double(a[i + size_t(l)]), double(b[i + size_t(l)]));
  for (int l = 0; i < n; ++i, ++l)
    add(l, double(a[i]), double(b[i]));  // tail: one element per lane
  BlockSums s;
  for (int l = 0; l < kDoubleLanes; ++l) {
    s.dot += dot[l];
    s.na += na[l];
    s.nb += nb[l];
    s.dd += dd[l];
    s.max_abs = std::max(s.max_abs, mx[l]);
    s.nan = s.nan || nan[l];
  }
  return s;
}

// The fast path: products and sums in float over groups of 16 elements per lane, each group's
// lane sums then added in double — twice the lanes of double and half the bytes, which brings the
// reduction down to the speed of reading the values. A group's 16 float terms carry a relative
// error of about 1e-6 at worst, which reduce_elements' cosine formula keeps out of 1 − cosine for
// near-equal values. Codes held as floats are exact here: 16 products of |code| <= 255 stay
// below 2^24, so they give the integer sums sum_block_codes gives for the bytes.
constexpr int kFloatLanes = 16, kGroup = 16;
// Blocks whose magnitudes leave [2^-40, 2^60] (squares that could underflow or overflow float),
// or that hold a NaN, are summed by the exact path instead.
constexpr float kFloatPathMax = 0x1p60f, kFloatPathMin = 0x1p-40f;

template <typename A, typename B>
[[gnu::always_inline]] inline BlockSums sum_block_body(const A* a, const B* b, size_t n) {
  double dot[kFloatLanes] = {}, na[kFloatLanes] = {}, nb[kFloatLanes] = {}, dd[kFloatLanes] = {};
  float mx_d[kFloatLanes] = {}, mx_a[kFloatLanes] = {}, mx_b[kFloatLanes] = {};
  float gdot[kFloatLanes], gna[kFloatLanes], gnb[kFloatLanes], gdd[kFloatLanes];
  auto start_group = [&] {
    for (int l = 0; l < kFloatLanes; ++l) gdot[l] = gna[l] = gnb[l] = gdd[l] = 0;
  };
  auto add = [&](int l, float x, float y) {
    const float d = y - x, ad = std::fabs(d), ax = std::fabs(x), ay = std::fabs(y);
    gdot[l] += x * y;
    gna[l] += x * x;
    gnb[l] += y * y;
    gdd[l] += d * d;
    mx_d[l] = ad > mx_d[l] ? ad : mx_d[l];
    mx_a[l] = ax > mx_a[l] ? ax : mx_a[l];
    mx_b[l] = ay > mx_b[l] ? ay : mx_b[l];
  };
  auto end_group = [&] {
    for (int l = 0; l < kFloatLanes; ++l) {
      dot[l] += double(gdot[l]);
      na[l] += double(gna[l]);
      nb[l] += double(gnb[l]);
      dd[l] += double(gdd[l]);
    }
  };
  constexpr size_t kGroupElements = size_t(kFloatLanes) * kGroup;
  size_t i = 0;
  for (; i + kGroupElements <= n; i += kGroupElements) {
    start_group();
    for (int g = 0; g < kGroup; ++g)
      for (int l = 0; l < kFloatLanes; ++l) {
        const size_t k = i + size_t(g) * kFloatLanes + size_t(l);
        add(l, float(a[k]), float(b[k]));
      }
    end_group();
  }
  start_group();  // tail: element j of it in lane j % 16, at most 16 per lane
  for (size_t j = 0; i + j < n; ++j) add(int(j % kFloatLanes), float(a[i + j]), float(b[i + j]));
  end_group();
  BlockSums s;
  float max_a = 0, max_b = 0, max_d = 0;
  for (int l = 0; l < kFloatLanes; ++l) {
    s.dot += dot[l];
    s.na += na[l];
    s.nb += nb[l];
    s.dd += dd[l];
    max_d = std::max(max_d, mx_d[l]);
    max_a = std::max(max_a, mx_a[l]);
    max_b = std::max(max_b, mx_b[l]);
  }
  auto in_range = [](float m) { return m == 0 || (m >= kFloatPathMin && m <= kFloatPathMax); };
  if (!in_range(max_a) || !in_range(max_b) || !in_range(max_d) || s.dd != s.dd)
    return sum_block_double(a, b, n);
  s.max_abs = max_d;
  return s;
}

// Two blocks of int8/uint8 codes: every sum is an integer, exact in int32 over sub-blocks of
// 2^14 elements (|product| <= 255^2, so a sub-block's sum stays below 2^31) and in int64 across
// them — the same values the float path gives for the same codes held as floats. Plain integer
// reductions, which the compiler vectorizes with multiply-add instructions.
template <typename A, typename B>
[[gnu::always_inline]] inline BlockSums sum_block_codes(const A* a, const B* b, size_t n) {
  constexpr size_t kSubBlock = size_t(1) << 14;
  int64_t dot = 0, na = 0, nb = 0, dd = 0;
  int32_t max_abs = 0;
  for (size_t s0 = 0; s0 < n; s0 += kSubBlock) {
    const size_t s1 = std::min(n, s0 + kSubBlock);
    int32_t sdot = 0, sna = 0, snb = 0, sdd = 0, smax = 0;
    for (size_t i = s0; i < s1; ++i) {
      const int32_t x = a[i], y = b[i], d = y - x, ad = d < 0 ? -d : d;
      sdot += x * y;
      sna += x * x;
      snb += y * y;
      sdd += d * d;
      smax = ad > smax ? ad : smax;
    }
    dot += sdot;
    na += sna;
    nb += snb;
    dd += sdd;
    max_abs = std::max(max_abs, smax);
  }
  BlockSums s;
  s.dot = double(dot);
  s.na = double(na);
  s.nb = double(nb);
  s.dd = double(dd);
  s.max_abs = double(max_abs);
  return s;
}

// The block loops built for AVX-512, AVX2 and baseline x86-64 (simd_clones.h): lanes are 4x
// wider with AVX-512, and the reductions were a third of a divergence run. Every clone does the
// same IEEE operations per lane, no FMA (-ffp-contract=off), so the sums are bit-identical.
#define MLSCOPE_SUM_BLOCK(A, B)                                               \
  MLSCOPE_SIMD_CLONES BlockSums sum_block(const A* a, const B* b, size_t n) { \
    if constexpr (std::is_integral_v<A> && std::is_integral_v<B>)             \
      return sum_block_codes(a, b, n);                                        \
    else                                                                      \
      return sum_block_body(a, b, n);                                         \
  }
MLSCOPE_SUM_BLOCK(float, float)
MLSCOPE_SUM_BLOCK(float, int8_t)
MLSCOPE_SUM_BLOCK(float, uint8_t)
MLSCOPE_SUM_BLOCK(int8_t, float)
MLSCOPE_SUM_BLOCK(int8_t, int8_t)
MLSCOPE_SUM_BLOCK(int8_t, uint8_t)
MLSCOPE_SUM_BLOCK(uint8_t, float)
MLSCOPE_SUM_BLOCK(uint8_t, int8_t)
MLSCOPE_SUM_BLOCK(uint8_t, uint8_t)
#undef MLSCOPE_SUM_BLOCK

constexpr uint64_t kBlock = uint64_t(1) << 16;

/// One pass over two values' n elements, no copies (intermediates of conv nets are large):
/// block_sums(begin, end) sums one block. The same conventions as metrics.h (cosine 1 when both
/// are zero or identical, 0 when one is zero, clamped; a NaN difference is the maximum) and rel_l2.
template <typename BlockFn>
ValueDiff reduce_blocks(size_t n, const BlockFn& block_sums) {
  ValueDiff d;
  d.compared = true;
  std::vector<BlockSums> part((n + kBlock - 1) / kBlock);
  exec::parallel_for(
      part.size(),
      [&](uint64_t p0, uint64_t p1) {
        for (uint64_t p = p0; p < p1; ++p) {
          const size_t begin = size_t(p * kBlock),
                       end = std::min<size_t>(n, size_t((p + 1) * kBlock));
          part[p] = block_sums(begin, end);
        }
      },
      4);
  double dot = 0, na = 0, nb = 0, dd = 0, max_abs = 0;
  bool nan = false;
  for (const BlockSums& s : part) {
    dot += s.dot;
    na += s.na;
    nb += s.nb;
    dd += s.dd;
    max_abs = std::max(max_abs, s.max_abs);
    nan = nan || s.nan;
  }
  d.max_abs_diff = nan ? std::numeric_limits<double>::quiet_NaN() : max_abs;
  if (na == 0 && nb == 0) {
    d.cosine = 1;
  } else if (na == 0 || nb == 0) {
    d.cosine = 0;
  } else if (max_abs == 0 && !nan) {
    d.cosine = 1;  // every element equal
  } else if (dd <= std::min(na, nb)) {
    // Near-parallel values: 1 − cosine = (‖b − a‖² − (‖a‖ − ‖b‖)²) / (2 ‖a‖ ‖b‖), from the sum of
    // squared differences, so small differences are not lost in the rounding of dot, na and nb.
    const double sa = std::sqrt(na), sb = std::sqrt(nb);
    d.cosine = std::clamp(1 - (dd - (sa - sb) * (sa - sb)) / (2 * sa * sb), -1.0, 1.0);
  } else {
    d.cosine = std::clamp(dot / (std::sqrt(na) * std::sqrt(nb)), -1.0, 1.0);
  }
  d.rel_error =
      na == 0 ? (dd == 0 ? 0 : std::numeric_limits<double>::infinity()) : std::sqrt(dd / na);
  return d;
}

template <typename A, typename B>
ValueDiff reduce_elements(const A* a, const B* b, size_t n) {
  return reduce_blocks(
      n, [&](size_t begin, size_t end) { return sum_block(a + begin, b + begin, end - begin); });
}

// Calls f with a typed pointer to t's elements when they are floats or bytes (false otherwise).
template <typename F>
bool with_elements(const exec::Tensor& t, F f) {
  if (!t.is_float()) return exec::with_byte_codes(t, f);
  f(t.floats().data());
  return true;
}

}  // namespace

ValueDiff reduce_pair(const std::string& vname, const exec::RunValue& ref,
                      const exec::RunValue& other) {
  const auto* ta = std::get_if<exec::Tensor>(&ref);
  const auto* tb = std::get_if<exec::Tensor>(&other);
  if (ta && tb && ta->size() == tb->size() && ta->size() > 0) {
    // Quantized activations (one byte per value) are read in place, floats directly.
    std::optional<ValueDiff> d;
    with_elements(*ta, [&](const auto* a) {
      with_elements(*tb, [&](const auto* b) { d = reduce_elements(a, b, ta->size()); });
    });
    if (d) return *d;
  }
  // Small integers (quantized activations: int8 codes) are exact in fp32: reduce the same way,
  // without widening a 64 x 224 x 224 activation to doubles.
  auto small_exact = [](const exec::Tensor* t) {
    if (!t) return false;
    const ir::DType d = t->dtype();
    return t->is_float() || d == ir::DType::Int8 || d == ir::DType::UInt8 ||
           d == ir::DType::Int16 || d == ir::DType::UInt16 || d == ir::DType::Bool;
  };
  if (small_exact(ta) && small_exact(tb) && ta->size() == tb->size() && ta->size() > 0) {
    const exec::Tensor fa = ta->cast_to(ir::DType::Float32), fb = tb->cast_to(ir::DType::Float32);
    return reduce_elements(fa.floats().data(), fb.floats().data(), fa.size());
  }
  ValueDiff d;
  FlatValue a = flatten(ref), b = flatten(other);
  if (a.kind != FlatValue::Kind::Numeric || b.kind != FlatValue::Kind::Numeric ||
      a.values.size() != b.values.size()) {
    d.note = "value '" + vname + "': " + a.description + " vs " + b.description;
    return d;
  }
  const DiffStats s = diff_stats(a.values, b.values);
  d.compared = true;
  d.cosine = s.cosine;
  d.max_abs_diff = s.max_abs_diff;
  d.rel_error = rel_l2(a.values, b.values);
  return d;
}

namespace {

/// A side's elements as floats, block by block: a float tensor's own, or codes decoded into a
/// per-thread buffer — the same floats the dequantize would have stored, so the same sums.
struct FloatSource {
  const float* floats = nullptr;
  const exec::DequantizedCodes* codes = nullptr;
  const float* block(size_t begin, size_t n, std::vector<float>& buffer) const {
    if (floats) return floats + begin;
    buffer.resize(n);
    exec::decode_range(*codes, begin, n, buffer.data());
    return buffer.data();
  }
};

std::optional<FloatSource> float_source(const Observed& v, size_t& n) {
  if (const auto* c = std::get_if<exec::DequantizedCodes>(&v)) {
    n = c->codes.size();
    return FloatSource{nullptr, c};
  }
  const auto* t = std::get_if<exec::Tensor>(&std::get<exec::RunValue>(v));
  if (!t || !t->is_float()) return std::nullopt;
  n = t->size();
  return FloatSource{t->floats().data(), nullptr};
}

exec::RunValue decoded(const Observed& v) {
  if (const auto* r = std::get_if<exec::RunValue>(&v)) return *r;
  const auto& c = std::get<exec::DequantizedCodes>(v);
  std::vector<float> values(c.codes.size());
  exec::decode_range(c, 0, values.size(), values.data());
  return exec::Tensor::from_floats(ir::DType::Float32, c.codes.shape(), values);
}

}  // namespace

ValueDiff reduce_observed(const std::string& vname, const Observed& ref, const Observed& other) {
  const auto* ra = std::get_if<exec::RunValue>(&ref);
  const auto* rb = std::get_if<exec::RunValue>(&other);
  if (ra && rb) return reduce_pair(vname, *ra, *rb);
  size_t na = 0, nb = 0;
  const std::optional<FloatSource> a = float_source(ref, na), b = float_source(other, nb);
  if (a && b && na == nb && na > 0)
    return reduce_blocks(na, [&](size_t begin, size_t end) {
      thread_local std::vector<float> buffer_a, buffer_b;
      return sum_block(a->block(begin, end - begin, buffer_a),
                       b->block(begin, end - begin, buffer_b), end - begin);
    });
  return reduce_pair(vname, decoded(ref), decoded(other));  // shapes or kinds differ: as values
}

}  // namespace mlscope::compare
