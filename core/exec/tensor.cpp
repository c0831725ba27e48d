#include "core/exec/tensor.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

#include "core/exec/buffer_pool.h"
#include "core/util/error.h"
#include "core/util/half.h"

namespace mlscope::exec {

uint64_t dims_count(const Dims& dims) {
  uint64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) throw Error(Location{}, "tensor shape " + dims_str(dims) + " has a negative or unknown dimension");
    if (d != 0 && n > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(d))
      throw Error(Location{}, "tensor shape " + dims_str(dims) + " overflows");
    n *= static_cast<uint64_t>(d);
  }
  return n;
}

std::string dims_str(const Dims& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

Storage storage_of(ir::DType dt) {
  if (dt == ir::DType::String) return Storage::String;
  if (ir::dtype_is_float(dt)) return Storage::Float;
  return Storage::Int;
}

Tensor::Tensor(ir::DType dt, Dims shape) : Tensor(uninitialized(dt, std::move(shape))) {
  if (f_) std::fill(f_->begin(), f_->end(), 0.0f);
  if (i_) std::fill(i_->begin(), i_->end(), int64_t(0));
}

Tensor Tensor::uninitialized(ir::DType dt, Dims shape) {
  Tensor t;
  t.dtype_ = dt;
  t.shape_ = std::move(shape);
  t.count_ = dims_count(t.shape_);
  switch (t.storage()) {
    case Storage::Float: t.f_ = pooled_storage(take_float_buffer(t.count_)); break;
    case Storage::Int: t.i_ = pooled_storage(take_int_buffer(t.count_)); break;
    case Storage::String: t.s_ = std::make_shared<std::vector<std::string>>(t.count_); break;
  }
  return t;
}

namespace {
void check_count(uint64_t want, size_t have, const Dims& d) {
  if (want != have)
    throw Error(Location{}, "tensor of shape " + dims_str(d) + " needs " + std::to_string(want) + " values, got " +
                                std::to_string(have));
}
}  // namespace

Tensor Tensor::from_floats(ir::DType dt, Dims shape, std::vector<float> v) {
  Tensor t;
  t.dtype_ = dt;
  t.shape_ = std::move(shape);
  t.count_ = dims_count(t.shape_);
  check_count(t.count_, v.size(), t.shape_);
  t.f_ = pooled_storage(std::move(v));
  return t;
}

Tensor Tensor::from_ints(ir::DType dt, Dims shape, std::vector<int64_t> v) {
  Tensor t;
  t.dtype_ = dt;
  t.shape_ = std::move(shape);
  t.count_ = dims_count(t.shape_);
  check_count(t.count_, v.size(), t.shape_);
  t.i_ = pooled_storage(std::move(v));
  return t;
}

Tensor Tensor::from_bytes(ir::DType dt, Dims shape, std::vector<uint8_t> bytes) {
  if (dt != ir::DType::Int8 && dt != ir::DType::UInt8)
    throw Error(Location{}, "byte storage holds int8 or uint8, not " + std::string(ir::dtype_name(dt)));
  Tensor t;
  t.dtype_ = dt;
  t.shape_ = std::move(shape);
  t.count_ = dims_count(t.shape_);
  check_count(t.count_, bytes.size(), t.shape_);
  t.b_ = pooled_storage(std::move(bytes));
  t.b_signed_ = dt == ir::DType::Int8;
  return t;
}

Tensor Tensor::from_strings(Dims shape, std::vector<std::string> v) {
  Tensor t;
  t.dtype_ = ir::DType::String;
  t.shape_ = std::move(shape);
  t.count_ = dims_count(t.shape_);
  check_count(t.count_, v.size(), t.shape_);
  t.s_ = std::make_shared<std::vector<std::string>>(std::move(v));
  return t;
}

Tensor Tensor::scalar_float(float v, ir::DType dt) { return from_floats(dt, {}, {v}); }
Tensor Tensor::scalar_int(int64_t v, ir::DType dt) { return from_ints(dt, {}, {v}); }

std::span<const float> Tensor::floats() const {
  if (!f_) throw Error(Location{}, "tensor of dtype " + std::string(ir::dtype_name(dtype_)) + " read as floats");
  return {f_->data(), f_->size()};
}
namespace {
// Guards the widened cache of byte-storage tensors (filled on first ints(), off the hot path).
std::mutex& widen_mutex() {
  static std::mutex m;
  return m;
}
int64_t byte_value(uint8_t b, bool is_signed) { return is_signed ? int64_t(int8_t(b)) : int64_t(b); }
}  // namespace

std::span<const uint8_t> Tensor::bytes() const {
  if (!b_) throw Error(Location{}, "tensor of dtype " + std::string(ir::dtype_name(dtype_)) + " has no byte storage");
  return {b_->data(), b_->size()};
}

std::span<const int64_t> Tensor::ints() const {
  if (b_) {
    std::lock_guard<std::mutex> lock(widen_mutex());
    if (!i_) {
      std::vector<int64_t> wide = take_int_buffer(b_->size());
      for (size_t k = 0; k < wide.size(); ++k) wide[k] = byte_value((*b_)[k], b_signed_);
      i_ = pooled_storage(std::move(wide));
    }
    return {i_->data(), i_->size()};
  }
  if (!i_) throw Error(Location{}, "tensor of dtype " + std::string(ir::dtype_name(dtype_)) + " read as integers");
  return {i_->data(), i_->size()};
}
const std::vector<std::string>& Tensor::strings() const {
  if (!s_) throw Error(Location{}, "tensor of dtype " + std::string(ir::dtype_name(dtype_)) + " read as strings");
  return *s_;
}
std::span<float> Tensor::mutable_floats() {
  floats();
  if (f_.use_count() > 1) {
    std::vector<float> copy = take_float_buffer(f_->size());
    std::copy(f_->begin(), f_->end(), copy.begin());
    f_ = pooled_storage(std::move(copy));
  }
  return {f_->data(), f_->size()};
}
std::span<int64_t> Tensor::mutable_ints() {
  ints();
  if (b_) {  // writes go to wide storage from now on
    b_.reset();
    b_signed_ = false;
  }
  if (i_.use_count() > 1) {
    std::vector<int64_t> copy = take_int_buffer(i_->size());
    std::copy(i_->begin(), i_->end(), copy.begin());
    i_ = pooled_storage(std::move(copy));
  }
  return {i_->data(), i_->size()};
}
std::vector<std::string>& Tensor::mutable_strings() {
  strings();
  if (s_.use_count() > 1) s_ = std::make_shared<std::vector<std::string>>(*s_);
  return *s_;
}

double Tensor::at(uint64_t i) const {
  if (f_) return (*f_)[i];
  if (b_) return static_cast<double>(byte_value((*b_)[i], b_signed_));
  if (i_) return static_cast<double>((*i_)[i]);
  throw Error(Location{}, "string tensor read as a number");
}

Tensor Tensor::reshaped(Dims shape) const {
  uint64_t n = dims_count(shape);
  if (n != count_)
    throw Error(Location{}, "cannot reshape " + dims_str(shape_) + " (" + std::to_string(count_) + " elements) to " +
                                dims_str(shape));
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::relabeled(ir::DType dt) const {
  if (storage_of(dt) != storage())
    throw Error(Location{}, "cannot relabel " + std::string(ir::dtype_name(dtype_)) + " as " + std::string(ir::dtype_name(dt)));
  Tensor t = *this;
  t.dtype_ = dt;
  return t;
}

namespace {
// Wraps an integer to the range of dt (two's complement), bool to 0/1.
int64_t wrap_int(int64_t v, ir::DType dt) {
  switch (dt) {
    case ir::DType::Bool: return v != 0;
    case ir::DType::Int8: return static_cast<int8_t>(v);
    case ir::DType::Int16: return static_cast<int16_t>(v);
    case ir::DType::Int32: return static_cast<int32_t>(v);
    case ir::DType::UInt8: return static_cast<uint8_t>(v);
    case ir::DType::UInt16: return static_cast<uint16_t>(v);
    case ir::DType::UInt32: return static_cast<uint32_t>(v);
    default: return v;
  }
}
float float_as(float v, ir::DType dt) { return dt == ir::DType::Float16 ? round_to_half(v) : v; }
int64_t float_to_int(float v, ir::DType dt) {
  if (std::isnan(v)) return 0;
  if (dt == ir::DType::Bool) return v != 0.0f;
  double d = std::trunc(static_cast<double>(v));
  if (d >= 9.2e18) return wrap_int(std::numeric_limits<int64_t>::max(), dt);
  if (d <= -9.2e18) return wrap_int(std::numeric_limits<int64_t>::min(), dt);
  return wrap_int(static_cast<int64_t>(d), dt);
}
}  // namespace

Tensor Tensor::cast_to(ir::DType dt) const {
  if (dt == dtype_) return *this;
  Storage from = storage(), to = storage_of(dt);
  if (from == Storage::String || to == Storage::String) {
    if (from == to) return relabeled(dt);
    throw Error(Location{}, "cannot cast " + std::string(ir::dtype_name(dtype_)) + " to " + std::string(ir::dtype_name(dt)));
  }
  if (to == Storage::Float) {
    std::vector<float> out = take_float_buffer(count_);
    if (from == Storage::Float) {
      for (uint64_t i = 0; i < count_; ++i) out[i] = float_as((*f_)[i], dt);
    } else {
      if (b_) {
        for (uint64_t i = 0; i < count_; ++i) out[i] = float_as(static_cast<float>(byte_value((*b_)[i], b_signed_)), dt);
      } else {
        for (uint64_t i = 0; i < count_; ++i) out[i] = float_as(static_cast<float>((*i_)[i]), dt);
      }
    }
    return from_floats(dt, shape_, std::move(out));
  }
  std::vector<int64_t> out = take_int_buffer(count_);
  if (from == Storage::Float) {
    for (uint64_t i = 0; i < count_; ++i) out[i] = float_to_int((*f_)[i], dt);
  } else {
    auto in = ints();
    for (uint64_t i = 0; i < count_; ++i) out[i] = wrap_int(in[i], dt);
  }
  return from_ints(dt, shape_, std::move(out));
}

uint64_t Tensor::storage_bytes() const {
  if (f_) return f_->size() * sizeof(float);
  if (b_) return b_->size() + (i_ ? i_->size() * sizeof(int64_t) : 0);
  if (i_) return i_->size() * sizeof(int64_t);
  if (s_) {
    uint64_t n = 0;
    for (const auto& s : *s_) n += s.size() + sizeof(std::string);
    return n;
  }
  return 0;
}

bool Tensor::shares_storage_with(const Tensor& o) const {
  return (f_ && f_ == o.f_) || (b_ && b_ == o.b_) || (i_ && i_ == o.i_) || (s_ && s_ == o.s_);
}

std::string describe(const RunValue& v) {
  if (const auto* t = std::get_if<Tensor>(&v)) return std::string(ir::dtype_name(t->dtype())) + " " + dims_str(t->shape());
  if (const auto* d = std::get_if<Dictionary>(&v))
    return std::string("dict<") + (d->string_keys ? "string" : "int64") + ",double> (" + std::to_string(d->size()) +
           " entries)";
  const auto& l = std::get<TensorList>(v);
  return "list(" + std::to_string(l.items.size()) + ")";
}


}  // namespace mlscope::exec
