// Shape / layout ops: reshape, transpose, squeeze, expand_dims, concat, split, stack, tile, pad,
// slice_by_index, slice_by_size, reverse, flatten2d, shape, depth_to_space, space_to_depth,
// pixel_shuffle, pixel_unshuffle, reshape_like.
#include <cmath>

#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"

namespace mlscope::exec {

Tensor take(const Tensor& x, const Dims& out_shape, const std::vector<uint64_t>& idx) {
  switch (x.storage()) {
    case Storage::Float: {
      std::vector<float> v = take_float_buffer(idx.size());
      auto s = x.floats();
      for (size_t k = 0; k < idx.size(); ++k) v[k] = s[idx[k]];
      return Tensor::from_floats(x.dtype(), out_shape, std::move(v));
    }
    case Storage::Int: {
      std::vector<int64_t> v = take_int_buffer(idx.size());
      auto s = x.ints();
      for (size_t k = 0; k < idx.size(); ++k) v[k] = s[idx[k]];
      return Tensor::from_ints(x.dtype(), out_shape, std::move(v));
    }
    case Storage::String: {
      std::vector<std::string> v(idx.size());
      for (size_t k = 0; k < idx.size(); ++k) v[k] = x.strings()[idx[k]];
      return Tensor::from_strings(out_shape, std::move(v));
    }
  }
  return {};
}

std::vector<uint64_t> permute_index(const Dims& in, const std::vector<int64_t>& perm, Dims& out) {
  const size_t r = in.size();
  auto st = strides_of(in);
  out.assign(r, 0);
  std::vector<int64_t> ost(r);
  for (size_t i = 0; i < r; ++i) {
    out[i] = in[size_t(perm[i])];
    ost[i] = st[size_t(perm[i])];
  }
  const uint64_t n = dims_count(out);
  std::vector<uint64_t> idx(n);
  std::vector<int64_t> pos(r, 0);
  uint64_t cur = 0;
  for (uint64_t k = 0; k < n; ++k) {
    idx[k] = cur;
    for (size_t d = r; d-- > 0;) {
      if (++pos[d] < out[d]) { cur += uint64_t(ost[d]); break; }
      cur -= uint64_t(ost[d] * (out[d] - 1));
      pos[d] = 0;
    }
  }
  return idx;
}

Tensor concat_along(const KernelContext& ctx, const std::vector<Tensor>& parts, int64_t axis_in) {
  if (parts.empty()) ctx.fail("nothing to concatenate");
  const Tensor& first = parts[0];
  const int64_t axis = norm_axis(ctx, axis_in, first.rank());
  Dims shape = first.shape();
  shape[size_t(axis)] = 0;
  for (const auto& p : parts) {
    if (p.rank() != first.rank()) ctx.fail("inputs have different ranks");
    for (size_t d = 0; d < p.rank(); ++d)
      if (int64_t(d) != axis && p.shape()[d] != first.shape()[d]) ctx.fail("input shapes " + dims_str(first.shape()) + " and " + dims_str(p.shape()) + " differ off the axis");
    if (p.storage() != first.storage()) ctx.fail("inputs have different dtypes");
    shape[size_t(axis)] += p.shape()[size_t(axis)];
  }
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= shape[size_t(d)];
  for (size_t d = size_t(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  Tensor out(first.dtype(), shape);
  auto copy = [&](auto get_src, auto dst) {
    int64_t off = 0;
    for (const auto& p : parts) {
      const int64_t block = p.shape()[size_t(axis)] * inner;
      auto src = get_src(p);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t j = 0; j < block; ++j) dst[size_t(o * shape[size_t(axis)] * inner + off + j)] = src[size_t(o * block + j)];
      off += block;
    }
  };
  if (first.storage() == Storage::Float) copy([](const Tensor& t) { return t.floats(); }, out.mutable_floats());
  else if (first.storage() == Storage::Int) copy([](const Tensor& t) { return t.ints(); }, out.mutable_ints());
  else copy([](const Tensor& t) { return std::span<const std::string>(t.strings()); }, std::span<std::string>(out.mutable_strings()));
  return out;
}

namespace {

void k_reshape(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  std::vector<int64_t> shape = ctx.ints_param("shape");
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0 && i < x.rank()) shape[i] = x.shape()[i];  // 0 copies the input dim (MIL)
    if (shape[i] == -1) {
      if (infer >= 0) ctx.fail("more than one -1 in shape");
      infer = int64_t(i);
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || int64_t(x.size()) % known) ctx.fail("cannot infer the -1 dimension of " + dims_str(shape) + " for " + dims_str(x.shape()));
    shape[size_t(infer)] = int64_t(x.size()) / known;
  }
  if (dims_count(shape) != x.size()) ctx.fail("cannot reshape " + dims_str(x.shape()) + " to " + dims_str(shape));
  ctx.set(x.reshaped(shape));
}

void k_reshape_like(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  ir::Type t = ctx.output_type(0);
  if (!t.is_tensor() || !t.shape.is_static()) ctx.fail("output shape is not static");
  ctx.set(x.reshaped(t.shape.dims));
}

void k_transpose(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  std::vector<int64_t> perm = ctx.ints_param("perm");
  if (perm.size() != x.rank()) ctx.fail("perm has " + std::to_string(perm.size()) + " entries for rank " + std::to_string(x.rank()));
  std::vector<bool> seen(x.rank(), false);
  for (auto& p : perm) {
    p = norm_axis(ctx, p, x.rank());
    if (seen[size_t(p)]) ctx.fail("perm is not a permutation");
    seen[size_t(p)] = true;
  }
  Dims out;
  auto idx = permute_index(x.shape(), perm, out);
  ctx.set(take(x, out, idx));
}

void k_squeeze(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  Dims out;
  if (ctx.has("axes")) {
    std::vector<bool> drop(x.rank(), false);
    for (int64_t a : ctx.ints_param("axes")) {
      const int64_t n = norm_axis(ctx, a, x.rank());
      if (x.shape()[size_t(n)] != 1) ctx.fail("cannot squeeze axis " + std::to_string(a) + " of size " + std::to_string(x.shape()[size_t(n)]));
      drop[size_t(n)] = true;
    }
    for (size_t i = 0; i < x.rank(); ++i)
      if (!drop[i]) out.push_back(x.shape()[i]);
  } else {
    for (int64_t d : x.shape())
      if (d != 1) out.push_back(d);
  }
  ctx.set(x.reshaped(out));
}

void k_expand_dims(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  std::vector<int64_t> axes = ctx.ints_param("axes");
  const size_t r = x.rank() + axes.size();
  std::vector<bool> ins(r, false);
  for (int64_t a : axes) ins[size_t(norm_axis(ctx, a, r))] = true;
  Dims out;
  size_t k = 0;
  for (size_t i = 0; i < r; ++i) out.push_back(ins[i] ? 1 : x.shape()[k++]);
  ctx.set(x.reshaped(out));
}

void k_flatten2d(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  const int64_t axis = ctx.int_param("axis", 1);
  const int64_t a = axis < 0 ? axis + int64_t(x.rank()) : axis;
  int64_t d0 = 1;
  for (int64_t i = 0; i < a; ++i) d0 *= x.shape()[size_t(i)];
  ctx.set(x.reshaped({d0, d0 ? int64_t(x.size()) / d0 : 0}));
}

void k_concat(KernelContext& ctx) {
  std::vector<Tensor> parts;
  for (size_t i = 0; i < ctx.count("values"); ++i) parts.push_back(ctx.tensor("values", i));
  ctx.set(concat_along(ctx, parts, ctx.int_param("axis")));
}

void k_stack(KernelContext& ctx) {
  std::vector<Tensor> parts;
  const int64_t axis = ctx.int_param("axis", 0);
  for (size_t i = 0; i < ctx.count("values"); ++i) {
    const Tensor& t = ctx.tensor("values", i);
    Dims s = t.shape();
    const int64_t a = norm_axis(ctx, axis, t.rank() + 1);
    s.insert(s.begin() + a, 1);
    parts.push_back(t.reshaped(s));
  }
  if (parts.empty()) ctx.fail("nothing to stack");
  ctx.set(concat_along(ctx, parts, axis));
}

// Slices [begin, end) with step along each axis (already normalized) -> index map.
Tensor slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& step, const Dims& out) {
  auto st = strides_of(x.shape());
  const uint64_t n = dims_count(out);
  std::vector<uint64_t> idx(n);
  const size_t r = x.rank();
  std::vector<int64_t> pos(r, 0);
  for (uint64_t k = 0; k < n; ++k) {
    int64_t f = 0;
    for (size_t d = 0; d < r; ++d) f += (begin[d] + pos[d] * step[d]) * st[d];
    idx[k] = uint64_t(f);
    for (size_t d = r; d-- > 0;) {
      if (++pos[d] < out[d]) break;
      pos[d] = 0;
    }
  }
  return take(x, out, idx);
}

