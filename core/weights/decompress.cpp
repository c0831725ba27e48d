#include "core/weights/decompress.h"

#include <stdexcept>
#include <string>

#include "core/weights/params.h"
#include "core/util/error.h"

namespace mlscope::weights {

namespace {

using Dims = std::vector<int64_t>;

uint64_t count_of(const ir::Shape& s) {
  auto n = s.element_count();
  if (!n) throw std::invalid_argument("shape " + s.str() + " is not static");
  return *n;
}

// Row-major odometer over a static shape: keeps the coordinate of the current flat index.
struct Odometer {
  const Dims& dims;
  Dims coord;
  explicit Odometer(const Dims& d) : dims(d), coord(d.size(), 0) {}
  void next() {
    for (size_t k = dims.size(); k-- > 0;) {
      if (++coord[k] < dims[k]) return;
      coord[k] = 0;
    }
  }
};

Dims strides_of(const Dims& d) {
  Dims s(d.size(), 1);
  for (size_t k = d.size(); k-- > 1;) s[k - 1] = s[k] * d[k];
  return s;
}

std::string shape_text(const Dims& d) { return ir::Shape(d).str(); }

}  // namespace

bool is_materializable(std::string_view t) { return t == "const" || t.rfind("constexpr_", 0) == 0; }

DenseTensor dense_from_constant(const ir::Constant& c) {
  DenseTensor t;
  t.dtype = c.dtype();
  t.shape = c.shape();
  t.values = c.to_floats();
  return t;
}

std::vector<uint32_t> unpack_lsb_first(const uint8_t* data, size_t bytes, int nbits, uint64_t count) {
  if (nbits < 1 || nbits > 8) throw std::invalid_argument("bit width " + std::to_string(nbits) + " not in 1..8");
  if (count > (static_cast<uint64_t>(bytes) * 8) / static_cast<uint64_t>(nbits))
    throw std::invalid_argument(std::to_string(count) + " " + std::to_string(nbits) + "-bit codes need more than the " +
                                std::to_string(bytes) + " stored bytes");
  std::vector<uint32_t> out(count);
  const uint32_t mask = (1u << nbits) - 1u;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t bit = i * static_cast<uint64_t>(nbits);
    size_t b = static_cast<size_t>(bit / 8);
    uint32_t word = data[b];
    if (b + 1 < bytes) word |= static_cast<uint32_t>(data[b + 1]) << 8;
    out[i] = (word >> (bit % 8)) & mask;
  }
  return out;
}

std::vector<float> sparse_expand(const std::vector<float>& mask, const std::vector<float>& nonzero) {
  size_t set = 0;
  for (float m : mask) set += (m != 0.0f);
  if (set != nonzero.size())
    throw std::invalid_argument("mask has " + std::to_string(set) + " set bits but nonzero_data has " +
                                std::to_string(nonzero.size()) + " values");
  std::vector<float> out(mask.size(), 0.0f);
  size_t k = 0;
  for (size_t i = 0; i < mask.size(); ++i)
    if (mask[i] != 0.0f) out[i] = nonzero[k++];
  return out;
}

