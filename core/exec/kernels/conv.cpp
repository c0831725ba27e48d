// conv / conv_transpose (1-D, 2-D and 3-D as N-D with up to 3 spatial axes): im2col + gemm.
// Padding modes valid / same / same_lower / custom, strides, dilations, groups.
#include <algorithm>
#include <cstring>

#include "core/exec/kernels/gemm.h"
#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"
#include "core/exec/parallel.h"
#include "core/exec/kernels/quantized_source.h"
#include "core/exec/run_cancel.h"
#include "core/util/simd_clones.h"

namespace mlscope::exec {

namespace {

struct ConvGeom {
  int64_t N = 1, C = 1, O = 1, groups = 1;
  int64_t in[3] = {1, 1, 1}, k[3] = {1, 1, 1}, out[3] = {1, 1, 1}, stride[3] = {1, 1, 1}, dil[3] = {1, 1, 1};
  int64_t pad_lo[3] = {0, 0, 0}, pad_hi[3] = {0, 0, 0};
  int sp = 2;  // spatial rank of the op
};

// Fills geometry from MIL conv parameters; spatial dims are right-aligned into 3 slots.
ConvGeom geometry(const KernelContext& ctx, const Dims& xs, const Dims& ws, bool transpose) {
  ConvGeom g;
  if (xs.size() < 3 || xs.size() > 5 || ws.size() != xs.size()) ctx.fail("unsupported shapes x " + dims_str(xs) + ", weight " + dims_str(ws));
  g.sp = int(xs.size()) - 2;
  g.N = xs[0];
  g.C = xs[1];
  g.groups = ctx.int_param("groups", 1);
  if (g.groups < 1 || g.C % g.groups) ctx.fail("groups " + std::to_string(g.groups) + " does not divide " + std::to_string(g.C) + " input channels");
  g.O = transpose ? ws[1] * g.groups : ws[0];
  const int64_t wc = transpose ? ws[0] : ws[1];
  if ((transpose ? wc != g.C : wc * g.groups != g.C))
    ctx.fail("weight " + dims_str(ws) + " does not match " + std::to_string(g.C) + " input channels in " + std::to_string(g.groups) + " groups");
  auto strides = ctx.ints_param("strides", std::vector<int64_t>(size_t(g.sp), 1));
  auto dil = ctx.ints_param("dilations", std::vector<int64_t>(size_t(g.sp), 1));
  const std::string pad_type = ctx.string_param("pad_type", "valid");
  auto pad = ctx.ints_param("pad", std::vector<int64_t>(size_t(2 * g.sp), 0));
  if (int(strides.size()) != g.sp || int(dil.size()) != g.sp || int(pad.size()) != 2 * g.sp) ctx.fail("strides/dilations/pad length does not match the spatial rank");
  const int off = 3 - g.sp;
  for (int i = 0; i < g.sp; ++i) {
    const int s = off + i;
    g.in[s] = xs[size_t(2 + i)];
    g.k[s] = ws[size_t(2 + i)];
    g.stride[s] = strides[size_t(i)];
    g.dil[s] = dil[size_t(i)];
    if (g.stride[s] < 1 || g.dil[s] < 1) ctx.fail("strides and dilations must be >= 1");
    const int64_t ek = (g.k[s] - 1) * g.dil[s] + 1;
    if (transpose) {
      if (pad_type == "custom") { g.pad_lo[s] = pad[size_t(2 * i)]; g.pad_hi[s] = pad[size_t(2 * i + 1)]; }
      g.out[s] = (g.in[s] - 1) * g.stride[s] + ek - g.pad_lo[s] - g.pad_hi[s];
      if (pad_type == "same" || pad_type == "same_lower") {
        g.out[s] = g.in[s] * g.stride[s];
        int64_t total = std::max<int64_t>((g.in[s] - 1) * g.stride[s] + ek - g.out[s], 0);
        g.pad_lo[s] = pad_type == "same" ? total / 2 : (total + 1) / 2;
        g.pad_hi[s] = total - g.pad_lo[s];
      }
    } else {
      if (pad_type == "custom") {
        g.pad_lo[s] = pad[size_t(2 * i)];
        g.pad_hi[s] = pad[size_t(2 * i + 1)];
      } else if (pad_type == "same" || pad_type == "same_lower") {
        const int64_t out = (g.in[s] + g.stride[s] - 1) / g.stride[s];
        const int64_t total = std::max<int64_t>((out - 1) * g.stride[s] + ek - g.in[s], 0);
        g.pad_lo[s] = pad_type == "same" ? total / 2 : (total + 1) / 2;
        g.pad_hi[s] = total - g.pad_lo[s];
      } else if (pad_type != "valid") {
        ctx.fail("unknown pad_type '" + pad_type + "'");
      }
      g.out[s] = (g.in[s] + g.pad_lo[s] + g.pad_hi[s] - ek) / g.stride[s] + 1;
    }
    if (g.out[s] < 1) ctx.fail("output spatial size " + std::to_string(g.out[s]) + " is not positive");
  }
  return g;
}

// Where im2col reads channel c's input: x + c * channel_stride holds input rows
// [first_row, ...) of that channel (the whole plane, or a decoded slab of it).
struct InputPlanes {
  const float* x;
  int64_t channel_stride, first_row = 0;
};

// cols[(c*K3) + kk][pos] for one image and one group, for output rows [r0, r1) where a row is a
// flattened (od, oh) pair; pos runs over those rows' output positions. Tiling by rows keeps the
// column buffer small (a 64-channel 3x3 conv at 224x224 would otherwise need 115 MB).
void im2col(const ConvGeom& g, const InputPlanes& planes, int64_t cn, int64_t r0, int64_t r1, float* cols) {
  const int64_t P = (r1 - r0) * g.out[2];
  int64_t row = 0;
  for (int64_t c = 0; c < cn; ++c) {
    const float* xc = planes.x + c * planes.channel_stride;
    for (int64_t a = 0; a < g.k[0]; ++a)
      for (int64_t b = 0; b < g.k[1]; ++b)
        for (int64_t e = 0; e < g.k[2]; ++e, ++row) {
          float* dst = cols + row * P;
          int64_t p = 0;
          for (int64_t r = r0; r < r1; ++r) {
            const int64_t od = r / g.out[1], oh = r % g.out[1];
            const int64_t id = od * g.stride[0] - g.pad_lo[0] + a * g.dil[0];
            const int64_t ih = oh * g.stride[1] - g.pad_lo[1] + b * g.dil[1];
            const bool row_ok = id >= 0 && id < g.in[0] && ih >= 0 && ih < g.in[1];
            const int64_t W = g.out[2];
            if (!row_ok) {
              std::memset(dst + p, 0, size_t(W) * sizeof(float));
              p += W;
              continue;
            }
            const float* src = xc + (id * g.in[1] + ih - planes.first_row) * g.in[2];
            // Output columns whose input column iw = ow*stride + base lies inside the row: zeros
            // on both sides, a straight (or strided) copy in between — no per-element test.
            const int64_t base = -g.pad_lo[2] + e * g.dil[2], st = g.stride[2];
            const int64_t lo = std::min(W, base >= 0 ? 0 : (-base + st - 1) / st);
            const int64_t hi = std::max(lo, std::min(W, base < g.in[2] ? (g.in[2] - 1 - base) / st + 1 : 0));
            std::memset(dst + p, 0, size_t(lo) * sizeof(float));
            if (hi > lo && st == 1) {
              std::memcpy(dst + p + lo, src + base + lo, size_t(hi - lo) * sizeof(float));
            } else {
              for (int64_t ow = lo; ow < hi; ++ow) dst[p + ow] = src[ow * st + base];
            }
            std::memset(dst + p + hi, 0, size_t(W - hi) * sizeof(float));
            p += W;
          }
        }
  }
}

Tensor as_float(const Tensor& t) { return t.is_float() ? t : t.cast_to(ir::DType::Float32); }

// Input rows [lo, hi) that output rows [r0, r1) of a 2-D (or 1-D) conv read, clipped to the input.
std::pair<int64_t, int64_t> input_rows(const ConvGeom& g, int64_t r0, int64_t r1) {
  const int64_t lo = r0 * g.stride[1] - g.pad_lo[1], hi = (r1 - 1) * g.stride[1] - g.pad_lo[1] + (g.k[1] - 1) * g.dil[1] + 1;
  return {std::clamp<int64_t>(lo, 0, g.in[1]), std::clamp<int64_t>(hi, 0, g.in[1])};
}

Dims out_dims(const ConvGeom& g, int64_t O) {
  Dims d = {g.N, O};
  for (int i = 3 - g.sp; i < 3; ++i) d.push_back(g.out[i]);
  return d;
}

void k_conv(KernelContext& ctx) {
  // x from a deferred dequantize: its int8 codes, decoded slab by slab into each tile's rows
  // (2-D and 1-D convs; the fp32 activation is never made whole).
  std::optional<DequantizedCodes> dq = ctx.dequantized_codes("x");
  if (dq && dq->codes.rank() > 4) dq.reset();
  const Tensor x = dq ? Tensor{} : as_float(ctx.tensor("x"));
  const Tensor w = as_float(ctx.tensor("weight"));
  const ConvGeom g = geometry(ctx, dq ? dq->codes.shape() : x.shape(), w.shape(), false);
  const int64_t Cg = g.C / g.groups, Og = g.O / g.groups;
  const int64_t K3 = g.k[0] * g.k[1] * g.k[2], Kdim = Cg * K3;
  const int64_t P = g.out[0] * g.out[1] * g.out[2];
  const int64_t in_vol = g.in[0] * g.in[1] * g.in[2];
  Tensor y = float_output_uninitialized(ctx, out_dims(g, g.O));  // every tile's gemm writes its block
  auto yv = y.mutable_floats();
  const OpNumerics& num = ctx.numerics();
  std::optional<QuantizedOperand> qx, qw;
  if (num.int8_accumulation) {  // int8 x int8: exact integer dot products (gemm_integer_codes)
    qx = quantized_source(ctx, "x", dq ? dq->codes : x, /*activation_codes=*/false);  // derived per im2col tile below
    qw = qx ? quantized_source(ctx, "weight", w) : std::nullopt;
    if (qw && qw->axis > 0) qw.reset();
  }
  const bool integer = qx && qw;
  // Integer codes from a deferred dequantize: round_to_codes applied once to its table of every
  // code (it is elementwise, so the tiles get the same codes) instead of to every decoded value.
  if (integer && dq) round_to_codes(dq->table, qx->scale[0]);
  // A 1x1 conv reads x directly as its column matrix — except with integer codes, which come
  // from x's values tile by tile.
  const bool direct = !integer && !dq && K3 == 1 && P == in_vol && g.stride[0] * g.stride[1] * g.stride[2] == 1 &&
                      g.pad_lo[0] + g.pad_lo[1] + g.pad_lo[2] + g.pad_hi[0] + g.pad_hi[1] + g.pad_hi[2] == 0;
  // Output rows per im2col tile: about 2^18 column floats (1 MB) per tile, which sgemm packs
  // and keeps in L2 (larger tiles ran no faster and cost peak memory); tiles are spread
  // over the kernel threads, each with its own column buffer.
  const int64_t rows_total = g.out[0] * g.out[1];
  const int64_t rows_per_tile = std::max<int64_t>(1, std::min<int64_t>(rows_total, (int64_t(1) << 18) / std::max<int64_t>(1, Kdim * g.out[2])));
  const int64_t tiles = (rows_total + rows_per_tile - 1) / rows_per_tile;
  const float* xdata = dq ? nullptr : x.floats().data();
  const float* wdata = integer ? qw->codes.data() : w.floats().data();
  // One product of the conv: Og output channels x Pc positions over the whole of K.
  auto product = [&](const float* W, const float* cols, int64_t Pc, float* out) {
    if (integer)
      gemm_integer_codes(Og, Pc, Kdim, W, Kdim, cols, Pc, out, P, double(qx->max_abs_code) * double(qw->max_abs_code));
    else
      gemm(num, Og, Pc, Kdim, W, Kdim, false, cols, Pc, false, out, P);
  };
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      const float* xg = dq ? nullptr : xdata + (n * g.C + gr * Cg) * in_vol;  // this image's group
      float* out = yv.data() + (n * g.O + gr * Og) * P;
      const float* W = wdata + gr * Og * Kdim;
      if (direct) {
        product(W, xg, P, out);
        continue;
      }
      // Each tile's outputs come from one single-threaded gemm over the whole K: the same
      // arithmetic whichever thread or tile computes them.
      parallel_for(uint64_t(tiles), [&](uint64_t t0, uint64_t t1) {
        ScopedKernelThreads one_thread(1);
        std::vector<float> cols = take_float_buffer(size_t(Kdim * rows_per_tile * g.out[2]));  // im2col writes it all
        std::vector<float> slab;  // decoded input rows of one tile (codes only)
        for (uint64_t t = t0; t < t1; ++t) {
          if (run_cancel_requested()) ctx.fail("run cancelled");
          const int64_t r0 = int64_t(t) * rows_per_tile, r1 = std::min(rows_total, r0 + rows_per_tile), Pc = (r1 - r0) * g.out[2];
          InputPlanes planes{xg, in_vol};
          if (dq) {
            const auto [lo, hi] = input_rows(g, r0, r1);
            const int64_t slab_rows = std::max<int64_t>(hi - lo, 1), width = g.in[2];
            if (slab.empty()) slab = take_float_buffer(size_t(Cg * (rows_per_tile * g.stride[1] + (g.k[1] - 1) * g.dil[1] + 1) * width));
            const uint8_t* codes = dq->codes.bytes().data() + (n * g.C + gr * Cg) * in_vol;
            for (int64_t c = 0; c < Cg && hi > lo; ++c) {
              const float* table = dq->table.data() + (dq->channels == 1 ? 0 : (gr * Cg + c) * 256);
              decode_codes(codes + c * in_vol + lo * width, table, slab.data() + c * slab_rows * width, (hi - lo) * width);
            }
            planes = {slab.data(), slab_rows * width, lo};
          }
          im2col(g, planes, Cg, r0, r1, cols.data());
          if (integer && !dq) round_to_codes({cols.data(), size_t(Kdim * Pc)}, qx->scale[0]);  // padding: code 0
          product(W, cols.data(), Pc, out + r0 * g.out[2]);
        }
        return_float_buffer(std::move(cols));
        if (!slab.empty()) return_float_buffer(std::move(slab));
      }, 1);
    }
  std::optional<Tensor> bias;
  if (auto b = ctx.opt_tensor("bias")) {
    bias = as_float(*b);
    if (int64_t(bias->size()) != g.O) ctx.fail("bias has " + std::to_string(bias->size()) + " values for " + std::to_string(g.O) + " channels");
  }
  if (integer || bias || num.saturate > 0) {
    // Per output channel plane: the integer codes' scale, the bias, then the profile's
    // saturation (saturate_outputs) — on every core (a 64 x 224 x 224 output is 12.5 MB).
    parallel_for(uint64_t(g.N * g.O), [&](uint64_t c0, uint64_t c1) {
      for (uint64_t c = c0; c < c1; ++c) {
        const int64_t o = int64_t(c) % g.O;
        float* out = yv.data() + int64_t(c) * P;
        if (integer) {
          const float s = qx->scale[0] * (qw->scale.size() == 1 ? qw->scale[0] : qw->scale[size_t(o)]);
          for (int64_t p = 0; p < P; ++p) out[p] *= s;
        }
        if (bias) {
          const float bv = bias->floats()[size_t(o)];
          for (int64_t p = 0; p < P; ++p) out[p] += bv;
        }
        saturate_outputs(num, {out, size_t(P)});
      }
    }, uint64_t(std::max<int64_t>(1, (int64_t(1) << 16) / std::max<int64_t>(P, 1))));  // ~64 Ki values a thread at least
  }
  ctx.set(y);
}

void k_conv_transpose(KernelContext& ctx) {
  const Tensor x = as_float(ctx.tensor("x"));
  const Tensor w = as_float(ctx.tensor("weight"));  // [C_in, O/groups, k...]
  ConvGeom g = geometry(ctx, x.shape(), w.shape(), true);
  if (ctx.has("output_shape")) {
    auto os = ctx.ints_param("output_shape");
    if (int(os.size()) >= g.sp)
      for (int i = 0; i < g.sp; ++i) g.out[3 - g.sp + i] = os[os.size() - size_t(g.sp) + size_t(i)];
  }
  const int64_t Cg = g.C / g.groups, Og = g.O / g.groups;
  const int64_t K3 = g.k[0] * g.k[1] * g.k[2];
  const int64_t Pin = g.in[0] * g.in[1] * g.in[2], Pout = g.out[0] * g.out[1] * g.out[2];
  Tensor y = float_output(ctx, out_dims(g, g.O));
  auto yv = y.mutable_floats();
  std::vector<float> cols(size_t(Og * K3 * Pin));
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      // cols[(o*K3 + kk)][p] = sum_c w[c, o, kk] * x[c, p]
      const float* W = w.floats().data() + gr * Cg * Og * K3;
      const float* X = x.floats().data() + (n * g.C + gr * Cg) * Pin;
      gemm(ctx.numerics(), Og * K3, Pin, Cg, W, Og * K3, true, X, Pin, false, cols.data(), Pin);
      for (int64_t o = 0; o < Og; ++o) {
        float* out = yv.data() + (n * g.O + gr * Og + o) * Pout;
        for (int64_t a = 0; a < g.k[0]; ++a)
          for (int64_t b = 0; b < g.k[1]; ++b)
            for (int64_t e = 0; e < g.k[2]; ++e) {
              const float* src = cols.data() + ((o * g.k[0] + a) * g.k[1] * g.k[2] + b * g.k[2] + e) * Pin;
              for (int64_t id = 0; id < g.in[0]; ++id) {
                const int64_t od = id * g.stride[0] - g.pad_lo[0] + a * g.dil[0];
                if (od < 0 || od >= g.out[0]) continue;
                for (int64_t ih = 0; ih < g.in[1]; ++ih) {
                  const int64_t oh = ih * g.stride[1] - g.pad_lo[1] + b * g.dil[1];
                  if (oh < 0 || oh >= g.out[1]) continue;
                  for (int64_t iw = 0; iw < g.in[2]; ++iw) {
                    const int64_t ow = iw * g.stride[2] - g.pad_lo[2] + e * g.dil[2];
                    if (ow < 0 || ow >= g.out[2]) continue;
                    out[(od * g.out[1] + oh) * g.out[2] + ow] += src[(id * g.in[1] + ih) * g.in[2] + iw];
                  }
                }
              }
            }
      }
    }
  if (auto b = ctx.opt_tensor("bias")) {
    Tensor bf = as_float(*b);
    for (int64_t n = 0; n < g.N; ++n)
      for (int64_t o = 0; o < g.O && o < int64_t(bf.size()); ++o)
        for (int64_t p = 0; p < Pout; ++p) yv[size_t((n * g.O + o) * Pout + p)] += bf.floats()[size_t(o)];
  }
  saturate_outputs(ctx.numerics(), yv);
  ctx.set(y);
}

}  // namespace

void register_conv_kernels() {
  register_kernel("conv", k_conv);
  register_dequantized_codes_reader("conv", "x");
  register_kernel("conv_transpose", k_conv_transpose);
}

}  // namespace mlscope::exec
