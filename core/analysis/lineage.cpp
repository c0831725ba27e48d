#include "core/analysis/lineage.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/weights/decompress.h"
#include "core/analysis/def_use.h"
#include "core/weights/params.h"
#include "core/util/error.h"

namespace mlscope::analysis {

namespace {

constexpr const char* kSchemeOrder[] = {"affine", "blockwise", "lut", "sparse", "cast"};

ValueStats stats_of(const std::vector<float>& v) {
  ValueStats s;
  if (v.empty()) return s;
  s.present = true;
  s.count = v.size();
  s.min = s.max = v[0];
  double sum = 0;
  for (float x : v) {
    s.min = std::min<double>(s.min, x);
    s.max = std::max<double>(s.max, x);
    sum += x;
  }
  s.mean = sum / static_cast<double>(v.size());
  return s;
}

std::string dtype_text(ir::DType d) { return std::string(ir::dtype_name(d)); }

std::vector<float> floats_or_empty(const ir::Constant* c) {
  if (!c || !c->is_tensor()) return {};
  try {
    return c->to_floats();
  } catch (const std::exception&) {
    return {};
  }
}

bool is_compile_time_producer(const ir::Op& op) { return op.is_const() || op.is_constexpr(); }

class FunctionLineage {
 public:
  FunctionLineage(const ir::Function& f, QuantReport& r, const QuantOptions& opt) : f_(f), du_(f), r_(r), opt_(opt) {}

  void run() {
    std::vector<ir::OpId> order = f_.program_order();
    for (ir::OpId o : order) count_op(o);
    if (opt_.validate_by_decoding)
      for (ir::OpId o : order) validate_head(o);
    for (ir::OpId o : order) {
      const ir::Op& op = f_.op(o);
      if (op.dialect == ir::Dialect::NeuralNetwork) nn_weights(o);
      else if (is_real_op(op)) trace_inputs(o);
    }
  }

 private:
  // --- counts ---
  void count_op(ir::OpId o) {
    const ir::Op& op = f_.op(o);
    if (op.type == "quantize") ++r_.activation_quantize_ops;
    else if (op.type == "dequantize") (input_is_compile_time(o, "input") ? r_.weight_compression_ops : r_.activation_dequantize_ops)++;
    else if (op.is_constexpr()) ++r_.weight_compression_ops;
  }

  bool input_is_compile_time(ir::OpId o, std::string_view name) const {
    weights::ParamRef p = weights::find_param(f_, o, name);
    if (p.constant) return true;
    ir::OpId prod = du_.origin_producer(p.value);
    return prod != ir::kNone && is_compile_time_producer(f_.op(prod));
  }

  // Decode each chain head once (a constexpr feeding a non-constexpr op): malformed data anywhere
  // in the chain surfaces as a finding naming the op.
  void validate_head(ir::OpId o) {
    const ir::Op& op = f_.op(o);
    if (!op.is_constexpr()) return;
    bool head = false;
    for (ir::OpId u : du_.users_of(o)) head |= !f_.op(u).is_constexpr();
    if (!head) return;
    // Decoding the chain validates it: a malformed one becomes a finding naming the op.
    try {
      weights::materialize(f_, o, 0);
    } catch (const Error& e) {
      r_.findings.push_back({f_.op(o).name, e.message()});
    } catch (const std::exception& e) {
      r_.findings.push_back({f_.op(o).name, e.what()});
    }
  }

  // --- MIL lineage ---
  void trace_inputs(ir::OpId o) {
    const ir::Op& op = f_.op(o);
    std::set<std::string> kinds;
    for (const ir::NamedInput& in : op.inputs)
      for (const ir::Binding& b : in.bindings) {
        if (b.is_literal()) continue;
        ir::OpId direct = du_.origin_producer(b.value);
        if (direct != ir::kNone && f_.op(direct).type == "quantize") kinds.insert("quantized_input");
        auto t = trace(o, in.name, b.value);
        if (!t) continue;
        kinds.insert(t->kind == "activation" ? "dequantized_activation" : "compressed_weight");
        r_.tensors.push_back(std::move(*t));
      }
    for (const auto& k : kinds) {
      r_.real_ops_by_lineage[k].push_back(op.name);
      if (k == "dequantized_activation") ++r_.real_ops_consuming_dequantized[op.type];
      if (k == "quantized_input") ++r_.real_ops_consuming_quantized[op.type];
    }
  }

