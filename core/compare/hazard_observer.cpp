// observe_run: reduces one run to ValueObservation / QuantizeObservation as values are produced.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/compare/hazards.h"
#include "core/exec/kernel.h"
#include "core/util/error.h"

namespace mlscope::compare {

namespace {

bool is_constant_op(const ir::Op& op) { return op.is_const() || op.is_constexpr(); }

// Ops whose outputs a saturating profile clamps (saturate_outputs in exec/kernels_*.cpp).
bool saturating_op(const ir::Op& op) {
  if (op.dialect != ir::Dialect::MIL) return false;
  return op.type == "conv" || op.type == "conv_transpose" || op.type == "linear" || op.type == "matmul" || op.type == "einsum";
}

// A quantize parameter known before the run: a literal, a const op's value, or an attribute.
std::optional<exec::Tensor> constant_param(const ir::Function& fn, const ir::Op& op, const char* name) {
  if (const ir::NamedInput* in = op.input(name); in && in->bindings.size() == 1) {
    const ir::Binding& b = in->bindings[0];
    if (b.is_literal()) return b.literal ? std::optional(exec::tensor_from_constant(*b.literal, op.name)) : std::nullopt;
    const ir::OpId p = fn.value(b.value).producer;
    if (p == ir::kNone || !fn.op(p).is_const()) return std::nullopt;
    const ir::Constant* c = fn.op(p).attribute_value("val");
    return c ? std::optional(exec::tensor_from_constant(*c, op.name)) : std::nullopt;
  }
  if (const ir::Constant* c = op.attribute_value(name)) return exec::tensor_from_constant(*c, op.name);
  return std::nullopt;
}

// How a quantize maps its input to codes (as k_quantize in exec/kernels_quant.cpp).
struct QuantizeSpec {
  size_t index = 0;  // into ObservedRun::quantizes
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  std::optional<int64_t> axis;
  int64_t lo = -128, hi = 127;
};

class Observer {
 public:
  Observer(const ir::Function& fn, const exec::NumericProfile& analyzed, ObservedRun& out)
      : fn_(fn), analyzed_(analyzed), out_(out), tracker_(fn) {
    int64_t order = 0;
    fn.walk([&](ir::OpId id) {
      const ir::Op& op = fn.op(id);
      ++order;
      if (op.dialect != ir::Dialect::MIL || op.type != "quantize" || op.outputs.empty()) return true;
      const ir::NamedInput* in = op.input("input");
      if (!in || in->bindings.size() != 1 || in->bindings[0].is_literal()) return true;
      QuantizeObservation q;
      q.op = op.name;
      q.value = fn.value(op.outputs[0]).name;
      q.location = op_location(fn, op);
      q.order = order;
      QuantizeSpec s;
      s.index = out_.quantizes.size();
      try {
        const auto scale = constant_param(fn, op, "scale");
        const auto zp = constant_param(fn, op, "zero_point");
        const auto axis = constant_param(fn, op, "axis");
        const auto odt = constant_param(fn, op, "output_dtype");
        if (odt && odt->dtype() == ir::DType::String && !odt->strings().empty() && odt->strings()[0] == "uint8") s.lo = 0, s.hi = 255;
        if (!scale || scale->size() == 0) {
          q.note = "scale is not a constant: clipping not computed";
        } else {
          for (uint64_t i = 0; i < scale->size(); ++i) s.scale.push_back(float(scale->at(i)));
          for (uint64_t i = 0; i < scale->size(); ++i) s.zero_point.push_back(zp && zp->size() > 0 ? int64_t(zp->at(zp->size() == 1 ? 0 : i)) : 0);
          if (axis && axis->size() == 1) s.axis = int64_t(axis->at(0));
        }
      } catch (const Error& e) {
        q.note = std::string("parameters not decoded: ") + e.message();
        s.scale.clear();
      }
      q.code_min = int(s.lo);
      q.code_max = int(s.hi);
      out_.quantizes.push_back(q);
      quantize_of_op_[id] = s.index;
      if (!s.scale.empty()) watched_[in->bindings[0].value].push_back(std::move(s));
      return true;
    });
  }