void k_split(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  const int64_t axis = norm_axis(ctx, ctx.int_param("axis"), x.rank());
  const int64_t dim = x.shape()[size_t(axis)];
  std::vector<int64_t> sizes;
  if (ctx.has("split_sizes")) {
    sizes = ctx.ints_param("split_sizes");
  } else {
    const int64_t n = ctx.int_param("num_splits", int64_t(ctx.output_count()));
    if (n < 1) ctx.fail("num_splits must be >= 1");
    const int64_t each = (dim + n - 1) / n;
    for (int64_t i = 0, left = dim; i < n; ++i, left -= each) sizes.push_back(std::min(each, left));
  }
  if (sizes.size() != ctx.output_count()) ctx.fail("produces " + std::to_string(sizes.size()) + " parts for " + std::to_string(ctx.output_count()) + " outputs");
  int64_t off = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::vector<int64_t> begin(x.rank(), 0), step(x.rank(), 1);
    Dims out = x.shape();
    begin[size_t(axis)] = off;
    out[size_t(axis)] = sizes[i];
    off += sizes[i];
    if (off > dim) ctx.fail("split sizes exceed the axis length");
    ctx.set(slice(x, begin, step, out), i);
  }
}

void k_slice_by_index(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  const size_t r = x.rank();
  std::vector<int64_t> begin = ctx.ints_param("begin"), end = ctx.ints_param("end");
  std::vector<int64_t> stride = ctx.ints_param("stride", std::vector<int64_t>(r, 1));
  std::vector<int64_t> bm = ctx.ints_param("begin_mask", std::vector<int64_t>(r, 0)), em = ctx.ints_param("end_mask", std::vector<int64_t>(r, 0));
  std::vector<int64_t> sm = ctx.ints_param("squeeze_mask", std::vector<int64_t>(r, 0));
  if (begin.size() != r || end.size() != r || stride.size() != r || bm.size() != r || em.size() != r || sm.size() != r)
    ctx.fail("begin/end/stride/masks must have one entry per dimension (rank " + std::to_string(r) + ")");
  Dims out, squeezed;
  std::vector<int64_t> b0(r), st(r);
  for (size_t d = 0; d < r; ++d) {
    const int64_t n = x.shape()[d];
    int64_t s = stride[d];
    if (s == 0) ctx.fail("stride 0");
    int64_t b = begin[d], e = end[d];
    if (b < 0) b += n;
    if (e < 0) e += n;
    if (s > 0) {
      b = bm[d] ? 0 : std::clamp<int64_t>(b, 0, n);
      e = em[d] ? n : std::clamp<int64_t>(e, 0, n);
    } else {
      b = bm[d] ? n - 1 : std::clamp<int64_t>(b, -1, n - 1);
      e = em[d] ? -1 : std::clamp<int64_t>(e, -1, n - 1);
    }
    int64_t len = s > 0 ? std::max<int64_t>(0, (e - b + s - 1) / s) : std::max<int64_t>(0, (b - e + (-s) - 1) / (-s));
    if (sm[d]) {
      len = 1;
      b = begin[d] < 0 ? begin[d] + n : begin[d];
      if (b < 0 || b >= n) ctx.fail("squeezed index out of range");
    }
    b0[d] = b;
    st[d] = s;
    out.push_back(len);
    if (!sm[d]) squeezed.push_back(len);
  }
  Tensor t = slice(x, b0, st, out);
  ctx.set(t.reshaped(squeezed));
}