  std::optional<TensorLineage> trace(ir::OpId consumer, const std::string& input, ir::ValueId v) {
    TensorLineage t;
    t.function = f_.name;
    t.op = f_.op(consumer).name;
    t.op_type = f_.op(consumer).type;
    t.input = input;
    t.value = f_.value(v).name;
    if (auto n = f_.value(v).type.shape.element_count(); n && f_.value(v).type.is_tensor()) t.elements = *n;
    ir::ValueId cur = du_.origin(v);
    for (int guard = 0; guard < 64; ++guard) {
      ir::OpId p = du_.producer(cur);
      if (p == ir::kNone) return std::nullopt;
      const ir::Op& op = f_.op(p);
      if (op.is_const()) {
        count_weight_input(v, false);
        return std::nullopt;
      }
      if (op.type == "cast") {
        push_chain(t, p);
        weights::ParamRef x = weights::find_param(f_, p, "x");
        if (x.value == ir::kNone) return std::nullopt;
        cur = du_.origin(x.value);
        continue;
      }
      if (op.type == "dequantize") {
        push_chain(t, p);
        describe_dequantize(p, t);
        if (t.kind == "weight") count_weight_input(v, true);
        return t;
      }
      if (op.is_constexpr()) {
        t.kind = "weight";
        std::set<std::string> schemes;
        std::set<const ir::Constant*> seen;
        describe_constexpr(p, t, schemes, seen, 0);
        t.scheme = join_schemes(schemes);
        finish_sizes(t);
        bool compressed = !(schemes.size() == 1 && schemes.count("cast"));
        count_weight_input(v, compressed);
        return t;
      }
      return std::nullopt;
    }
    return std::nullopt;
  }

  void count_weight_input(ir::ValueId v, bool compressed) {
    const ir::Type& ty = f_.value(v).type;
    if (!ty.is_tensor() || ty.shape.rank() < 2) return;
    ++r_.weight_inputs_total;
    if (compressed) ++r_.weight_inputs_compressed;
  }

  void push_chain(TensorLineage& t, ir::OpId p) {
    t.chain.push_back(f_.op(p).type);
    t.chain_ops.push_back(f_.op(p).name);
  }

  static std::string join_schemes(const std::set<std::string>& s) {
    std::string out;
    for (const char* k : kSchemeOrder)
      if (s.count(k)) out += (out.empty() ? "" : "+") + std::string(k);
    return out;
  }

  void finish_sizes(TensorLineage& t) {
    if (t.elements > 0 && t.stored_bytes > 0)
      t.compression_vs_fp16 = static_cast<double>(t.elements) * 2.0 / static_cast<double>(t.stored_bytes);
  }

  void set_storage(TensorLineage& t, ir::DType d) {
    if (!t.stored_dtype.empty()) return;
    t.stored_dtype = dtype_text(d);
    t.bits = ir::dtype_bits(d);
  }

  void add_constant(TensorLineage& t, const ir::Constant* c, std::set<const ir::Constant*>& seen) {
    if (!c || !c->is_tensor() || c->dtype() == ir::DType::String || !seen.insert(c).second) return;
    t.stored_bytes += c->stored_bytes();
  }

