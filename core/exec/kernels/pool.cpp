// avg_pool / max_pool / l2_pool over 1-3 spatial axes (valid / same / same_lower / custom
// padding, ceil_mode, exclude_padding_from_average).
#include <cmath>

#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"

namespace mlscope::exec {

namespace {

enum class Pool { Avg, Max, L2 };

template <Pool P>
void pool(KernelContext& ctx) {
  const Tensor xin = ctx.tensor("x");
  const Tensor x = xin.is_float() ? xin : xin.cast_to(ir::DType::Float32);
  const int sp = int(x.rank()) - 2;
  if (sp < 1 || sp > 3) ctx.fail("input rank must be 3..5, got " + dims_str(x.shape()));
  auto ks = ctx.ints_param("kernel_sizes");
  auto st = ctx.ints_param("strides", std::vector<int64_t>(size_t(sp), 1));
  auto pad = ctx.ints_param("pad", std::vector<int64_t>(size_t(2 * sp), 0));
  const std::string pad_type = ctx.string_param("pad_type", "valid");
  const bool ceil_mode = ctx.bool_param("ceil_mode", false);
  const bool exclude = ctx.bool_param("exclude_padding_from_average", false);
  if (int(ks.size()) != sp || int(st.size()) != sp) ctx.fail("kernel_sizes/strides must have one value per spatial axis");
  int64_t in[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0}, out[3] = {1, 1, 1};
  const int off = 3 - sp;
  for (int i = 0; i < sp; ++i) {
    const int d = off + i;
    in[d] = x.shape()[size_t(2 + i)];
    k[d] = ks[size_t(i)];
    s[d] = st[size_t(i)];
    if (k[d] < 1 || s[d] < 1) ctx.fail("kernel sizes and strides must be >= 1");
    if (pad_type == "custom" && int(pad.size()) == 2 * sp) { lo[d] = pad[size_t(2 * i)]; hi[d] = pad[size_t(2 * i + 1)]; }
    if (pad_type == "same" || pad_type == "same_lower") {
      out[d] = (in[d] + s[d] - 1) / s[d];
      const int64_t total = std::max<int64_t>((out[d] - 1) * s[d] + k[d] - in[d], 0);
      lo[d] = pad_type == "same" ? total / 2 : (total + 1) / 2;
      hi[d] = total - lo[d];
    } else {
      const int64_t span = in[d] + lo[d] + hi[d] - k[d];
      out[d] = (ceil_mode ? (span + s[d] - 1) / s[d] : span / s[d]) + 1;
    }
    if (out[d] < 1) ctx.fail("pooling output size is not positive");
  }
  const int64_t NC = x.shape()[0] * x.shape()[1];
  Dims oshape = {x.shape()[0], x.shape()[1]};
  for (int i = off; i < 3; ++i) oshape.push_back(out[i]);
  Tensor y = float_output(ctx, oshape);
  auto yv = y.mutable_floats();
  auto xv = x.floats();
  const OpNumerics& num = ctx.numerics();
  AccumulationTally* tally = ctx.accumulation_tally();
  // The window as the plane of a tiled sum (1-D pooling: a line).
  const SumGeometry window = sp == 1 ? SumGeometry::line() : SumGeometry::plane(uint64_t(k[1]), uint64_t(k[2]));
  const bool prescale = P == Pool::Avg && num.reduction.scale_terms, fp16_storage = stores_fp16(ctx);
  const int64_t vin = in[0] * in[1] * in[2], vout = out[0] * out[1] * out[2];
  // Positions of window (a, b, c) counted by the average: inside, or padding unless excluded;
  // ceil-mode overhang never counts.
  auto window_count = [&](int64_t a, int64_t b, int64_t c) {
    int64_t counted = 0;
    for (int64_t i = 0; i < k[0]; ++i)
      for (int64_t j = 0; j < k[1]; ++j)
        for (int64_t l = 0; l < k[2]; ++l) {
          const int64_t p0 = a * s[0] - lo[0] + i, p1 = b * s[1] - lo[1] + j, p2 = c * s[2] - lo[2] + l;
          const bool inside = p0 >= 0 && p0 < in[0] && p1 >= 0 && p1 < in[1] && p2 >= 0 && p2 < in[2];
          const bool in_padded = p0 < in[0] + hi[0] && p1 < in[1] + hi[1] && p2 < in[2] + hi[2];
          counted += inside || (!exclude && in_padded);
        }
    return std::max<int64_t>(counted, 1);
  };
  for (int64_t nc = 0; nc < NC; ++nc)
    for (int64_t a = 0; a < out[0]; ++a)
      for (int64_t b = 0; b < out[1]; ++b)
        for (int64_t c = 0; c < out[2]; ++c) {
          Accumulator acc(num, window, tally);
          if (prescale) acc.begin_mean(uint64_t(window_count(a, b, c)), fp16_storage);
          float m = -INFINITY;
          int64_t counted = 0;
          for (int64_t i = 0; i < k[0]; ++i)
            for (int64_t j = 0; j < k[1]; ++j)
              for (int64_t l = 0; l < k[2]; ++l) {
                const int64_t p0 = a * s[0] - lo[0] + i, p1 = b * s[1] - lo[1] + j, p2 = c * s[2] - lo[2] + l;
                const bool inside = p0 >= 0 && p0 < in[0] && p1 >= 0 && p1 < in[1] && p2 >= 0 && p2 < in[2];
                // Padded positions count toward the average unless excluded; ceil-mode overhang never counts.
                const bool in_padded = p0 < in[0] + hi[0] && p1 < in[1] + hi[1] && p2 < in[2] + hi[2];
                if (!inside) {
                  if (!exclude && in_padded) ++counted;
                  if (P != Pool::Max) acc.skip();
                  continue;
                }
                const float v = xv[size_t(nc * vin + (p0 * in[1] + p1) * in[2] + p2)];
                ++counted;
                if (P == Pool::Max) m = std::max(m, v);
                else acc.add(P == Pool::L2 ? v * v : v);
              }
          float r = P == Pool::Max ? m : P == Pool::L2 ? std::sqrt(acc.result()) : acc.mean(uint64_t(std::max<int64_t>(counted, 1)));
          yv[size_t(nc * vout + (a * out[1] + b) * out[2] + c)] = r;
        }
  ctx.set(y);
}

}  // namespace

void register_pool_kernels() {
  register_kernel("avg_pool", pool<Pool::Avg>);
  register_kernel("max_pool", pool<Pool::Max>);
  register_kernel("l2_pool", pool<Pool::L2>);
}

}  // namespace mlscope::exec