std::vector<float> affine_dequantize(const DenseTensor& q, const DenseTensor& scale, const DenseTensor* zp, int64_t axis) {
  const Dims& d = q.shape.dims;
  const int64_t rank = static_cast<int64_t>(d.size());
  if (axis < 0) axis += rank;
  const bool vec_scale = scale.values.size() > 1, vec_zp = zp && zp->values.size() > 1;
  if (scale.values.empty()) throw std::invalid_argument("scale is empty");
  if (zp && zp->values.empty()) throw std::invalid_argument("zero_point is empty");
  if ((vec_scale || vec_zp) && (axis < 0 || axis >= rank))
    throw std::invalid_argument("axis " + std::to_string(axis) + " out of range for data of rank " + std::to_string(rank));
  const int64_t len = (vec_scale || vec_zp) ? d[static_cast<size_t>(axis)] : 1;
  if (vec_scale && static_cast<int64_t>(scale.values.size()) != len)
    throw std::invalid_argument("scale has " + std::to_string(scale.values.size()) + " values but data dimension " +
                                std::to_string(axis) + " is " + std::to_string(len));
  if (vec_zp && static_cast<int64_t>(zp->values.size()) != len)
    throw std::invalid_argument("zero_point has " + std::to_string(zp->values.size()) + " values but data dimension " +
                                std::to_string(axis) + " is " + std::to_string(len));
  int64_t inner = 1;
  for (int64_t k = axis + 1; k < rank; ++k) inner *= d[static_cast<size_t>(k)];
  if (!vec_scale && !vec_zp) inner = 1;
  std::vector<float> out(q.values.size());
  for (size_t i = 0; i < out.size(); ++i) {
    size_t c = (vec_scale || vec_zp) ? static_cast<size_t>((static_cast<int64_t>(i) / inner) % len) : 0;
    float s = scale.values[vec_scale ? c : 0];
    float z = zp ? zp->values[vec_zp ? c : 0] : 0.0f;
    out[i] = s * (q.values[i] - z);
  }
  return out;
}

std::vector<float> blockwise_shift_scale(const DenseTensor& data, const DenseTensor& scale, const DenseTensor* offset) {
  const Dims& d = data.shape.dims;
  Dims sd = scale.shape.dims;
  if (sd.empty() && scale.values.size() == 1) sd.assign(d.size(), 1);  // scalar scale = per-tensor
  if (sd.size() != d.size())
    throw std::invalid_argument("scale rank " + std::to_string(sd.size()) + " differs from data rank " +
                                std::to_string(d.size()));
  Dims block(d.size());
  for (size_t k = 0; k < d.size(); ++k) {
    if (sd[k] <= 0 || d[k] % sd[k] != 0)
      throw std::invalid_argument("data shape " + shape_text(d) + " is not divisible by scale shape " + shape_text(sd));
    block[k] = d[k] / sd[k];
  }
  if (offset && offset->values.size() != scale.values.size())
    throw std::invalid_argument("offset has " + std::to_string(offset->values.size()) + " values, scale has " +
                                std::to_string(scale.values.size()));
  const Dims ss = strides_of(sd);
  std::vector<float> out(data.values.size());
  Odometer it(d);
  for (size_t i = 0; i < out.size(); ++i, it.next()) {
    int64_t b = 0;
    for (size_t k = 0; k < d.size(); ++k) b += (it.coord[k] / block[k]) * ss[k];
    float o = offset ? offset->values[static_cast<size_t>(b)] : 0.0f;
    out[i] = scale.values[static_cast<size_t>(b)] * (data.values[i] - o);
  }
  return out;
}

