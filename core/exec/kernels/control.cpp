// Control flow (cond, while_loop) and tensor lists (make_list, list_length, list_read,
// list_write, list_gather, list_scatter). Nested blocks run through KernelContext::run_block.
#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"

namespace mlscope::exec {

namespace {

// A hostile or broken program must not spin forever; real loops here run far fewer iterations.
constexpr int64_t kMaxLoopIterations = 10'000'000;

void k_cond(KernelContext& ctx) {
  const Tensor& pred = ctx.tensor("pred");
  if (pred.size() != 1) ctx.fail("pred must be a scalar");
  auto outs = ctx.run_block(pred.at(0) != 0 ? 0 : 1, {});
  if (outs.size() != ctx.output_count()) ctx.fail("branch returned " + std::to_string(outs.size()) + " values for " + std::to_string(ctx.output_count()) + " outputs");
  for (size_t i = 0; i < outs.size(); ++i) ctx.set_output(i, std::move(outs[i]));
}

void k_while_loop(KernelContext& ctx) {
  std::vector<RunValue> vars;
  for (size_t i = 0; i < ctx.count("loop_vars"); ++i) vars.push_back(ctx.value("loop_vars", i));
  for (int64_t it = 0;; ++it) {
    if (it >= kMaxLoopIterations) ctx.fail("more than " + std::to_string(kMaxLoopIterations) + " iterations");
    auto c = ctx.run_block(0, vars);
    if (c.size() != 1 || !std::holds_alternative<Tensor>(c[0])) ctx.fail("condition block must return one bool");
    if (std::get<Tensor>(c[0]).at(0) == 0) break;
    auto next = ctx.run_block(1, vars);
    if (next.size() != vars.size()) ctx.fail("body returned " + std::to_string(next.size()) + " values for " + std::to_string(vars.size()) + " loop variables");
    vars = std::move(next);
  }
  if (vars.size() != ctx.output_count()) ctx.fail("loop variables do not match the outputs");
  for (size_t i = 0; i < vars.size(); ++i) ctx.set_output(i, std::move(vars[i]));
}

const TensorList& list_in(const KernelContext& ctx, const char* name = "ls") {
  const RunValue& v = ctx.value(name);
  const auto* l = std::get_if<TensorList>(&v);
  if (!l) ctx.fail(std::string("input '") + name + "' is not a list");
  return *l;
}

void k_make_list(KernelContext& ctx) {
  TensorList l;
  const std::string dt = ctx.string_param("dtype", "fp32");
  auto parsed = ir::dtype_from_name(dt);
  l.elem_dtype = parsed ? *parsed : ir::DType::Float32;
  if (ctx.has("elem_shape") || ctx.attr("elem_shape")) {
    auto s = ctx.has("elem_shape") ? ctx.tensor("elem_shape") : *ctx.attr("elem_shape");
    if (s.storage() != Storage::String)
      for (uint64_t i = 0; i < s.size(); ++i) l.elem_shape.push_back(int64_t(s.at(i)));
  }
  l.dynamic_length = ctx.bool_param("dynamic_length", true);
  const int64_t n = ctx.int_param("init_length", 1);
  if (n < 0 || n > (int64_t(1) << 24)) ctx.fail("init_length out of range");
  l.items.resize(size_t(n));
  ctx.set_output(0, l);
}

void k_list_length(KernelContext& ctx) {
  ctx.set(Tensor::scalar_int(int64_t(list_in(ctx).items.size()), ctx.out_dtype(0, ir::DType::Int32)));
}

int64_t list_index(const KernelContext& ctx, const TensorList& l, int64_t i, bool writing) {
  if (i < 0) ctx.fail("negative list index " + std::to_string(i));
  if (size_t(i) >= l.items.size() && !(writing && l.dynamic_length) && !writing)
    ctx.fail("list index " + std::to_string(i) + " out of range (length " + std::to_string(l.items.size()) + ")");
  if (i > (int64_t(1) << 24)) ctx.fail("list index too large");
  return i;
}

void k_list_write(KernelContext& ctx) {
  TensorList l = list_in(ctx);
  const int64_t i = list_index(ctx, l, ctx.int_param("index"), true);
  if (size_t(i) >= l.items.size()) {
    if (!l.dynamic_length) ctx.fail("write past the end of a fixed-length list");
    l.items.resize(size_t(i) + 1);
  }
  l.items[size_t(i)] = ctx.tensor("value");
  ctx.set_output(0, std::move(l));
}

Tensor element_or_zero(const KernelContext& ctx, const TensorList& l, size_t i) {
  if (!l.items[i].empty()) return l.items[i];
  for (int64_t d : l.elem_shape)
    if (d < 0) ctx.fail("reading an unwritten list element of unknown shape");
  return Tensor(l.elem_dtype, l.elem_shape);
}

void k_list_read(KernelContext& ctx) {
  const TensorList& l = list_in(ctx);
  const int64_t i = list_index(ctx, l, ctx.int_param("index"), false);
  ctx.set(element_or_zero(ctx, l, size_t(i)));
}

void k_list_gather(KernelContext& ctx) {
  const TensorList& l = list_in(ctx);
  const Tensor& ind = ctx.tensor("indices");
  std::vector<Tensor> parts;
  for (uint64_t k = 0; k < ind.size(); ++k) {
    const int64_t i = list_index(ctx, l, int64_t(ind.at(k)), false);
    Tensor t = element_or_zero(ctx, l, size_t(i));
    Dims s = t.shape();
    s.insert(s.begin(), 1);
    parts.push_back(t.reshaped(s));
  }
  if (parts.empty()) {
    Dims s = l.elem_shape;
    s.insert(s.begin(), 0);
    ctx.set(Tensor(l.elem_dtype, s));
    return;
  }
  ctx.set(concat_along(ctx, parts, 0));
}

void k_list_scatter(KernelContext& ctx) {
  TensorList l = list_in(ctx);
  const Tensor& ind = ctx.tensor("indices");
  const Tensor& val = ctx.tensor("value");
  if (val.rank() < 1 || uint64_t(val.shape()[0]) != ind.size()) ctx.fail("value's first dimension must equal the number of indices");
  Dims es(val.shape().begin() + 1, val.shape().end());
  const uint64_t per = dims_count(es);
  for (uint64_t k = 0; k < ind.size(); ++k) {
    const int64_t i = list_index(ctx, l, int64_t(ind.at(k)), true);
    if (size_t(i) >= l.items.size()) {
      if (!l.dynamic_length) ctx.fail("scatter past the end of a fixed-length list");
      l.items.resize(size_t(i) + 1);
    }
    std::vector<uint64_t> idx(per);
    for (uint64_t j = 0; j < per; ++j) idx[j] = k * per + j;
    l.items[size_t(i)] = take(val, es, idx);
  }
  ctx.set_output(0, std::move(l));
}

}  // namespace

void register_control_kernels() {
  register_kernel("cond", k_cond);
  register_kernel("while_loop", k_while_loop);
  register_kernel("make_list", k_make_list);
  register_kernel("list_length", k_list_length);
  register_kernel("list_write", k_list_write);
  register_kernel("list_read", k_list_read);
  register_kernel("list_gather", k_list_gather);
  register_kernel("list_scatter", k_list_scatter);
}

}  // namespace mlscope::exec