  // Scale / zero-point statistics, granularity and symmetry of an affine-style op.
  void describe_scale(ir::OpId p, const char* scale_name, const char* zp_name, ir::DType data_dtype, TensorLineage& t,
                      const ir::Shape& data_shape) {
    const ir::Op& op = f_.op(p);
    weights::ParamRef sp = weights::find_param(f_, p, scale_name), zp = weights::find_param(f_, p, zp_name);
    std::vector<float> scale = floats_or_empty(sp.constant), zero = floats_or_empty(zp.constant);
    t.scale = stats_of(scale);
    t.zero_point = stats_of(zero);
    const size_t zeros = static_cast<size_t>(std::count(scale.begin(), scale.end(), 0.0f));
    // A zero weight scale only zeroes its channel; a zero activation scale divides by zero.
    if (zeros > 0)
      r_.findings.push_back({op.name,
                             op.type + ": " + std::to_string(zeros) + " of " + std::to_string(scale.size()) +
                                 " scale values are zero" +
                                 (op.type == "quantize" ? " (quantize divides by zero)" : " (those channels decode to 0)"),
                             op.type == "quantize" ? "error" : "warning"});
    auto axis = weights::param_int(f_, p, "axis");
    if (scale.size() <= 1 && zero.size() <= 1) {
      t.granularity = "per_tensor";
    } else {
      t.granularity = "per_channel";
      int64_t a = axis.value_or(0);
      const int64_t rank = static_cast<int64_t>(data_shape.rank());
      if (a < 0) a += rank;
      t.axis = a;
      if (!axis) r_.findings.push_back({op.name, op.type + ": vector scale without an axis"});
      else if (a < 0 || a >= rank || data_shape.unknown_rank) {
        if (!data_shape.unknown_rank && rank > 0)
          r_.findings.push_back({op.name, op.type + ": axis " + std::to_string(*axis) + " out of range for rank " +
                                              std::to_string(rank)});
      } else if (int64_t d = data_shape.dims[static_cast<size_t>(a)]; d >= 0 && scale.size() > 1 &&
                                                                        static_cast<int64_t>(scale.size()) != d) {
        r_.findings.push_back({op.name, op.type + ": scale has " + std::to_string(scale.size()) +
                                            " values but dimension " + std::to_string(a) + " has size " + std::to_string(d)});
      }
    }
    // Symmetric: zero point absent, or at the code range's midpoint (0 signed, 2^(bits-1) unsigned).
    const bool is_unsigned = ir::dtype_is_integer(data_dtype) && !ir::dtype_is_signed(data_dtype);
    const float mid = is_unsigned ? static_cast<float>(1 << (ir::dtype_bits(data_dtype) - 1)) : 0.0f;
    t.symmetric = std::all_of(zero.begin(), zero.end(), [&](float z) { return z == mid; });
  }

  void describe_dequantize(ir::OpId deq, TensorLineage& t) {
    weights::ParamRef in = weights::find_param(f_, deq, "input");
    std::set<const ir::Constant*> seen;
    if (in.constant) {  // dequantize of a stored constant: a weight in affine form
      t.kind = "weight";
      t.scheme = "affine";
      set_storage(t, in.constant->dtype());
      describe_scale(deq, "scale", "zero_point", in.constant->dtype(), t, in.constant->shape());
      for (const char* n : {"input", "scale", "zero_point"}) add_constant(t, weights::find_param(f_, deq, n).constant, seen);
      finish_sizes(t);
      return;
    }
    t.kind = "activation";
    t.scheme = "affine";
    ir::DType stored = in.value != ir::kNone ? f_.value(in.value).type.dtype : ir::DType::Invalid;
    ir::ValueId src = in.value != ir::kNone ? du_.origin(in.value) : ir::kNone;
    ir::OpId q = du_.producer(src);
    if (q != ir::kNone && f_.op(q).type == "quantize") {
      push_chain(t, q);
      if (auto od = weights::param_string(f_, q, "output_dtype")) stored = ir::dtype_from_name(*od).value_or(stored);
      weights::ParamRef x = weights::find_param(f_, q, "input");
      ir::OpId srcop = x.value != ir::kNone ? du_.origin_producer(x.value) : ir::kNone;
      t.source_op = srcop != ir::kNone ? f_.op(srcop).name : "";
      const ir::Shape shape = x.value != ir::kNone ? f_.value(x.value).type.shape : ir::Shape{};
      describe_scale(q, "scale", "zero_point", stored, t, shape);
    } else {
      t.source_op = q != ir::kNone ? f_.op(q).name : "";
      describe_scale(deq, "scale", "zero_point", stored, t, f_.value(in.value).type.shape);
    }
    set_storage(t, stored);
  }