DenseTensor lut_to_dense_grouped(const DenseTensor& indices, const DenseTensor& lut, int64_t vector_axis) {
  const Dims& d = indices.shape.dims;
  const Dims& ld = lut.shape.dims;
  const size_t K = d.size();
  if (ld.size() != K + 2)
    throw std::invalid_argument("lut shape " + shape_text(ld) + " must have rank " + std::to_string(K + 2) +
                                " for indices of rank " + std::to_string(K));
  const int64_t P = ld[K], V = ld[K + 1];
  if (P <= 0 || V <= 0) throw std::invalid_argument("lut shape " + shape_text(ld) + " has an empty palette");
  // A LUT smaller than 2^bits is only an error when an index points past it (checked below).
  Dims block(K);
  for (size_t k = 0; k < K; ++k) {
    if (ld[k] <= 0 || d[k] % ld[k] != 0)
      throw std::invalid_argument("indices shape " + shape_text(d) + " is not divisible by lut blocks " + shape_text(ld));
    block[k] = d[k] / ld[k];
  }
  if (vector_axis < 0) vector_axis += static_cast<int64_t>(K);
  if (V > 1 && (vector_axis < 0 || vector_axis >= static_cast<int64_t>(K)))
    throw std::invalid_argument("vector_axis out of range for indices of rank " + std::to_string(K));
  DenseTensor out;
  out.dtype = lut.dtype;
  Dims od = d;
  if (V > 1) od[static_cast<size_t>(vector_axis)] *= V;
  out.shape = ir::Shape(od);
  out.values.assign(indices.values.size() * static_cast<size_t>(V), 0.0f);
  const Dims bs = strides_of(Dims(ld.begin(), ld.begin() + static_cast<long>(K)));
  const Dims os = strides_of(od);
  Odometer it(d);
  for (size_t i = 0; i < indices.values.size(); ++i, it.next()) {
    int64_t b = 0, o = 0;
    for (size_t k = 0; k < K; ++k) {
      b += (it.coord[k] / block[k]) * bs[k];
      int64_t c = it.coord[k];
      if (V > 1 && static_cast<int64_t>(k) == vector_axis) c *= V;
      o += c * os[k];
    }
    const float code_f = indices.values[i];
    if (code_f < 0 || code_f >= static_cast<float>(P))
      throw std::invalid_argument("index " + std::to_string(static_cast<int64_t>(code_f)) + " at element " +
                                  std::to_string(i) + " is outside the LUT of " + std::to_string(P) + " entries");
    const size_t base = static_cast<size_t>((b * P + static_cast<int64_t>(code_f)) * V);
    const int64_t step = V > 1 ? os[static_cast<size_t>(vector_axis)] : 0;
    for (int64_t t = 0; t < V; ++t) out.values[static_cast<size_t>(o + t * step)] = lut.values[base + static_cast<size_t>(t)];
  }
  return out;
}

namespace {

class Materializer {
 public:
  Materializer(const ir::Function& f, const std::string& file) : f_(f), file_(file) {}

  DenseTensor run(ir::OpId o, int output, int depth) {
    const ir::Op& op = f_.op(o);
    if (depth > 16) fail(op, "constexpr chain deeper than 16 ops");
    try {
      return dispatch(o, op, output, depth);
    } catch (const std::invalid_argument& e) {
      fail(op, e.what());
    } catch (const std::out_of_range& e) {
      fail(op, std::string("out of range: ") + e.what());
    }
  }

 private:
  [[noreturn]] void fail(const ir::Op& op, const std::string& msg) const {
    throw Error(Location::at_op(file_, op.name), op.type + ": " + msg);
  }

  std::optional<DenseTensor> operand(ir::OpId o, std::string_view name, int depth) {
    ParamRef p = find_param(f_, o, name);
    if (p.constant) return dense_from_constant(*p.constant);
    if (p.producer != ir::kNone) return run(p.producer, p.producer_output, depth + 1);
    if (p.value != ir::kNone) throw std::invalid_argument(std::string(name) + " is not a compile-time value");
    return std::nullopt;
  }
  DenseTensor required(ir::OpId o, std::string_view name, int depth) {
    auto t = operand(o, name, depth);
    if (!t) throw std::invalid_argument(std::string("missing parameter '") + std::string(name) + "'");
    return std::move(*t);
  }
  const ir::Constant& required_constant(ir::OpId o, std::string_view name) {
    ParamRef p = find_param(f_, o, name);
    if (!p.constant) throw std::invalid_argument(std::string("parameter '") + std::string(name) + "' must be a constant");
    return *p.constant;
  }

  static void single_output(int output) {
    if (output != 0) throw std::invalid_argument("op has one output, asked for output " + std::to_string(output));
  }

  static ir::DType dtype_or(std::optional<std::string> name, ir::DType fallback) {
    if (!name) return fallback;
    return ir::dtype_from_name(*name).value_or(fallback);
  }

