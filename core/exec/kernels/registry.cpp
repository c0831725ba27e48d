#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "core/exec/kernels/kernel.h"
#include "core/exec/kernels/families.h"
#include "core/exec/kernels/kernel_util.h"
#include "core/util/error.h"

namespace mlscope::exec {

namespace {

std::map<std::string, KernelFn>& registry() {
  static std::map<std::string, KernelFn> r;
  return r;
}

std::set<std::pair<std::string, std::string>>& codes_readers() {
  static std::set<std::pair<std::string, std::string>> r;
  return r;
}

void register_all_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_elementwise_kernels();
    register_activation_kernels();
    register_linear_kernels();
    register_conv_kernels();
    register_reduce_kernels();
    register_norm_kernels();
    register_pool_kernels();
    register_shape_kernels();
    register_gather_kernels();
    register_tensor_kernels();
    register_quant_kernels();
    register_control_kernels();
    register_recurrent_kernels();
    register_state_kernels();
    register_classify_kernels();
    register_attention_kernels();
    register_nn_kernels();
  });
}

}  // namespace

bool register_kernel(const char* op_type, KernelFn fn) {
  registry()[op_type] = fn;
  return true;
}

void register_dequantized_codes_reader(const char* op_type, const char* input) { codes_readers().insert({op_type, input}); }

bool reads_dequantized_codes(const std::string& qualified_type, const std::string& input) {
  register_all_once();
  return codes_readers().count({qualified_type, input}) > 0;
}

KernelFn find_kernel(const std::string& qualified_type) {
  register_all_once();
  auto it = registry().find(qualified_type);
  return it == registry().end() ? nullptr : it->second;
}

std::vector<std::string> kernel_names() {
  register_all_once();
  std::vector<std::string> out;
  for (const auto& kv : registry()) out.push_back(kv.first);
  return out;
}

// ---- KernelContext conveniences ----

void KernelContext::fail(const std::string& message) const {
  throw Error(Location::at_op(file(), op().name), op().type + ": " + message);
}

const Tensor& KernelContext::tensor(const std::string& name, size_t index) const {
  const RunValue& v = value(name, index);
  const Tensor* t = std::get_if<Tensor>(&v);
  if (!t) fail("input '" + name + "' is a " + describe(v) + ", expected a tensor");
  return *t;
}

std::optional<Tensor> KernelContext::opt_tensor(const std::string& name) const {
  if (!has(name)) return std::nullopt;
  return tensor(name);
}

int64_t KernelContext::int_param(const std::string& name) const {
  if (!has(name)) {
    if (auto a = attr(name)) {
      if (a->size() != 1) fail("parameter '" + name + "' must be a scalar");
      return static_cast<int64_t>(a->at(0));
    }
    fail("missing required parameter '" + name + "'");
  }
  const Tensor& t = tensor(name);
  if (t.size() != 1) fail("parameter '" + name + "' must be a scalar, got shape " + dims_str(t.shape()));
  return static_cast<int64_t>(t.at(0));
}

int64_t KernelContext::int_param(const std::string& name, int64_t fallback) const {
  if (!has(name) && !attr(name)) return fallback;
  return int_param(name);
}

double KernelContext::float_param(const std::string& name, double fallback) const {
  std::optional<Tensor> t = has(name) ? std::optional<Tensor>(tensor(name)) : attr(name);
  if (!t) return fallback;
  if (t->size() != 1) fail("parameter '" + name + "' must be a scalar");
  return t->at(0);
}

bool KernelContext::bool_param(const std::string& name, bool fallback) const {
  std::optional<Tensor> t = has(name) ? std::optional<Tensor>(tensor(name)) : attr(name);
  if (!t) return fallback;
  if (t->size() != 1) fail("parameter '" + name + "' must be a scalar");
  return t->at(0) != 0;
}

std::string KernelContext::string_param(const std::string& name, const std::string& fallback) const {
  std::optional<Tensor> t = has(name) ? std::optional<Tensor>(tensor(name)) : attr(name);
  if (!t) return fallback;
  if (t->dtype() != ir::DType::String || t->size() != 1) fail("parameter '" + name + "' must be a string");
  return t->strings()[0];
}

std::vector<int64_t> KernelContext::ints_param(const std::string& name) const {
  std::optional<Tensor> t = has(name) ? std::optional<Tensor>(tensor(name)) : attr(name);
  if (!t) fail("missing required parameter '" + name + "'");
  std::vector<int64_t> out(t->size());
  for (uint64_t i = 0; i < t->size(); ++i) out[i] = static_cast<int64_t>(t->at(i));
  return out;
}