  // Walks a constexpr chain from its head, innermost data first, filling storage and scheme.
  void describe_constexpr(ir::OpId p, TensorLineage& t, std::set<std::string>& schemes,
                          std::set<const ir::Constant*>& seen, int depth) {
    if (depth > 16) return;
    push_chain(t, p);
    const ir::Op& op = f_.op(p);
    // Recurse into constexpr producers of any param first (iOS18 chains), then count constants.
    for (const ir::NamedInput& in : op.inputs)
      for (const ir::Binding& b : in.bindings) {
        if (b.is_literal()) { add_constant(t, b.literal.get(), seen); continue; }
        ir::OpId prod = du_.origin_producer(b.value);
        if (prod == ir::kNone) continue;
        if (f_.op(prod).is_constexpr()) describe_constexpr(prod, t, schemes, seen, depth + 1);
        else add_constant(t, weights::const_op_value(f_.op(prod)), seen);
      }
    for (const ir::Attribute& a : op.attributes) add_constant(t, a.value.get(), seen);

    auto pc = [&](const char* n) { return weights::find_param(f_, p, n).constant; };
    const std::string& ty = op.type;
    if (ty == "constexpr_affine_dequantize") {
      schemes.insert("affine");
      const ir::Constant* q = pc("quantized_data");
      if (q) {
        set_storage(t, q->dtype());
        describe_scale(p, "scale", "zero_point", q->dtype(), t, q->shape());
      }
    } else if (ty == "constexpr_blockwise_shift_scale" || ty == "constexpr_sparse_blockwise_shift_scale") {
      schemes.insert("blockwise");
      const bool sparse = ty == "constexpr_sparse_blockwise_shift_scale";
      if (sparse) schemes.insert("sparse");
      const ir::Constant* data = pc(sparse ? "nonzero_data" : "data");
      const ir::Constant* shape_src = pc(sparse ? "data_mask" : "data");
      ir::Shape shape = shape_src ? shape_src->shape() : ir::Shape{};
      if (!shape_src) {
        weights::ParamRef d = weights::find_param(f_, p, "data");
        if (d.value != ir::kNone) shape = f_.value(d.value).type.shape;
      }
      if (data) set_storage(t, data->dtype());
      describe_blocks(p, t, shape);
      if (sparse) describe_density(t, pc("nonzero_data"), shape);
    } else if (ty == "constexpr_lut_to_dense" || ty == "constexpr_lut_to_sparse") {
      schemes.insert("lut");
      const bool sparse = ty == "constexpr_lut_to_sparse";
      if (sparse) schemes.insert("sparse");
      describe_lut(p, t, sparse);
    } else if (ty == "constexpr_sparse_to_dense") {
      schemes.insert("sparse");
      const ir::Constant* nz = pc("nonzero_data");
      if (nz) set_storage(t, nz->dtype());
      const ir::Constant* shape_c = pc("shape");
      ir::Shape shape;
      if (shape_c) {
        try { shape = ir::Shape(shape_c->to_ints()); } catch (const std::exception&) {}
      } else if (const ir::Constant* m = pc("mask")) {
        shape = m->shape();
      } else {
        weights::ParamRef mr = weights::find_param(f_, p, "mask");
        if (mr.value != ir::kNone) shape = f_.value(mr.value).type.shape;
      }
      if (nz) describe_density(t, nz, shape);
      if (t.granularity.empty()) t.granularity = "per_tensor";
    } else if (ty == "constexpr_cast") {
      schemes.insert("cast");
      if (const ir::Constant* s = pc("source_val")) set_storage(t, s->dtype());
    }
  }

  void describe_density(TensorLineage& t, const ir::Constant* nz, const ir::Shape& shape) {
    if (t.density) return;
    auto n = shape.element_count();
    if (!nz || !n || *n == 0) return;
    try {
      t.density = static_cast<double>(nz->element_count()) / static_cast<double>(*n);
    } catch (const std::exception&) {}
  }

  // Granularity of a blockwise scale: block size per dimension = data dim / scale dim.
  void describe_blocks(ir::OpId p, TensorLineage& t, const ir::Shape& data_shape) {
    const ir::Constant* sc = weights::find_param(f_, p, "scale").constant;
    const ir::Constant* off = weights::find_param(f_, p, "offset").constant;
    std::vector<float> scale = floats_or_empty(sc);
    t.scale = stats_of(scale);
    t.zero_point = stats_of(floats_or_empty(off));
    t.symmetric = off == nullptr;
    if (off) {
      auto z = floats_or_empty(off);
      t.symmetric = std::all_of(z.begin(), z.end(), [](float v) { return v == 0.0f; });
    }
    const size_t zeros = static_cast<size_t>(std::count(scale.begin(), scale.end(), 0.0f));
    const ir::Op& op = f_.op(p);
    if (zeros > 0)
      r_.findings.push_back({op.name,
                             op.type + ": " + std::to_string(zeros) + " of " + std::to_string(scale.size()) +
                                 " scale values are zero (those blocks decode to 0)",
                             "warning"});
    if (!sc || data_shape.unknown_rank) return;
    const auto& sd = sc->shape().dims;
    const auto& dd = data_shape.dims;
    if (sd.size() != dd.size()) {
      r_.findings.push_back({op.name, op.type + ": scale rank " + std::to_string(sd.size()) + " differs from data rank " +
                                          std::to_string(dd.size())});
      return;
    }
    t.block_shape.assign(dd.size(), 0);
    int channel_axes = 0;
    std::optional<int64_t> blocked;
    for (size_t k = 0; k < dd.size(); ++k) {
      if (sd[k] <= 0 || dd[k] < 0 || dd[k] % sd[k] != 0) {
        r_.findings.push_back({op.name, op.type + ": data shape " + data_shape.str() + " is not divisible by scale shape " +
                                            sc->shape().str()});
        t.block_shape.clear();
        return;
      }
      t.block_shape[k] = dd[k] / sd[k];
      if (sd[k] > 1 && t.block_shape[k] == 1) ++channel_axes, t.axis = static_cast<int64_t>(k);
      if (sd[k] > 1 && t.block_shape[k] > 1 && !blocked) blocked = static_cast<int64_t>(k);
    }
    if (blocked) {
      t.granularity = "per_block";
      t.axis = *blocked;
      t.block_size = t.block_shape[static_cast<size_t>(*blocked)];
    } else if (channel_axes == 0) {
      t.granularity = "per_tensor";
      t.axis.reset();
    } else {
      t.granularity = "per_channel";
    }
  }