  DenseTensor dispatch(ir::OpId o, const ir::Op& op, int output, int depth) {
    const std::string& t = op.type;
    if (t == "const") {
      single_output(output);
      const ir::Constant* c = const_op_value(op);
      if (!c) throw std::invalid_argument("const op without a value");
      return dense_from_constant(*c);
    }
    if (t == "constexpr_affine_dequantize" || t == "dequantize") {
      single_output(output);
      DenseTensor q = required(o, t == "dequantize" ? "input" : "quantized_data", depth);
      DenseTensor scale = required(o, "scale", depth);
      auto zp = operand(o, "zero_point", depth);
      auto axis = param_int(f_, o, "axis");
      if (!axis && (scale.values.size() > 1 || (zp && zp->values.size() > 1)))
        throw std::invalid_argument("vector scale/zero_point without an axis");
      DenseTensor out;
      out.dtype = scale.dtype;
      out.shape = q.shape;
      out.values = affine_dequantize(q, scale, zp ? &*zp : nullptr, axis.value_or(0));
      return out;
    }
    if (t == "constexpr_cast" || t == "cast") {
      single_output(output);
      DenseTensor v = required(o, t == "cast" ? "x" : "source_val", depth);
      v.dtype = dtype_or(param_string(f_, o, t == "cast" ? "dtype" : "output_dtype"), ir::DType::Float32);
      return v;
    }
    if (t == "constexpr_blockwise_shift_scale") {
      single_output(output);
      DenseTensor data = required(o, "data", depth);
      DenseTensor scale = required(o, "scale", depth);
      auto offset = operand(o, "offset", depth);
      DenseTensor out;
      out.dtype = scale.dtype;
      out.shape = data.shape;
      out.values = blockwise_shift_scale(data, scale, offset ? &*offset : nullptr);
      return out;
    }
    if (t == "constexpr_lut_to_dense") {
      single_output(output);
      if (find_param(f_, o, "shape").present()) return lut_ios16(o);
      DenseTensor indices = required(o, "indices", depth);
      DenseTensor lut = required(o, "lut", depth);
      return lut_to_dense_grouped(indices, lut, param_int(f_, o, "vector_axis").value_or(0));
    }
    if (t == "constexpr_sparse_to_dense") {
      single_output(output);
      if (find_param(f_, o, "shape").present()) return sparse_ios16(o, depth);
      DenseTensor mask = required(o, "mask", depth);
      DenseTensor nz = required(o, "nonzero_data", depth);
      DenseTensor out;
      out.dtype = nz.dtype;
      out.shape = mask.shape;
      out.values = sparse_expand(mask.values, nz.values);
      return out;
    }
    if (t == "constexpr_lut_to_sparse") return lut_to_sparse(o, output, depth);
    if (t == "constexpr_sparse_blockwise_shift_scale") return sparse_blockwise(o, output, depth);
    throw std::invalid_argument("not a materializable op");
  }

  // iOS16: indices are a uint8 byte stream of n-bit codes (n = log2 of the LUT size).
  DenseTensor lut_ios16(ir::OpId o) {
    const ir::Constant& idx = required_constant(o, "indices");
    DenseTensor lut = dense_from_constant(required_constant(o, "lut"));
    std::vector<int64_t> shape = required_constant(o, "shape").to_ints();
    const size_t P = lut.values.size();
    int nbits = 0;
    for (int b : {1, 2, 4, 6, 8})
      if (P == (size_t{1} << b)) nbits = b;
    if (nbits == 0)
      throw std::invalid_argument("lut has " + std::to_string(P) + " entries; iOS16 needs 2, 4, 16, 64 or 256");
    ir::Shape out_shape(shape);
    const uint64_t n = count_of(out_shape);
    auto raw = idx.raw();
    auto codes = unpack_lsb_first(raw.data(), raw.size(), nbits, n);
    DenseTensor out;
    out.dtype = lut.dtype;
    out.shape = out_shape;
    out.values.resize(n);
    for (uint64_t i = 0; i < n; ++i) out.values[i] = lut.values[codes[i]];
    return out;
  }

  // iOS16: mask is a uint8 byte stream with one bit per output element, LSB-first.
  DenseTensor sparse_ios16(ir::OpId o, int depth) {
    const ir::Constant& mask = required_constant(o, "mask");
    DenseTensor nz = required(o, "nonzero_data", depth);
    ir::Shape out_shape(required_constant(o, "shape").to_ints());
    const uint64_t n = count_of(out_shape);
    auto raw = mask.raw();
    auto bits = unpack_lsb_first(raw.data(), raw.size(), 1, n);
    std::vector<float> m(bits.begin(), bits.end());
    DenseTensor out;
    out.dtype = nz.dtype;
    out.shape = out_shape;
    out.values = sparse_expand(m, nz.values);
    return out;
  }

