// Quantization ops (coreml-formats.md §10): quantize / dequantize (iOS17) and every constexpr_*
// decompression op (iOS16 and iOS18 forms, decoded by core/weights/decompress). Decompression is
// exact; quantize rounds half to even like coremltools' reference (numpy around). Under a profile
// that bypasses activation quantization, quantize/dequantize pass values through unchanged.
#include <algorithm>
#include <cmath>

#include "core/weights/decompress.h"
#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"
#include "core/exec/parallel.h"
#include "core/util/simd_clones.h"
#include "core/util/error.h"

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
AxisMap axis_map(const KernelContext& ctx, const Dims& shape, uint64_t param_size,
                 std::optional<int64_t> axis) {
  AxisMap m;
  if (param_size <= 1) return m;
  if (!axis) ctx.fail("vector scale/zero_point needs an axis");
  const int64_t a = norm_axis(ctx, *axis, shape.size());
  if (shape[size_t(a)] != int64_t(param_size))
    ctx.fail("scale/zero_point length " + std::to_string(param_size) +
             " does not match axis size " + std::to_string(shape[size_t(a)]));
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

// Calls body(i0, i1, k) over [0, n) split across the kernel threads; each call is one stretch of
// elements sharing the per-axis scale / zero point k (runs of `inner` elements, or everything
// for scalar parameters), so the inner loops see one scale at a time and vectorize.
template <typename F>
void for_each_scale_run(uint64_t n, const AxisMap& m, F body) {
  const uint64_t run = m.per_axis ? uint64_t(m.inner) : std::max<uint64_t>(n, 1);
  parallel_for(n, [&](uint64_t begin, uint64_t end) {
    for (uint64_t i0 = begin, i1; i0 < end; i0 = i1) {
      i1 = std::min<uint64_t>(end, (i0 / run + 1) * run);
      body(i0, i1, m(i0));
    }
  });
}

// Codes for x[i0, i1) under one scale: round(x / s) to nearest even, clamped to [flo, fhi]
// (the code range minus the zero point), NaN to the zero point. Built for AVX-512, AVX2 and
// baseline x86-64, chosen at load time: the same IEEE divide, add and compares in every clone,
// so the codes do not depend on the CPU.
MLSCOPE_SIMD_CLONES void quantize_run(const float* __restrict src, uint8_t* __restrict dst, uint64_t i0, uint64_t i1, float s,
                                      float flo, float fhi, int32_t zi) {
  // Branch-free selects so the loop vectorizes; plain restrict pointers because a byte store
  // may alias anything.
  for (uint64_t i = i0; i < i1; ++i) {
    const float v = src[i] / s;
    // Round half to even: below 2^22 by the 1.5*2^23 add-and-subtract (default rounding
    // mode); larger magnitudes are clamped to the integer range anyway.
    const float rounded = (v + 12582912.0f) - 12582912.0f;
    float r = std::fabs(v) < 4194304.0f ? rounded : v;
    r = r < flo ? flo : r;
    r = r > fhi ? fhi : r;
    r = r == r ? r : 0.0f;  // NaN -> the zero point
    dst[i] = uint8_t(int32_t(r) + zi);  // in [lo, hi]: the int8 / uint8 bit pattern
  }
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
  // One byte per code: quantized activations are the largest tensors of a W8A8 program.
  std::vector<uint8_t> q = take_byte_buffer(x.size());  // every code is written below
  auto xv = x.floats();
  for_each_scale_run(x.size(), m, [&](uint64_t i0, uint64_t i1, size_t k) {
    const float s = sc[k];
    const int64_t z = zs[k];
    quantize_run(xv.data(), q.data(), i0, i1, s, float(lo - z), float(hi - z), int32_t(z));
  });
  ctx.set(Tensor::from_bytes(odt == "int8" ? ir::DType::Int8 : ir::DType::UInt8, x.shape(),
                             std::move(q)));
}

// y[i] = (code[i] - zero point) * scale for i in [i0, i1), one clone set per code type.
MLSCOPE_SIMD_CLONES void dequantize_run(const int8_t* __restrict c, float* __restrict y, uint64_t i0, uint64_t i1, float zf, float s) {
  for (uint64_t i = i0; i < i1; ++i) y[i] = (float(c[i]) - zf) * s;
}
MLSCOPE_SIMD_CLONES void dequantize_run(const uint8_t* __restrict c, float* __restrict y, uint64_t i0, uint64_t i1, float zf, float s) {
  for (uint64_t i = i0; i < i1; ++i) y[i] = (float(c[i]) - zf) * s;
}
MLSCOPE_SIMD_CLONES void dequantize_run(const int64_t* __restrict c, float* __restrict y, uint64_t i0, uint64_t i1, float zf, float s) {
  for (uint64_t i = i0; i < i1; ++i) y[i] = (float(c[i]) - zf) * s;
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
  std::vector<float> y = take_float_buffer(x.size());
  auto dequantize_codes = [&](const auto* codes) {
    for_each_scale_run(x.size(), m, [&](uint64_t i0, uint64_t i1, size_t k) {
      dequantize_run(codes, y.data(), i0, i1, float(zs[k]), sc[k]);
    });
  };
  if (!with_byte_codes(x, dequantize_codes)) dequantize_codes(x.ints().data());
  ctx.set(Tensor::from_floats(ctx.out_dtype(0, scale.dtype()), x.shape(), std::move(y)));
}

// constexpr_* decompression: the analysis layer's decoders (core/weights/decompress.h) are the
// one implementation, shared with lineage; they follow iOS18 chains and validate every size.
void k_constexpr(KernelContext& ctx) {
  const ir::Function& fn = ctx.function();
  const ir::Op& op = ctx.op();
  if (fn.ops.empty() || &op < fn.ops.data() || &op >= fn.ops.data() + fn.ops.size())
    ctx.fail("constexpr op is not part of its function");
  const ir::OpId id = ir::OpId(&op - fn.ops.data());
  for (size_t k = 0; k < std::max<size_t>(ctx.output_count(), 1); ++k) {
    weights::DenseTensor d;
    try {
      d = weights::materialize(fn, id, int(k), ctx.file());
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      ctx.fail(e.what());
    }
    if (ir::dtype_is_float(d.dtype)) {
      ctx.set(Tensor::from_floats(ctx.out_dtype(k, d.dtype), d.shape.dims, std::move(d.values)), k);
    } else {
      std::vector<int64_t> v(d.values.size());
      for (size_t i = 0; i < v.size(); ++i) v[i] = int64_t(d.values[i]);
      ctx.set(Tensor::from_ints(d.dtype, d.shape.dims, std::move(v)), k);
    }
  }
}

}  // namespace

void register_quant_kernels() {
  register_kernel("quantize", k_quantize);
  register_kernel("dequantize", k_dequantize);
  for (const char* t : {"constexpr_affine_dequantize", "constexpr_cast", "constexpr_lut_to_dense",
                        "constexpr_sparse_to_dense", "constexpr_blockwise_shift_scale",
                        "constexpr_lut_to_sparse", "constexpr_sparse_blockwise_shift_scale"})
    register_kernel(t, k_constexpr);
}

}  // namespace mlscope::exec