  void describe_lut(ir::OpId p, TensorLineage& t, bool sparse) {
    const ir::Constant* lut = weights::find_param(f_, p, "lut").constant;
    const ir::Constant* idx = weights::find_param(f_, p, sparse ? "indices_nonzero_data" : "indices").constant;
    const bool ios16 = weights::find_param(f_, p, "shape").present();
    if (!lut) return;
    t.lut_dtype = dtype_text(lut->dtype());
    const auto& ld = lut->shape().dims;
    if (ios16) {
      uint64_t n = 0;
      try { n = lut->element_count(); } catch (const std::exception&) {}
      t.lut_size = static_cast<int64_t>(n);
      t.lut_vector_size = 1;
      t.lut_count = 1;
      int bits = 0;
      while (bits < 9 && (uint64_t{1} << bits) < n) ++bits;
      if (t.stored_dtype.empty() && bits >= 1 && bits <= 8) {
        t.stored_dtype = bits == 8 ? "uint8" : "uint" + std::to_string(bits);
        t.bits = bits;
      }
      t.granularity = "per_tensor";
      return;
    }
    if (idx) set_storage(t, idx->dtype());
    if (sparse)
      if (const ir::Constant* m = weights::find_param(f_, p, "indices_mask").constant) describe_density(t, idx, m->shape());
    if (ld.size() < 2) return;
    t.lut_size = ld[ld.size() - 2];
    t.lut_vector_size = ld.back();
    t.lut_count = 1;
    ir::Shape ishape = sparse ? (weights::find_param(f_, p, "indices_mask").constant ? weights::find_param(f_, p, "indices_mask").constant->shape()
                                                                               : ir::Shape{})
                              : (idx ? idx->shape() : ir::Shape{});
    for (size_t k = 0; k + 2 < ld.size(); ++k) t.lut_count *= ld[k];
    if (idx && t.bits > 0 && t.bits <= 8 && t.lut_size < (int64_t{1} << t.bits))
      r_.findings.push_back({f_.op(p).name, f_.op(p).type + ": LUT has " + std::to_string(t.lut_size) + " entries but " +
                                                std::to_string(t.bits) + "-bit indices can address " +
                                                std::to_string(1 << t.bits)});
    if (t.lut_count <= 1) {
      t.granularity = "per_tensor";
      return;
    }
    t.granularity = "per_grouped_channel";
    if (ishape.rank() + 2 != ld.size()) return;
    t.block_shape.assign(ishape.rank(), 0);
    for (size_t k = 0; k < ishape.rank(); ++k) {
      if (ld[k] <= 0) return;
      t.block_shape[k] = ishape.dims[k] / ld[k];
      if (ld[k] > 1 && !t.axis) {
        t.axis = static_cast<int64_t>(k);
        t.block_size = t.block_shape[k];
      }
    }
  }

