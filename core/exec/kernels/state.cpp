// States (iOS18): read_state, write_state (serialized form of coreml_update_state) and
// slice_update.
#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"

namespace mlscope::exec {

namespace {

void k_read_state(KernelContext& ctx) { ctx.set(ctx.state("input")); }

void k_write_state(KernelContext& ctx) {
  Tensor& s = ctx.state("input");
  const Tensor& d = ctx.tensor("data");
  if (d.shape() != s.shape()) ctx.fail("data shape " + dims_str(d.shape()) + " differs from the state's " + dims_str(s.shape()));
  s = d.storage() == s.storage() ? d.relabeled(s.dtype()) : d.cast_to(s.dtype());
  if (ctx.output_count() > 0) ctx.set(s);
}

void k_slice_update(KernelContext& ctx) {
  const Tensor& x = ctx.tensor("x");
  const Tensor& upd = ctx.tensor("update");
  const size_t r = x.rank();
  std::vector<int64_t> begin = ctx.ints_param("begin"), end = ctx.ints_param("end");
  std::vector<int64_t> stride = ctx.ints_param("stride", std::vector<int64_t>(r, 1));
  std::vector<int64_t> bm = ctx.ints_param("begin_mask", std::vector<int64_t>(r, 0)), em = ctx.ints_param("end_mask", std::vector<int64_t>(r, 0));
  std::vector<int64_t> sm = ctx.ints_param("squeeze_mask", std::vector<int64_t>(r, 0));
  if (begin.size() != r || end.size() != r || stride.size() != r) ctx.fail("begin/end/stride must have one entry per dimension");
  std::vector<int64_t> b0(r), len(r);
  uint64_t count = 1;
  for (size_t d = 0; d < r; ++d) {
    const int64_t n = x.shape()[d], s = stride[d];
    if (s <= 0) ctx.fail("only positive strides are supported");
    int64_t b = begin[d] < 0 ? begin[d] + n : begin[d], e = end[d] < 0 ? end[d] + n : end[d];
    b = bm[d] ? 0 : std::clamp<int64_t>(b, 0, n);
    e = em[d] ? n : std::clamp<int64_t>(e, 0, n);
    len[d] = sm[d] ? 1 : std::max<int64_t>(0, (e - b + s - 1) / s);
    b0[d] = b;
    count *= uint64_t(len[d]);
  }
  if (count != upd.size()) ctx.fail("update has " + std::to_string(upd.size()) + " elements for a slice of " + std::to_string(count));
  Tensor out = x.is_float() ? x : x;
  const Tensor u = upd.storage() == x.storage() ? upd : upd.cast_to(x.dtype());
  auto st = strides_of(x.shape());
  std::vector<int64_t> pos(r, 0);
  if (x.is_float()) {
    auto o = out.mutable_floats();
    for (uint64_t k = 0; k < count; ++k) {
      int64_t f = 0;
      for (size_t d = 0; d < r; ++d) f += (b0[d] + pos[d] * stride[d]) * st[d];
      o[size_t(f)] = u.floats()[k];
      for (size_t d = r; d-- > 0;) { if (++pos[d] < len[d]) break; pos[d] = 0; }
    }
  } else {
    auto o = out.mutable_ints();
    for (uint64_t k = 0; k < count; ++k) {
      int64_t f = 0;
      for (size_t d = 0; d < r; ++d) f += (b0[d] + pos[d] * stride[d]) * st[d];
      o[size_t(f)] = u.ints()[k];
      for (size_t d = r; d-- > 0;) { if (++pos[d] < len[d]) break; pos[d] = 0; }
    }
  }
  ctx.set(out);
}

}  // namespace

void register_state_kernels() {
  register_kernel("read_state", k_read_state);
  register_kernel("write_state", k_write_state);
  register_kernel("coreml_update_state", k_write_state);
  register_kernel("slice_update", k_slice_update);
}

}  // namespace mlscope::exec