  DenseTensor lut_to_sparse(ir::OpId o, int output, int depth) {
    if (output != 0 && output != 1) throw std::invalid_argument("op has two outputs");
    DenseTensor mask = required(o, "indices_mask", depth);
    DenseTensor nz = required(o, "indices_nonzero_data", depth);
    DenseTensor lut = required(o, "lut", depth);
    const int64_t vaxis = param_int(f_, o, "vector_axis").value_or(0);
    DenseTensor indices;
    indices.dtype = nz.dtype;
    indices.shape = mask.shape;
    indices.values = sparse_expand(mask.values, nz.values);  // unset positions use code 0
    DenseTensor dense = lut_to_dense_grouped(indices, lut, vaxis);
    // The expanded mask repeats each mask element V times along vector_axis, exactly as the LUT
    // expanded the values, so expanding the mask as a 1-entry-per-code "LUT" gives it.
    DenseTensor mask_lut;
    mask_lut.dtype = ir::DType::UInt1;
    Dims mld(lut.shape.dims.size(), 1);
    mld[mld.size() - 2] = 2;
    mld.back() = lut.shape.dims.back();
    mask_lut.shape = ir::Shape(mld);
    mask_lut.values.assign(static_cast<size_t>(2 * mld.back()), 0.0f);
    for (int64_t t = 0; t < mld.back(); ++t) mask_lut.values[static_cast<size_t>(mld.back() + t)] = 1.0f;
    DenseTensor mask_idx = mask;
    mask_idx.dtype = ir::DType::UInt1;
    DenseTensor expanded = lut_to_dense_grouped(mask_idx, mask_lut, vaxis);
    expanded.dtype = ir::DType::UInt1;
    if (output == 0) return expanded;
    DenseTensor out;
    out.dtype = lut.dtype;
    for (size_t i = 0; i < dense.values.size(); ++i)
      if (expanded.values[i] != 0.0f) out.values.push_back(dense.values[i]);
    out.shape = ir::Shape{static_cast<int64_t>(out.values.size())};
    return out;
  }

  DenseTensor sparse_blockwise(ir::OpId o, int output, int depth) {
    if (output != 0 && output != 1) throw std::invalid_argument("op has two outputs");
    DenseTensor mask = required(o, "data_mask", depth);
    if (output == 0) return mask;
    DenseTensor nz = required(o, "nonzero_data", depth);
    DenseTensor scale = required(o, "scale", depth);
    auto offset = operand(o, "offset", depth);
    DenseTensor data;
    data.dtype = nz.dtype;
    data.shape = mask.shape;
    data.values = sparse_expand(mask.values, nz.values);
    std::vector<float> dense = blockwise_shift_scale(data, scale, offset ? &*offset : nullptr);
    DenseTensor out;
    out.dtype = scale.dtype;
    for (size_t i = 0; i < dense.size(); ++i)
      if (mask.values[i] != 0.0f) out.values.push_back(dense[i]);
    out.shape = ir::Shape{static_cast<int64_t>(out.values.size())};
    return out;
  }

  const ir::Function& f_;
  const std::string& file_;
};

}  // namespace

DenseTensor materialize(const ir::Function& f, ir::OpId o, int output, const std::string& file) {
  Materializer m(f, file);
  return m.run(o, output, 0);
}

DenseTensor materialize_value(const ir::Function& f, ir::ValueId v, const std::string& file) {
  const ir::Value& val = f.value(v);
  if (val.producer == ir::kNone)
    throw Error(Location::at_op(file, val.name), "value '" + val.name + "' is not produced by an op");
  return materialize(f, val.producer, val.producer_output, file);
}

}  // namespace mlscope::weights