  void input(const std::string& name, const exec::RunValue& v) {
    tracker_.observe_input(name, v);
    for (ir::ValueId id : fn_.inputs)
      if (fn_.value(id).name == name) quantize_inputs(id, v);
  }

  void value(const ir::Op& op, const std::string& name, const exec::RunValue& v) {
    ValueObservation& o = observation(op, name);
    const exec::Tensor* t = std::get_if<exec::Tensor>(&v);
    const NonfiniteCount nf = count_nonfinite(v);
    add_nonfinite(o, op, name, nf);
    if (o.constant) return;  // weights: only whether they are finite
    if (t && t->is_float()) o.range.merge(count_fp16_range(t->floats(), o.limit, o.clamp, rounding(op)));
    const ir::ValueId id = value_id(op, name);
    if (id != ir::kNone) quantize_inputs(id, v);
    if (auto q = quantize_of_op_.find(op_id(op)); q != quantize_of_op_.end() && t && !t->is_float()) codes_used(out_.quantizes[q->second], *t);
  }

  void codes(const ir::Op& op, const std::string& name, const exec::DequantizedCodes& d) {
    ValueObservation& o = observation(op, name);
    add_nonfinite(o, op, name, count_nonfinite(d));
    std::vector<float> buf(std::min<uint64_t>(d.codes.size(), 1u << 16));
    for (uint64_t b = 0; b < d.codes.size(); b += buf.size()) {
      const uint64_t n = std::min<uint64_t>(buf.size(), d.codes.size() - b);
      exec::decode_range(d, b, n, buf.data());
      o.range.merge(count_fp16_range({buf.data(), size_t(n)}, o.limit, o.clamp, rounding(op)));
    }
  }

  const NonfiniteTracker& tracker() const { return tracker_; }

 private:
  exec::RoundingMode rounding(const ir::Op& op) const { return analyzed_.for_op(op).rounding; }
  ir::OpId op_id(const ir::Op& op) const { return static_cast<ir::OpId>(&op - fn_.ops.data()); }
  ir::ValueId value_id(const ir::Op& op, const std::string& name) const {
    for (ir::ValueId v : op.outputs)
      if (fn_.value(v).name == name) return v;
    return ir::kNone;
  }

  ValueObservation& observation(const ir::Op& op, const std::string& name) {
    auto [it, fresh] = index_.try_emplace(name, out_.values.size());
    if (!fresh) return out_.values[it->second];
    ValueObservation o;
    o.op = op.name;
    o.type = op.qualified_type();
    o.value = name;
    o.location = op_location(fn_, op);
    o.order = int64_t(out_.values.size());
    o.constant = is_constant_op(op);
    const exec::OpNumerics& num = analyzed_.for_op(op);
    const ir::ValueId id = value_id(op, name);
    const ir::Type decl = id != ir::kNone ? fn_.value(id).type : ir::Type{};
    const bool decl_fp16 = decl.is_tensor() && decl.dtype == ir::DType::Float16;
    o.stored_fp16 = num.storage == exec::StorageMode::Fp16 || (num.storage == exec::StorageMode::Declared && decl_fp16);
    if (num.saturate > 0 && saturating_op(op)) {
      o.clamp = num.saturate;
      o.limit = std::min(kFp16Max, num.saturate);
    }
    out_.values.push_back(std::move(o));
    return out_.values.back();
  }

  void add_nonfinite(ValueObservation& o, const ir::Op& op, const std::string& name, const NonfiniteCount& nf) {
    o.inputs_finite = o.inputs_finite && tracker_.inputs_finite(op);
    o.nonfinite.nan += nf.nan;
    o.nonfinite.pos_inf += nf.pos_inf;
    o.nonfinite.neg_inf += nf.neg_inf;
    o.nonfinite.elements += nf.elements;
    tracker_.observe(op, name, nf);
  }

  void quantize_inputs(ir::ValueId id, const exec::RunValue& v) {
    auto w = watched_.find(id);
    const exec::Tensor* t = std::get_if<exec::Tensor>(&v);
    if (w == watched_.end() || !t || !t->is_float()) return;
    for (const QuantizeSpec& s : w->second) clip(s, *t, out_.quantizes[s.index]);
  }

