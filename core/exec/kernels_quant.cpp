// Quantization ops (coreml-formats.md §10): quantize / dequantize (iOS17) and every constexpr_*
// decompression op (iOS16 and iOS18 forms). Decompression is exact; quantize rounds half to even
// like coremltools' reference (numpy around). Under a profile that bypasses activation
// quantization, quantize/dequantize pass values through unchanged.
#include <algorithm>
#include <cmath>

#include "core/exec/kernel_families.h"
#include "core/exec/kernel_util.h"

namespace mlscope::exec {

namespace {

// iOS18 constexpr parameters are inputs; iOS16/17 ones are attributes.
std::optional<Tensor> param(const KernelContext& ctx, const std::string& name) {
  if (ctx.has(name)) return ctx.tensor(name);
  return ctx.attr(name);
}
Tensor need(const KernelContext& ctx, const std::string& name) {
  auto t = param(ctx, name);
  if (!t) ctx.fail("missing parameter '" + name + "'");
  return *t;
}

// Index of the per-axis parameter for flat element i (scalar params: 0).
struct AxisMap {
  int64_t inner = 1, n = 1;
  bool per_axis = false;
  size_t operator()(uint64_t i) const { return per_axis ? size_t((int64_t(i) / inner) % n) : 0; }
};
AxisMap axis_map(const KernelContext& ctx, const Dims& shape, uint64_t param_size, std::optional<int64_t> axis) {
  AxisMap m;
  if (param_size <= 1) return m;
  if (!axis) ctx.fail("vector scale/zero_point needs an axis");
  const int64_t a = norm_axis(ctx, *axis, shape.size());
  if (shape[size_t(a)] != int64_t(param_size)) ctx.fail("scale/zero_point length " + std::to_string(param_size) + " does not match axis size " + std::to_string(shape[size_t(a)]));
  m.per_axis = true;
  m.n = shape[size_t(a)];
  for (size_t d = size_t(a) + 1; d < shape.size(); ++d) m.inner *= shape[d];
  return m;
}

// Scale / zero point per axis position (one entry when scalar), converted once per op.
std::vector<float> per_axis_floats(const Tensor& t, const AxisMap& m) {
  std::vector<float> v(size_t(m.per_axis ? m.n : 1));
  for (size_t k = 0; k < v.size(); ++k) v[k] = float(t.at(t.size() == 1 ? 0 : k));
  return v;
}
std::vector<int64_t> per_axis_ints(const std::optional<Tensor>& t, const AxisMap& m) {
  std::vector<int64_t> v(size_t(m.per_axis ? m.n : 1), 0);
  if (t)
    for (size_t k = 0; k < v.size(); ++k) v[k] = int64_t(t->at(t->size() == 1 ? 0 : k));
  return v;
}

std::optional<int64_t> opt_axis(const KernelContext& ctx) {
  auto t = param(ctx, "axis");
  if (!t) return std::nullopt;
  return int64_t(t->at(0));
}

void k_quantize(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("input");
  if (!ctx.numerics().honor_activation_quant) {
    ctx.set(x);
    return;
  }
  const Tensor scale = need(ctx, "scale");
  auto zp = param(ctx, "zero_point");
  const std::string odt = ctx.string_param("output_dtype", "int8");
  if (odt != "int8" && odt != "uint8") ctx.fail("output_dtype must be int8 or uint8, got " + odt);
  const int64_t lo = odt == "int8" ? -128 : 0, hi = odt == "int8" ? 127 : 255;
  const AxisMap m = axis_map(ctx, x.shape(), scale.size(), opt_axis(ctx));
  for (uint64_t i = 0; i < scale.size(); ++i)
    if (scale.at(i) == 0) ctx.fail("scale is zero");
  const std::vector<float> sc = per_axis_floats(scale, m);
  const std::vector<int64_t> zs = per_axis_ints(zp, m);
  std::vector<int64_t> q(x.size());
  auto xv = x.floats();
  // Runs of `inner` elements share one scale / zero point (a loop the compiler vectorizes).
  const uint64_t run = m.per_axis ? uint64_t(m.inner) : std::max<uint64_t>(x.size(), 1);
  for (uint64_t i0 = 0; i0 < x.size(); i0 += run) {
    const size_t k = m(i0);
    const float s = sc[k];
    const int64_t z = zs[k];
    const float flo = float(lo - z), fhi = float(hi - z);
    const uint64_t i1 = std::min<uint64_t>(x.size(), i0 + run);
    for (uint64_t i = i0; i < i1; ++i) {
      const float v = xv[i] / s;
      // Round half to even: below 2^22 by the 1.5*2^23 add-and-subtract (default rounding
      // mode); larger magnitudes are clamped to the integer range anyway.
      const float r = std::fabs(v) < 4194304.0f ? (v + 12582912.0f) - 12582912.0f : v;
      q[i] = v != v ? z : int64_t(std::clamp(r, flo, fhi)) + z;
    }
  }
  ctx.set(Tensor::from_ints(odt == "int8" ? ir::DType::Int8 : ir::DType::UInt8, x.shape(), std::move(q)));
}

void k_dequantize(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("input");
  if (x.is_float()) {  // bypassed quantize upstream
    ctx.set(x);
    return;
  }
  const Tensor scale = need(ctx, "scale");
  auto zp = param(ctx, "zero_point");
  const AxisMap m = axis_map(ctx, x.shape(), scale.size(), opt_axis(ctx));
  const std::vector<float> sc = per_axis_floats(scale, m);
  const std::vector<int64_t> zs = per_axis_ints(zp, m);
  std::vector<float> y(x.size());
  auto xv = x.ints();
  const uint64_t run = m.per_axis ? uint64_t(m.inner) : std::max<uint64_t>(x.size(), 1);
  for (uint64_t i0 = 0; i0 < x.size(); i0 += run) {
    const size_t k = m(i0);
    const float s = sc[k];
    const int64_t z = zs[k];
    const uint64_t i1 = std::min<uint64_t>(x.size(), i0 + run);
    for (uint64_t i = i0; i < i1; ++i) y[i] = float(xv[i] - z) * s;
  }
  ctx.set(Tensor::from_floats(ctx.out_dtype(0, scale.dtype()), x.shape(), std::move(y)));
}

void k_affine_dequantize(KernelContext& ctx) {
  const Tensor q = need(ctx, "quantized_data");
  const Tensor scale = need(ctx, "scale");
  auto zp = param(ctx, "zero_point");
  const AxisMap m = axis_map(ctx, q.shape(), scale.size(), opt_axis(ctx));
  if (zp && zp->size() > 1 && zp->size() != scale.size()) ctx.fail("zero_point and scale lengths differ");
  std::vector<float> y(q.size());
  for (uint64_t i = 0; i < q.size(); ++i) {
    const size_t k = m(i);
    const double z = zp ? zp->at(zp->size() == 1 ? 0 : k) : 0.0;
    y[i] = float(scale.at(k) * (q.at(i) - z));
  }
  ctx.set(Tensor::from_floats(ctx.out_dtype(0, scale.dtype()), q.shape(), std::move(y)));
}

void k_constexpr_cast(KernelContext& ctx) {
  const Tensor v = need(ctx, "source_val");
  ctx.set(v.cast_to(ir::DType::Float32));
}

// Bits [i*nbits, (i+1)*nbits) of an LSB-first packed byte stream.
uint32_t packed_bits(std::span<const int64_t> bytes, uint64_t i, int nbits) {
  uint32_t v = 0;
  for (int b = 0; b < nbits; ++b) {
    const uint64_t bit = i * uint64_t(nbits) + uint64_t(b);
    v |= uint32_t((bytes[bit / 8] >> (bit % 8)) & 1) << b;
  }
  return v;
}

// Per-dimension block coordinates: element at `pos` (of `shape`) uses table index over `blocks`.
uint64_t block_index(const Dims& shape, const Dims& blocks, uint64_t flat) {
  uint64_t idx = 0, rem = flat;
  auto st = strides_of(shape);
  for (size_t d = 0; d < shape.size(); ++d) {
    const uint64_t p = rem / uint64_t(st[d]);
    rem %= uint64_t(st[d]);
    const uint64_t s = uint64_t(shape[d] / blocks[d]);
    idx = idx * uint64_t(blocks[d]) + p / s;
  }
  return idx;
}

Tensor lut_to_dense(const KernelContext& ctx, const Tensor& indices, const Tensor& lut, bool ios16_form, std::optional<int64_t> vector_axis,
                    std::vector<uint64_t>* positions = nullptr) {
  if (ios16_form) {
    const Tensor shape_t = need(ctx, "shape");
    Dims shape;
    for (uint64_t i = 0; i < shape_t.size(); ++i) shape.push_back(int64_t(shape_t.at(i)));
    const uint64_t n = dims_count(shape);
    const uint64_t np = lut.size();
    int nbits = 0;
    while ((uint64_t(1) << nbits) < np) ++nbits;
    if ((uint64_t(1) << nbits) != np || nbits < 1 || nbits > 8) ctx.fail("lut size " + std::to_string(np) + " is not 2, 4, 16, 64 or 256");
    if (indices.size() * 8 < n * uint64_t(nbits)) ctx.fail("indices hold " + std::to_string(indices.size()) + " bytes, need " + std::to_string((n * uint64_t(nbits) + 7) / 8));
    auto bytes = indices.ints();
    if (lut.is_float()) {
      std::vector<float> v(n);
      for (uint64_t i = 0; i < n; ++i) v[i] = lut.floats()[packed_bits(bytes, i, nbits)];
      return Tensor::from_floats(lut.dtype(), shape, std::move(v));
    }
    std::vector<int64_t> v(n);
    for (uint64_t i = 0; i < n; ++i) v[i] = lut.ints()[packed_bits(bytes, i, nbits)];
    return Tensor::from_ints(lut.dtype(), shape, std::move(v));
  }
  // iOS18: lut [B_0..B_{K-1}, NUM_PALETTES, VECTOR_SIZE]
  const size_t K = indices.rank();
  if (lut.rank() != K + 2) ctx.fail("lut rank " + std::to_string(lut.rank()) + " must be indices rank + 2");
  Dims blocks(lut.shape().begin(), lut.shape().begin() + int64_t(K));
  const int64_t np = lut.shape()[K], vs = lut.shape()[K + 1];
  for (size_t d = 0; d < K; ++d)
    if (blocks[d] < 1 || indices.shape()[d] % blocks[d]) ctx.fail("lut blocks do not divide the indices shape");
  Dims out = indices.shape();
  int64_t va = 0;
  if (vs > 1) {
    if (!vector_axis) ctx.fail("vector palettization needs vector_axis");
    va = norm_axis(ctx, *vector_axis, K);
    out[size_t(va)] *= vs;
  }
  const uint64_t n = indices.size();
  std::vector<uint64_t> src(n * uint64_t(vs));
  auto ost = strides_of(out);
  auto ist = strides_of(indices.shape());
  for (uint64_t i = 0; i < n; ++i) {
    const int64_t code = int64_t(indices.at(i));
    if (code < 0 || code >= np) ctx.fail("palette index " + std::to_string(code) + " out of range");
    const uint64_t table = block_index(indices.shape(), blocks, i);
    // Output flat position of element i (coordinate along vector_axis scaled by vs).
    uint64_t rem = i, o = 0;
    int64_t coord_va = 0;
    for (size_t d = 0; d < K; ++d) {
      const uint64_t p = rem / uint64_t(ist[d]);
      rem %= uint64_t(ist[d]);
      if (int64_t(d) == va && vs > 1) coord_va = int64_t(p);
      o += (int64_t(d) == va && vs > 1 ? 0 : p * uint64_t(ost[d]));
    }
    for (int64_t v = 0; v < vs; ++v) {
      const uint64_t dst = vs > 1 ? o + uint64_t(coord_va * vs + v) * uint64_t(ost[size_t(va)]) : o;
      src[dst] = (table * uint64_t(np) + uint64_t(code)) * uint64_t(vs) + uint64_t(v);
    }
  }
  if (positions) *positions = src;
  return take(lut.reshaped({int64_t(lut.size())}), out, src);
}

void k_lut_to_dense(KernelContext& ctx) {
  const Tensor indices = need(ctx, "indices");
  const Tensor lut = need(ctx, "lut");
  const bool ios16 = param(ctx, "shape").has_value();
  std::optional<int64_t> va;
  if (auto v = param(ctx, "vector_axis")) va = int64_t(v->at(0));
  ctx.set(lut_to_dense(ctx, indices, lut, ios16, va));
}

// Scatters nonzero values into a dense tensor using a row-major mask.
template <typename MaskBit>
Tensor sparse_fill(const KernelContext& ctx, const Tensor& nz, const Dims& shape, MaskBit bit) {
  const uint64_t n = dims_count(shape);
  uint64_t next = 0;
  if (nz.is_float()) {
    std::vector<float> v(n, 0.0f);
    for (uint64_t i = 0; i < n; ++i)
      if (bit(i)) {
        if (next >= nz.size()) ctx.fail("mask has more set bits than nonzero_data values (" + std::to_string(nz.size()) + ")");
        v[i] = nz.floats()[next++];
      }
    if (next != nz.size()) ctx.fail("mask has " + std::to_string(next) + " set bits for " + std::to_string(nz.size()) + " values");
    return Tensor::from_floats(nz.dtype(), shape, std::move(v));
  }
  std::vector<int64_t> v(n, 0);
  for (uint64_t i = 0; i < n; ++i)
    if (bit(i)) {
      if (next >= nz.size()) ctx.fail("mask has more set bits than nonzero_data values");
      v[i] = nz.ints()[next++];
    }
  if (next != nz.size()) ctx.fail("mask set bits do not match nonzero_data length");
  return Tensor::from_ints(nz.dtype(), shape, std::move(v));
}

void k_sparse_to_dense(KernelContext& ctx) {
  const Tensor nz = need(ctx, "nonzero_data");
  const Tensor mask = need(ctx, "mask");
  if (auto shape_t = param(ctx, "shape")) {  // iOS16: packed uint8 mask + shape
    Dims shape;
    for (uint64_t i = 0; i < shape_t->size(); ++i) shape.push_back(int64_t(shape_t->at(i)));
    const uint64_t n = dims_count(shape);
    if (mask.size() * 8 < n) ctx.fail("mask holds " + std::to_string(mask.size()) + " bytes for " + std::to_string(n) + " elements");
    auto bytes = mask.ints();
    ctx.set(sparse_fill(ctx, nz, shape, [&](uint64_t i) { return ((bytes[i / 8] >> (i % 8)) & 1) != 0; }));
    return;
  }
  auto bits = mask.ints();  // iOS18: uint1 tensor with the output shape
  ctx.set(sparse_fill(ctx, nz, mask.shape(), [&](uint64_t i) { return bits[i] != 0; }));
}

// out[p] = scale[block(p)] * (data[p] - offset[block(p)])
Tensor shift_scale(const KernelContext& ctx, const Tensor& data, const Tensor& scale, const std::optional<Tensor>& offset) {
  if (scale.rank() != data.rank()) ctx.fail("scale rank must equal data rank");
  for (size_t d = 0; d < data.rank(); ++d)
    if (scale.shape()[d] < 1 || data.shape()[d] % scale.shape()[d]) ctx.fail("scale shape " + dims_str(scale.shape()) + " does not divide data " + dims_str(data.shape()));
  if (offset && offset->shape() != scale.shape()) ctx.fail("offset shape must equal scale shape");
  std::vector<float> v(data.size());
  for (uint64_t i = 0; i < data.size(); ++i) {
    const uint64_t b = block_index(data.shape(), scale.shape(), i);
    const double off = offset ? offset->at(b) : 0.0;
    v[i] = float(scale.at(b) * (data.at(i) - off));
  }
  return Tensor::from_floats(scale.dtype(), data.shape(), std::move(v));
}

void k_blockwise_shift_scale(KernelContext& ctx) {
  ctx.set(shift_scale(ctx, need(ctx, "data"), need(ctx, "scale"), param(ctx, "offset")));
}

// iOS18 two-output ops: (mask, nonzero values).
void k_lut_to_sparse(KernelContext& ctx) {
  const Tensor mask = need(ctx, "indices_mask");
  const Tensor nzi = need(ctx, "indices_nonzero_data");
  const Tensor lut = need(ctx, "lut");
  std::optional<int64_t> va;
  if (auto v = param(ctx, "vector_axis")) va = int64_t(v->at(0));
  auto bits = mask.ints();
  Tensor dense_idx = sparse_fill(ctx, nzi.cast_to(ir::DType::Int32), mask.shape(), [&](uint64_t i) { return bits[i] != 0; });
  Tensor dense = lut_to_dense(ctx, dense_idx, lut, false, va);
  // Expanded mask: each mask element repeated VS times along vector_axis.
  const int64_t vs = lut.shape().back();
  Tensor emask = mask;
  if (vs > 1) {
    const int64_t a = norm_axis(ctx, *va, mask.rank());
    Dims out = mask.shape();
    out[size_t(a)] *= vs;
    auto ost = strides_of(out);
    auto mst = strides_of(mask.shape());
    std::vector<uint64_t> idx(dims_count(out));
    for (uint64_t o = 0; o < idx.size(); ++o) {
      uint64_t rem = o, src = 0;
      for (size_t d = 0; d < out.size(); ++d) {
        uint64_t p = rem / uint64_t(ost[d]);
        rem %= uint64_t(ost[d]);
        if (int64_t(d) == a) p /= uint64_t(vs);
        src += p * uint64_t(mst[d]);
      }
      idx[o] = src;
    }
    emask = take(mask, out, idx);
  }
  std::vector<uint64_t> keep;
  for (uint64_t i = 0; i < emask.size(); ++i)
    if (emask.ints()[i]) keep.push_back(i);
  ctx.set(emask, 0);
  ctx.set(take(dense.reshaped({int64_t(dense.size())}), {int64_t(keep.size())}, keep), 1);
}

void k_sparse_shift_scale(KernelContext& ctx) {
  const Tensor mask = need(ctx, "data_mask");
  const Tensor nz = need(ctx, "nonzero_data");
  auto bits = mask.ints();
  Tensor dense = sparse_fill(ctx, nz, mask.shape(), [&](uint64_t i) { return bits[i] != 0; });
  Tensor deq = shift_scale(ctx, dense, need(ctx, "scale"), param(ctx, "offset"));
  std::vector<uint64_t> keep;
  for (uint64_t i = 0; i < mask.size(); ++i)
    if (bits[i]) keep.push_back(i);
  ctx.set(mask, 0);
  ctx.set(take(deq.reshaped({int64_t(deq.size())}), {int64_t(keep.size())}, keep), 1);
}

}  // namespace

void register_quant_kernels() {
  register_kernel("quantize", k_quantize);
  register_kernel("dequantize", k_dequantize);
  register_kernel("constexpr_affine_dequantize", k_affine_dequantize);
  register_kernel("constexpr_cast", k_constexpr_cast);
  register_kernel("constexpr_lut_to_dense", k_lut_to_dense);
  register_kernel("constexpr_sparse_to_dense", k_sparse_to_dense);
  register_kernel("constexpr_blockwise_shift_scale", k_blockwise_shift_scale);
  register_kernel("constexpr_lut_to_sparse", k_lut_to_sparse);
  register_kernel("constexpr_sparse_blockwise_shift_scale", k_sparse_shift_scale);
}

}  // namespace mlscope::exec