void k_slice_by_size(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  std::vector<int64_t> begin = ctx.ints_param("begin"), size = ctx.ints_param("size");
  if (begin.size() != x.rank() || size.size() != x.rank()) ctx.fail("begin/size must have one entry per dimension");
  Dims out;
  for (size_t d = 0; d < x.rank(); ++d) {
    if (begin[d] < 0) begin[d] += x.shape()[d];
    const int64_t len = size[d] == -1 ? x.shape()[d] - begin[d] : size[d];
    if (begin[d] < 0 || len < 0 || begin[d] + len > x.shape()[d]) ctx.fail("slice out of range on axis " + std::to_string(d));
    out.push_back(len);
  }
  ctx.set(slice(x, begin, std::vector<int64_t>(x.rank(), 1), out));
}

void k_reverse(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  std::vector<int64_t> axes = ctx.ints_param("axes", {});
  if (!ctx.has("axes")) for (size_t i = 0; i < x.rank(); ++i) axes.push_back(int64_t(i));
  std::vector<int64_t> begin(x.rank(), 0), step(x.rank(), 1);
  for (int64_t a : axes) {
    const size_t d = size_t(norm_axis(ctx, a, x.rank()));
    begin[d] = x.shape()[d] - 1;
    step[d] = -1;
  }
  ctx.set(slice(x, begin, step, x.shape()));
}