  // Codes outside [lo, hi] before the clamp, exactly as k_quantize rounds (x / s, half to even).
  static void clip(const QuantizeSpec& s, const exec::Tensor& x, QuantizeObservation& q) {
    int64_t inner = 1, n = 1;
    if (s.scale.size() > 1) {
      if (!s.axis) {
        q.note = "vector scale without an axis: clipping not computed";
        return;
      }
      const auto rank = int64_t(x.rank());
      const int64_t a = *s.axis < 0 ? *s.axis + rank : *s.axis;
      if (a < 0 || a >= rank || x.shape()[size_t(a)] != int64_t(s.scale.size())) {
        q.note = "scale length does not match the input's axis: clipping not computed";
        return;
      }
      n = x.shape()[size_t(a)];
      for (int64_t d = a + 1; d < rank; ++d) inner *= x.shape()[size_t(d)];
    }
    auto xv = x.floats();
    q.elements += xv.size();
    double max_scaled = q.max_abs_scaled;
    for (uint64_t i = 0; i < xv.size(); ++i) {
      const size_t k = n > 1 ? size_t((int64_t(i) / inner) % n) : 0;
      const float v = xv[i] / s.scale[k];
      if (std::isnan(v)) continue;
      const float r = std::nearbyint(v);
      q.clipped_low += r < float(s.lo - s.zero_point[k]);
      q.clipped_high += r > float(s.hi - s.zero_point[k]);
      if (std::isfinite(v)) max_scaled = std::max(max_scaled, double(std::fabs(v)));
    }
    q.max_abs_scaled = max_scaled;
  }

  static void codes_used(QuantizeObservation& q, const exec::Tensor& codes) {
    bool seen[256] = {};
    if (codes.has_byte_storage()) {
      for (uint8_t b : codes.bytes()) seen[b] = true;
    } else {
      for (int64_t c : codes.ints()) seen[uint8_t(c)] = true;
    }
    q.codes_used = int(std::count(std::begin(seen), std::end(seen), true));
  }

  const ir::Function& fn_;
  const exec::NumericProfile& analyzed_;
  ObservedRun& out_;
  NonfiniteTracker tracker_;
  std::unordered_map<std::string, size_t> index_;
  std::unordered_map<ir::ValueId, std::vector<QuantizeSpec>> watched_;
  std::unordered_map<ir::OpId, size_t> quantize_of_op_;
};

}  // namespace

std::vector<AccumulationObservation> accumulation_observations(const exec::RunResult& result) {
  // Wired by the lead when branch `band` lands exec::RunResult::accumulation:
  //   for (const auto& a : result.accumulation)
  //     out.push_back({a.op_name, a.op_type, a.max_abs_partial, a.overflowed_partials, a.sums});
  (void)result;
  return {};
}

ObservedRun observe_run(exec::Backend& backend, const ir::Model& model, const exec::RunInputs& inputs,
                        const exec::NumericProfile& analyzed, const exec::RunOptions& options) {
  const ir::Function* fn = options.function.empty() ? model.main_function() : model.function(options.function);
  if (!fn) throw Error(Location::in_file(model.path), options.function.empty() ? "model has no program to run" : "no function '" + options.function + "'");
  ObservedRun run;
  run.function = fn->name;
  Observer obs(*fn, analyzed, run);
  for (const auto& [name, v] : inputs) obs.input(name, v);
  exec::RunOptions o = options;
  o.keep_intermediates = false;
  o.on_value = [&](const ir::Op& op, const std::string& name, const exec::RunValue& v) { obs.value(op, name, v); };
  o.on_codes = [&](const ir::Op& op, const std::string& name, const exec::DequantizedCodes& d) { obs.codes(op, name, d); };
  exec::RunResult r = backend.run(model, inputs, o);
  run.provenance = r.provenance;
  run.accumulation = accumulation_observations(r);
  run.first_nonfinite = obs.tracker().first();
  run.nonfinite_origin = obs.tracker().origin();
  return run;
}

}  // namespace mlscope::compare