  // --- NeuralNetwork WeightParams ---
  void nn_weights(ir::OpId o) {
    const ir::Op& op = f_.op(o);
    const std::string suffix = ".quantization.type";
    bool any = false;
    for (const ir::Attribute& a : op.attributes) {
      if (a.name.size() <= suffix.size() || a.name.compare(a.name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
      const std::string base = a.name.substr(0, a.name.size() - suffix.size());
      TensorLineage t;
      t.function = f_.name;
      t.op = op.name;
      t.op_type = op.qualified_type();
      t.input = base;
      t.value = base;
      t.kind = "weight";
      t.chain = {"WeightParams"};
      const std::string type = a.value ? a.value->scalar_string().value_or("") : "";
      const ir::Constant* bits_c = op.attribute_value(base + ".quantization.bits");
      t.bits = bits_c ? static_cast<int>(bits_c->scalar_int().value_or(0)) : 0;
      const ir::Constant* w = op.attribute_value(base);
      if (w) {
        t.stored_bytes = w->stored_bytes();
        t.stored_dtype = w->dtype() == ir::DType::Int8 ? "int8" : (t.bits == 8 ? "uint8" : "uint" + std::to_string(t.bits));
        if (t.bits > 0) t.elements = t.stored_bytes * 8 / static_cast<uint64_t>(t.bits);
      }
      if (type == "linear") {
        t.scheme = "affine";
        auto scale = floats_or_empty(op.attribute_value(base + ".quantization.scale"));
        t.scale = stats_of(scale);
        t.zero_point = stats_of(floats_or_empty(op.attribute_value(base + ".quantization.bias")));
        t.granularity = scale.size() > 1 ? "per_channel" : "per_tensor";
        if (scale.size() > 1) t.axis = 0;
        if (std::count(scale.begin(), scale.end(), 0.0f) > 0)
          r_.findings.push_back({op.name, "WeightParams " + base + ": zero linear-quantization scale"});
      } else if (type == "lookup_table") {
        t.scheme = "lut";
        t.granularity = "per_tensor";
        t.lut_count = 1;
        t.lut_vector_size = 1;
        t.lut_dtype = "fp32";
        t.lut_size = static_cast<int64_t>(floats_or_empty(op.attribute_value(base + ".quantization.lut")).size());
        if (t.bits > 0 && t.bits <= 8 && t.lut_size < (int64_t{1} << t.bits))
          r_.findings.push_back({op.name, "WeightParams " + base + ": LUT has " + std::to_string(t.lut_size) +
                                              " entries for " + std::to_string(t.bits) + "-bit codes"});
      } else {
        continue;
      }
      finish_sizes(t);
      ++r_.weight_compression_ops;
      ++r_.weight_inputs_compressed;
      ++r_.weight_inputs_total;
      r_.tensors.push_back(std::move(t));
      any = true;
    }
    if (any) r_.real_ops_by_lineage["compressed_weight"].push_back(op.name);
  }

  const ir::Function& f_;
  DefUse du_;
  QuantReport& r_;
  const QuantOptions& opt_;
};

}  // namespace

bool is_real_op(const ir::Op& op) {
  if (op.dialect == ir::Dialect::NeuralNetwork) return true;
  return !(op.is_const() || op.is_constexpr() || op.type == "quantize" || op.type == "dequantize" || op.type == "cast");
}

void analyze_function_quantization(const ir::Function& f, QuantReport& report, const QuantOptions& opt) {
  FunctionLineage(f, report, opt).run();
}

void finish_verdict(QuantReport& r) {
  std::set<std::string> weights, acts;
  bool all_w8 = true, any_w = false, all_a8 = true, any_a = false;
  for (const auto& t : r.tensors) {
    std::string g = t.granularity.empty() ? "" : " " + t.granularity;
    if (t.kind == "activation") {
      any_a = true;
      all_a8 &= t.bits == 8;
      acts.insert(t.stored_dtype + g);
    } else if (t.scheme != "cast") {
      any_w = true;
      all_w8 &= t.bits == 8 && (t.scheme == "affine" || t.scheme == "blockwise");
      weights.insert(t.scheme + " " + t.stored_dtype + g);
    }
  }
  auto join = [](const std::set<std::string>& s) {
    std::string out;
    for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
    return out;
  };
  std::string wd = any_w ? "weights " + join(weights) : "", ad = any_a ? "activations " + join(acts) : "";
  if (!any_w && !any_a) r.verdict = {"none", ""};
  else if (!any_a) r.verdict = {"weight-only", wd};
  else if (any_w && all_w8 && all_a8) r.verdict = {"W8A8", wd + "; " + ad};
  else r.verdict = {"mixed", any_w ? wd + "; " + ad : ad};
}

QuantReport analyze_quantization(const ir::Model& m, const QuantOptions& opt) {
  QuantReport r;
  std::vector<const ir::Model*> stack{&m};
  while (!stack.empty()) {
    const ir::Model* cur = stack.back();
    stack.pop_back();
    for (const auto& f : cur->functions) analyze_function_quantization(f, r, opt);
    for (const auto& s : cur->submodels) stack.push_back(&s);
  }
  finish_verdict(r);
  return r;
}

}  // namespace mlscope::analysis