void k_tile(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  std::vector<int64_t> reps = ctx.ints_param("reps");
  if (reps.size() != x.rank()) ctx.fail("reps must have one entry per dimension");
  Dims out(x.rank());
  for (size_t d = 0; d < x.rank(); ++d) out[d] = x.shape()[d] * reps[d];
  auto st = strides_of(x.shape());
  const uint64_t n = dims_count(out);
  std::vector<uint64_t> idx(n);
  std::vector<int64_t> pos(x.rank(), 0);
  for (uint64_t k = 0; k < n; ++k) {
    int64_t f = 0;
    for (size_t d = 0; d < x.rank(); ++d) f += (pos[d] % x.shape()[d]) * st[d];
    idx[k] = uint64_t(f);
    for (size_t d = x.rank(); d-- > 0;) {
      if (++pos[d] < out[d]) break;
      pos[d] = 0;
    }
  }
  ctx.set(take(x, out, idx));
}

void k_pad(KernelContext& ctx) {
  const Tensor& xin = ctx.tensor("x");
  std::vector<int64_t> pad = ctx.ints_param("pad");
  const std::string mode = ctx.string_param("mode", "constant");
  const float cval = float(ctx.float_param("constant_val", 0));
  if (pad.size() % 2 || pad.size() / 2 > xin.rank()) ctx.fail("pad must hold begin/end pairs for the last dimensions");
  const size_t r = xin.rank(), first = r - pad.size() / 2;
  std::vector<int64_t> lo(r, 0), hi(r, 0);
  for (size_t i = 0; i < pad.size() / 2; ++i) {
    lo[first + i] = pad[2 * i];
    hi[first + i] = pad[2 * i + 1];
  }
  Dims out(r);
  for (size_t d = 0; d < r; ++d) {
    out[d] = xin.shape()[d] + lo[d] + hi[d];
    if ((mode == "reflect" && (lo[d] >= xin.shape()[d] || hi[d] >= xin.shape()[d])) || out[d] < 0) ctx.fail("padding too large for mode " + mode);
  }
  const Tensor x = xin.is_float() ? xin : xin.cast_to(ir::DType::Float32);
  auto st = strides_of(x.shape());
  const uint64_t n = dims_count(out);
  std::vector<float> v(n);
  std::vector<int64_t> pos(r, 0);
  auto xv = x.floats();
  for (uint64_t k = 0; k < n; ++k) {
    int64_t f = 0;
    bool outside = false;
    for (size_t d = 0; d < r; ++d) {
      int64_t i = pos[d] - lo[d];
      const int64_t len = x.shape()[d];
      if (i < 0 || i >= len) {
        if (mode == "constant") { outside = true; break; }
        if (mode == "reflect") i = i < 0 ? -i : 2 * (len - 1) - i;
        else if (mode == "replicate") i = std::clamp<int64_t>(i, 0, len - 1);
        else ctx.fail("unknown pad mode '" + mode + "'");
      }
      f += i * st[d];
    }
    v[k] = outside ? cval : xv[size_t(f)];
    for (size_t d = r; d-- > 0;) {
      if (++pos[d] < out[d]) break;
      pos[d] = 0;
    }
  }
  Tensor t = Tensor::from_floats(x.dtype(), out, std::move(v));
  ctx.set(xin.is_float() ? t : t.cast_to(xin.dtype()));
}