std::vector<int64_t> KernelContext::ints_param(const std::string& name, std::vector<int64_t> fallback) const {
  if (!has(name) && !attr(name)) return fallback;
  return ints_param(name);
}

std::optional<DequantizedCodes> KernelContext::dequantized_codes(const std::string&) { return std::nullopt; }
std::optional<Tensor> KernelContext::take_dying_input(const std::string&) { return std::nullopt; }

std::optional<Tensor> KernelContext::attr(const std::string& name) const {
  const ir::Constant* c = op().attribute_value(name);
  if (!c) return std::nullopt;
  return tensor_from_constant(*c, op().name);
}

ir::DType KernelContext::out_dtype(size_t index, ir::DType fallback) const {
  ir::Type t = output_type(index);
  return t.is_tensor() && t.dtype != ir::DType::Invalid ? t.dtype : fallback;
}

// ---- constants ----

Tensor tensor_from_constant(const ir::Constant& c, const std::string& where) {
  if (!c.is_tensor()) throw Error(Location::at_op("", where), "constant of type " + c.type.str() + " is not a tensor");
  Dims shape = c.shape().dims;
  for (int64_t d : shape)
    if (d < 0) throw Error(Location::at_op("", where), "constant with dynamic shape " + c.shape().str());
  if (c.dtype() == ir::DType::String) {
    if (c.strings.size() != dims_count(shape))
      throw Error(Location::at_op("", where), "string constant has " + std::to_string(c.strings.size()) + " values for shape " + dims_str(shape));
    return Tensor::from_strings(shape, c.strings);
  }
  c.validate(where);
  if (ir::dtype_is_float(c.dtype())) {
    ir::DType dt = c.dtype() == ir::DType::Float64 || c.dtype() == ir::DType::Float16 ? c.dtype() : ir::DType::Float32;
    if (c.dtype() == ir::DType::Float16) dt = ir::DType::Float16;
    return Tensor::from_floats(dt, shape, c.to_floats());
  }
  return Tensor::from_ints(c.dtype(), shape, c.to_ints());
}

// ---- shared helpers (kernel_util.h) ----

int64_t norm_axis(const KernelContext& ctx, int64_t axis, size_t rank) {
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) ctx.fail("axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + r : axis;
}

std::vector<int64_t> strides_of(const Dims& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

Dims broadcast_shapes(const KernelContext& ctx, const Dims& a, const Dims& b) {
  const size_t r = std::max(a.size(), b.size());
  Dims out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1) ctx.fail("cannot broadcast shapes " + dims_str(a) + " and " + dims_str(b));
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<uint64_t> broadcast_index(const Dims& in, const Dims& out) {
  const uint64_t n = dims_count(out);
  std::vector<uint64_t> idx(n);
  const size_t r = out.size();
  std::vector<int64_t> in_stride(r, 0);
  {
    auto s = strides_of(in);
    for (size_t i = 0; i < in.size(); ++i) {
      size_t o = i + (r - in.size());
      in_stride[o] = in[i] == 1 ? 0 : s[i];
    }
  }
  std::vector<int64_t> pos(r, 0);
  uint64_t cur = 0;
  for (uint64_t k = 0; k < n; ++k) {
    idx[k] = cur;
    for (size_t d = r; d-- > 0;) {
      if (++pos[d] < out[d]) {
        cur += static_cast<uint64_t>(in_stride[d]);
        break;
      }
      cur -= static_cast<uint64_t>(in_stride[d] * (out[d] - 1));
      pos[d] = 0;
    }
  }
  return idx;
}

namespace {
ir::DType float_out_dtype(const KernelContext& ctx, size_t index) {
  ir::DType dt = ctx.out_dtype(index, ir::DType::Float32);
  return ir::dtype_is_float(dt) ? dt : ir::DType::Float32;
}
}  // namespace

Tensor float_output(const KernelContext& ctx, const Dims& shape, size_t index) { return Tensor(float_out_dtype(ctx, index), shape); }

Tensor float_output_uninitialized(const KernelContext& ctx, const Dims& shape, size_t index) {
  return Tensor::uninitialized(float_out_dtype(ctx, index), shape);
}

}  // namespace mlscope::exec

namespace mlscope::exec {

bool stores_fp16(const KernelContext& ctx) {
  const StorageMode s = ctx.numerics().storage;
  if (s == StorageMode::Fp16) return true;
  const ir::Type t = ctx.output_type(0);
  return s == StorageMode::Declared && t.is_tensor() && t.dtype == ir::DType::Float16;
}

}  // namespace mlscope::exec
