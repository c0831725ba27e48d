// observe_run: reduces one run to ValueObservation / QuantizeObservation as values are produced.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/compare/hazards.h"
#include "core/compare/quantize_clips.h"
#include "core/exec/kernels/kernel.h"
#include "core/util/error.h"

namespace mlscope::compare {

namespace {

bool is_constant_op(const ir::Op& op) { return op.is_const() || op.is_constexpr(); }

// Ops whose outputs a saturating profile clamps (saturate_outputs in exec/kernels/*.cpp).
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

struct QuantizeSpec {
  size_t index = 0;  // into ObservedRun::quantizes
  QuantizeParams params;
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
        QuantizeParams& qp = s.params;
        if (odt && odt->dtype() == ir::DType::String && !odt->strings().empty() && odt->strings()[0] == "uint8") qp.lo = 0, qp.hi = 255;
        if (!scale || scale->size() == 0) {
          q.note = "scale is not a constant: clipping not computed";
        } else {
          for (uint64_t i = 0; i < scale->size(); ++i) qp.scale.push_back(float(scale->at(i)));
          for (uint64_t i = 0; i < scale->size(); ++i) qp.zero_point.push_back(zp && zp->size() > 0 ? int64_t(zp->at(zp->size() == 1 ? 0 : i)) : 0);
          if (axis && axis->size() == 1) qp.axis = int64_t(axis->at(0));
        }
      } catch (const Error& e) {
        q.note = std::string("parameters not decoded: ") + e.message();
        s.params.scale.clear();
      }
      q.code_min = int(s.params.lo);
      q.code_max = int(s.params.hi);
      out_.quantizes.push_back(q);
      quantize_of_op_[id] = s.index;
      if (!s.params.scale.empty()) watched_[in->bindings[0].value].push_back(std::move(s));
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
    if (t && t->is_float() && !o.constant) {
      // One pass counts the range and whether anything is non-finite; NaN vs inf only then.
      const Fp16RangeCounts range = count_fp16_range(t->floats(), o.limit, o.clamp, rounding(op));
      o.range.merge(range);
      NonfiniteCount nf;
      nf.elements = range.elements;
      add_nonfinite(o, op, name, range.nonfinite ? count_nonfinite(v) : nf);
    } else {
      add_nonfinite(o, op, name, count_nonfinite(v));
      if (o.constant) return;  // weights: only whether they are finite
    }
    const ir::ValueId id = value_id(op, name);
    if (id != ir::kNone) quantize_inputs(id, v);
    if (auto q = quantize_of_op_.find(op_id(op)); q != quantize_of_op_.end() && t && !t->is_float()) codes_used(out_.quantizes[q->second], *t);
  }

  // A deferred dequantize: each element is table[channel][code], so a histogram of the codes
  // per channel gives the counts without decoding the values.
  void codes(const ir::Op& op, const std::string& name, const exec::DequantizedCodes& d) {
    ValueObservation& o = observation(op, name);
    add_nonfinite(o, op, name, count_nonfinite(d));
    const exec::Tensor& codes = d.codes;
    const auto channels = uint64_t(std::max<int64_t>(d.channels, 1));
    if (!codes.has_byte_storage() || d.table.size() != channels * 256 || (channels > 1 && codes.rank() < 2)) {
      std::vector<float> buf(std::min<uint64_t>(codes.size(), 1u << 16));
      for (uint64_t b = 0; b < codes.size(); b += buf.size()) {
        const uint64_t n = std::min<uint64_t>(buf.size(), codes.size() - b);
        exec::decode_range(d, b, n, buf.data());
        o.range.merge(count_fp16_range({buf.data(), size_t(n)}, o.limit, o.clamp, rounding(op)));
      }
      return;
    }
    uint64_t inner = 1;  // elements per channel stretch: the dims after axis 1
    for (size_t k = 2; k < codes.rank(); ++k) inner *= uint64_t(codes.shape()[k]);
    std::vector<uint64_t> hist(channels * 256, 0);
    auto bytes = codes.bytes();
    const uint64_t run = channels > 1 ? inner : std::max<uint64_t>(bytes.size(), 1);
    for (uint64_t i0 = 0, i1; i0 < bytes.size(); i0 = i1) {
      i1 = std::min<uint64_t>(bytes.size(), i0 + run);
      uint64_t* h = hist.data() + (channels > 1 ? ((i0 / inner) % channels) * 256 : 0);
      for (uint64_t i = i0; i < i1; ++i) ++h[bytes[i]];
    }
    for (uint64_t k = 0; k < hist.size(); ++k)
      if (hist[k]) o.range.merge(count_fp16_range({&d.table[k], 1}, o.limit, o.clamp, rounding(op)).times(hist[k]));
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

  static void clip(const QuantizeSpec& s, const exec::Tensor& x, QuantizeObservation& q) {
    std::string why;
    const std::optional<ClipCounts> c = count_quantize_clips(s.params, x, &why);
    if (!c) {
      q.note = why + ": clipping not computed";
      return;
    }
    q.elements += c->elements;
    q.clipped_low += c->low;
    q.clipped_high += c->high;
    q.max_abs_scaled = std::max(q.max_abs_scaled, c->max_abs_scaled);
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
  std::vector<AccumulationObservation> out;
  for (const auto& a : result.accumulation) out.push_back({a.op_name, a.op_type, a.max_abs_partial, a.overflowed_partials, a.sums});
  return out;
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
  run.peak_live_bytes = r.peak_live_bytes;
  run.accumulation = accumulation_observations(r);
  run.first_nonfinite = obs.tracker().first();
  run.nonfinite_origin = obs.tracker().origin();
  return run;
}

}  // namespace mlscope::compare