void k_shape(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  ctx.set(Tensor::from_ints(ctx.out_dtype(0, ir::DType::Int32), {int64_t(x.rank())}, std::vector<int64_t>(x.shape().begin(), x.shape().end())));
}

// depth_to_space / space_to_depth / pixel_shuffle / pixel_unshuffle on [N, C, H, W].
void rearrange(KernelContext& ctx, bool to_space, bool dcr) {
  const Tensor& x = ctx.tensor("x");
  if (x.rank() != 4) ctx.fail("input must be rank 4");
  const int64_t b = ctx.has("block_size") ? ctx.int_param("block_size") : ctx.int_param(to_space ? "upscale_factor" : "downscale_factor");
  const int64_t N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
  if (b < 1 || (to_space && C % (b * b)) || (!to_space && (H % b || W % b))) ctx.fail("block size does not divide the input");
  Dims out = to_space ? Dims{N, C / (b * b), H * b, W * b} : Dims{N, C * b * b, H / b, W / b};
  std::vector<uint64_t> idx(x.size());
  uint64_t k = 0;
  for (int64_t n = 0; n < out[0]; ++n)
    for (int64_t c = 0; c < out[1]; ++c)
      for (int64_t h = 0; h < out[2]; ++h)
        for (int64_t w = 0; w < out[3]; ++w, ++k) {
          int64_t ic, ih, iw;
          if (to_space) {
            const int64_t bh = h % b, bw = w % b;
            ic = dcr ? (bh * b + bw) * out[1] + c : c * b * b + bh * b + bw;
            ih = h / b;
            iw = w / b;
          } else {
            const int64_t oc = c % C, blk = c / C;
            ic = oc;
            ih = h * b + blk / b;
            iw = w * b + blk % b;
            if (!dcr) {  // pixel_unshuffle: channel-major blocks
              ic = c / (b * b);
              ih = h * b + (c % (b * b)) / b;
              iw = w * b + c % b;
            }
          }
          idx[k] = uint64_t(((n * C + ic) * H + ih) * W + iw);
        }
  ctx.set(take(x, out, idx));
}
void k_depth_to_space(KernelContext& c) { rearrange(c, true, true); }
void k_pixel_shuffle(KernelContext& c) { rearrange(c, true, false); }
void k_space_to_depth(KernelContext& c) { rearrange(c, false, true); }
void k_pixel_unshuffle(KernelContext& c) { rearrange(c, false, false); }

}  // namespace

void register_shape_kernels() {
  register_kernel("reshape", k_reshape);
  register_kernel("reshape_like", k_reshape_like);
  register_kernel("transpose", k_transpose);
  register_kernel("squeeze", k_squeeze);
  register_kernel("expand_dims", k_expand_dims);
  register_kernel("flatten2d", k_flatten2d);
  register_kernel("concat", k_concat);
  register_kernel("stack", k_stack);
  register_kernel("split", k_split);
  register_kernel("slice_by_index", k_slice_by_index);
  register_kernel("slice_by_size", k_slice_by_size);
  register_kernel("reverse", k_reverse);
  register_kernel("tile", k_tile);
  register_kernel("pad", k_pad);
  register_kernel("shape", k_shape);
  register_kernel("depth_to_space", k_depth_to_space);
  register_kernel("space_to_depth", k_space_to_depth);
  register_kernel("pixel_shuffle", k_pixel_shuffle);
  register_kernel("pixel_unshuffle", k_pixel_unshuffle);
}

}  // namespace mlscope::exec
