// reduce_* ops. Sums (sum, mean, l1, l2, sum_square, log_sum, log_sum_exp) accumulate per the
// profile's reduction rules (accumulator.h: fp32 or fp16 partial sums, sequential, chunked,
// tiled over the last two reduced dims, or pairwise; means optionally pre-scaled by 1/N).
#include <algorithm>
#include <cmath>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"
#include "core/exec/parallel.h"

namespace mlscope::exec {

namespace {

enum class Red { Sum, Mean, Max, Min, Prod, L1, L2, SumSquare, LogSum, LogSumExp, ArgMax, ArgMin };

struct Plan {
  Dims out_shape, kept_shape;  // kept_shape: out shape with keep_dims (1 at reduced axes)
  std::vector<bool> reduced;
  uint64_t group = 1;  // elements per output
  SumGeometry geometry;  // the last two reduced dims, for tiled sums
};

Plan plan(const KernelContext& ctx, const Tensor& x, std::vector<int64_t> axes, bool keep) {
  Plan p;
  p.reduced.assign(x.rank(), axes.empty());
  for (int64_t a : axes) p.reduced[size_t(norm_axis(ctx, a, x.rank()))] = true;
  for (size_t i = 0; i < x.rank(); ++i) {
    if (p.reduced[i]) {
      p.group *= uint64_t(x.shape()[i]);
      p.kept_shape.push_back(1);
      if (keep) p.out_shape.push_back(1);
    } else {
      p.kept_shape.push_back(x.shape()[i]);
      p.out_shape.push_back(x.shape()[i]);
    }
  }
  std::vector<uint64_t> red_dims;
  for (size_t i = 0; i < x.rank(); ++i)
    if (p.reduced[i]) red_dims.push_back(uint64_t(x.shape()[i]));
  if (red_dims.size() >= 2) p.geometry = SumGeometry::plane(red_dims[red_dims.size() - 2], red_dims.back());
  return p;
}

// For each input element (memory order), its output index.
std::vector<uint64_t> out_index(const Tensor& x, const Plan& p) {
  std::vector<uint64_t> idx(x.size());
  auto ks = strides_of(p.kept_shape);
  const size_t r = x.rank();
  std::vector<int64_t> pos(r, 0);
  uint64_t cur = 0;
  for (uint64_t k = 0; k < x.size(); ++k) {
    idx[k] = cur;
    for (size_t d = r; d-- > 0;) {
      const int64_t step = p.reduced[d] ? 0 : ks[d];
      if (++pos[d] < x.shape()[d]) {
        cur += uint64_t(step);
        break;
      }
      cur -= uint64_t(step * (x.shape()[d] - 1));
      pos[d] = 0;
    }
  }
  return idx;
}

// When the reduced axes are adjacent, x is [outer, group, inner] and output o = (a, i) sums
// x[a, 0..group, i] in memory order — the order the general path uses, so the same bits.
struct Blocks {
  uint64_t outer = 1, inner = 1;
};
std::optional<Blocks> contiguous_blocks(const Tensor& x, const Plan& p) {
  int first = -1, last = -1;
  for (size_t d = 0; d < x.rank(); ++d)
    if (p.reduced[d]) {
      if (first < 0)
        first = int(d);
      else if (last != int(d) - 1)
        return std::nullopt;
      last = int(d);
    }
  if (first < 0) return std::nullopt;
  Blocks b;
  for (int d = 0; d < first; ++d) b.outer *= uint64_t(x.shape()[size_t(d)]);
  for (size_t d = size_t(last) + 1; d < x.rank(); ++d) b.inner *= uint64_t(x.shape()[d]);
  return b;
}

template <Red R>
float reduce_step(float acc, float v) {
  if constexpr (R == Red::Max)
    return std::max(acc, v);
  else if constexpr (R == Red::Min)
    return std::min(acc, v);
  else
    return acc * v;  // Prod
}

template <Red R>
float finish(float s, const Plan& p) {
  switch (R) {
    case Red::Mean:
      return s / float(p.group);
    case Red::L2:
      return std::sqrt(s);
    case Red::LogSum:
      return std::log(s);
    default:
      return s;
  }
}

// The result in the op's declared dtype (integer inputs reduce in float, then cast back).
void set_reduced(KernelContext& ctx, std::vector<float> out, const Plan& p, ir::DType in_dtype) {
  const ir::DType dt = ctx.out_dtype(0, in_dtype);
  Tensor r = Tensor::from_floats(ir::dtype_is_float(dt) ? dt : ir::DType::Float32, p.out_shape,
                                 std::move(out));
  ctx.set(ir::dtype_is_float(dt) ? r : r.cast_to(dt));
}

// Sums of different outputs are independent, so they run on the kernel threads (each output
// one sequential chain in the profile's order: the same bits for any thread count) and, inside a
// thread, four at a time in lockstep: an fp16-rounded running sum is a chain of dependent
// add + round steps, and interleaving four chains lets the CPU overlap their latencies (the
// Neural Engine band runs these reductions once per accumulation scheme).
template <Red R>
void reduce_blocks(KernelContext& ctx, const Tensor& x, const Blocks& b, const Plan& p) {
  std::span<const float> in = x.floats();
  const uint64_t n_out = b.outer * b.inner;
  std::vector<float> out(n_out);
  const OpNumerics& num = ctx.numerics();
  AccumulationTally* tally = ctx.accumulation_tally();
  const bool fp16_storage = stores_fp16(ctx);
  const uint64_t stride = b.inner;
  auto first_term = [&](uint64_t o) { return in.data() + (o / b.inner) * p.group * b.inner + o % b.inner; };
  auto prepared = [](float v) {
    if constexpr (R == Red::L1) v = std::fabs(v);
    if constexpr (R == Red::L2 || R == Red::SumSquare) v = v * v;
    return v;
  };
  std::mutex tally_mutex;
  auto body = [&](uint64_t o0, uint64_t o1) {
    if constexpr (R == Red::Max || R == Red::Min || R == Red::Prod) {
      for (uint64_t o = o0; o < o1; ++o) {
        float acc = R == Red::Max ? -INFINITY : R == Red::Min ? INFINITY : 1.0f;
        const float* t = first_term(o);
        for (uint64_t j = 0; j < p.group; ++j) acc = reduce_step<R>(acc, t[j * stride]);
        out[o] = acc;
      }
    } else {
      AccumulationTally local;
      constexpr uint64_t kLanes = 4;
      for (uint64_t o = o0; o < o1; o += kLanes) {
        const uint64_t lanes = std::min(kLanes, o1 - o);
        std::vector<Accumulator> acc(lanes, Accumulator(num, p.geometry, tally ? &local : nullptr));
        if constexpr (R == Red::Mean)
          for (auto& a : acc) a.begin_mean(p.group, fp16_storage);
        const float* t[kLanes] = {};
        for (uint64_t l = 0; l < lanes; ++l) t[l] = first_term(o + l);
        if (lanes == kLanes) {
          for (uint64_t j = 0; j < p.group; ++j) {
            const uint64_t k = j * stride;
            acc[0].add(prepared(t[0][k]));
            acc[1].add(prepared(t[1][k]));
            acc[2].add(prepared(t[2][k]));
            acc[3].add(prepared(t[3][k]));
          }
        } else {
          for (uint64_t l = 0; l < lanes; ++l)
            for (uint64_t j = 0; j < p.group; ++j) acc[l].add(prepared(t[l][j * stride]));
        }
        for (uint64_t l = 0; l < lanes; ++l) out[o + l] = R == Red::Mean ? acc[l].mean(p.group) : finish<R>(acc[l].result(), p);
      }
      if (tally && local.sums) {
        std::lock_guard<std::mutex> lock(tally_mutex);
        tally->max_abs_partial = std::max(tally->max_abs_partial, local.max_abs_partial);
        tally->overflowed_partials += local.overflowed_partials;
        tally->sums += local.sums;
      }
    }
  };
  // Outputs per thread: enough terms to pay for handing work over.
  parallel_for(n_out, body, std::max<uint64_t>(1, (uint64_t(1) << 16) / std::max<uint64_t>(p.group, 1)));
  set_reduced(ctx, std::move(out), p, x.dtype());
}

template <Red R>
void reduce(KernelContext& ctx) {
  const Tensor& xin = ctx.tensor("x");
  const bool arg = R == Red::ArgMax || R == Red::ArgMin;
  std::vector<int64_t> axes;
  if (arg)
    axes = {ctx.int_param("axis", -1)};
  else if (ctx.has("axes"))
    axes = ctx.ints_param("axes");
  if (!arg && ctx.has("axes") && axes.empty()) {  // empty axes list: identity
    ctx.set_output(0, ctx.value("x"));
    return;
  }
  const bool keep = ctx.bool_param("keep_dims", false);
  const Tensor x = xin.is_float() ? xin : xin.cast_to(ir::DType::Float32);
  const Plan p = plan(ctx, x, axes, keep);
  const uint64_t n_out = dims_count(p.out_shape);
  auto in = x.floats();
  if (!arg && R != Red::LogSumExp) {
    if (auto blocks = contiguous_blocks(x, p)) {
      reduce_blocks<R>(ctx, x, *blocks, p);
      return;
    }
  }
  std::vector<uint64_t> oi = out_index(x, p);
  if (arg) {
    std::vector<float> best(n_out, R == Red::ArgMax ? -INFINITY : INFINITY);
    std::vector<int64_t> at(n_out, -1), count(n_out, 0);
    for (uint64_t k = 0; k < x.size(); ++k) {
      const uint64_t o = oi[k];
      const float v = in[k];
      if (at[o] < 0 || (R == Red::ArgMax ? v > best[o] : v < best[o]) ||
          (std::isnan(v) && !std::isnan(best[o]))) {
        best[o] = v;
        at[o] = count[o];
      }
      ++count[o];
    }
    ctx.set(Tensor::from_ints(ctx.out_dtype(0, ir::DType::Int32), p.out_shape, std::move(at)));
    return;
  }
  std::vector<float> out(n_out);
  if (R == Red::Max || R == Red::Min) {
    std::fill(out.begin(), out.end(), R == Red::Max ? -INFINITY : INFINITY);
    for (uint64_t k = 0; k < x.size(); ++k)
      out[oi[k]] = R == Red::Max ? std::max(out[oi[k]], in[k]) : std::min(out[oi[k]], in[k]);
  } else if (R == Red::Prod) {
    std::fill(out.begin(), out.end(), 1.0f);
    for (uint64_t k = 0; k < x.size(); ++k) out[oi[k]] *= in[k];
  } else {
    const OpNumerics& num = ctx.numerics();
    std::vector<float> mx;
    if (R == Red::LogSumExp) {
      mx.assign(n_out, -INFINITY);
      for (uint64_t k = 0; k < x.size(); ++k) mx[oi[k]] = std::max(mx[oi[k]], in[k]);
    }
    std::vector<Accumulator> acc(n_out, Accumulator(num, p.geometry, ctx.accumulation_tally()));
    if (R == Red::Mean)
      for (auto& a : acc) a.begin_mean(p.group, stores_fp16(ctx));
    for (uint64_t k = 0; k < x.size(); ++k) {
      float v = in[k];
      switch (R) {
        case Red::L1:
          v = std::fabs(v);
          break;
        case Red::L2:
        case Red::SumSquare:
          v = v * v;
          break;
        case Red::LogSumExp:
          v = std::exp(v - mx[oi[k]]);
          break;
        default:
          break;
      }
      acc[oi[k]].add(v);
    }
    for (uint64_t o = 0; o < n_out; ++o) {
      if (R == Red::Mean) {
        out[o] = acc[o].mean(p.group);
        continue;
      }
      const float s = acc[o].result();
      out[o] = R == Red::LogSumExp ? std::log(s) + mx[o] : finish<R>(s, p);
    }
  }
  set_reduced(ctx, std::move(out), p, x.dtype());
}

}  // namespace

void register_reduce_kernels() {
  register_kernel("reduce_sum", reduce<Red::Sum>);
  register_kernel("reduce_mean", reduce<Red::Mean>);
  register_kernel("reduce_max", reduce<Red::Max>);
  register_kernel("reduce_min", reduce<Red::Min>);
  register_kernel("reduce_prod", reduce<Red::Prod>);
  register_kernel("reduce_l1_norm", reduce<Red::L1>);
  register_kernel("reduce_l2_norm", reduce<Red::L2>);
  register_kernel("reduce_sum_square", reduce<Red::SumSquare>);
  register_kernel("reduce_log_sum", reduce<Red::LogSum>);
  register_kernel("reduce_log_sum_exp", reduce<Red::LogSumExp>);
  register_kernel("reduce_argmax", reduce<Red::ArgMax>);
  register_kernel("reduce_argmin", reduce<Red::ArgMin>);
}

}  // namespace mlscope::exec
