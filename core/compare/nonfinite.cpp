#include "core/compare/nonfinite.h"

#include "core/exec/band_runner.h"
#include "core/exec/interpreter.h"

#include <algorithm>
#include <cmath>

namespace mlscope::compare {

namespace {

void add_floats(std::span<const float> v, NonfiniteCount& c) {
  c.elements += v.size();
  for (float f : v) {
    if (std::isfinite(f)) continue;
    if (std::isnan(f)) ++c.nan;
    else if (f > 0) ++c.pos_inf;
    else ++c.neg_inf;
  }
}

void add_tensor(const exec::Tensor& t, NonfiniteCount& c) {
  if (t.empty()) return;
  if (t.is_float()) add_floats(t.floats(), c);
  else c.elements += t.size();
}

/// Thrown from the observer to stop a trace run at the origin (nothing else throws it).
struct OriginFound {};

}  // namespace

NonfiniteCount count_nonfinite(const exec::RunValue& v) {
  NonfiniteCount c;
  if (const auto* t = std::get_if<exec::Tensor>(&v)) {
    add_tensor(*t, c);
  } else if (const auto* l = std::get_if<exec::TensorList>(&v)) {
    for (const auto& item : l->items) add_tensor(item, c);
  } else if (const auto* d = std::get_if<exec::Dictionary>(&v)) {
    c.elements += d->value.size();
    for (double x : d->value) {
      if (std::isfinite(x)) continue;
      if (std::isnan(x)) ++c.nan;
      else if (x > 0) ++c.pos_inf;
      else ++c.neg_inf;
    }
  }
  return c;
}

NonfiniteCount count_nonfinite(const exec::DequantizedCodes& d) {
  NonfiniteCount c;
  c.elements = d.codes.size();
  if (std::all_of(d.table.begin(), d.table.end(), [](float f) { return std::isfinite(f); })) return c;
  std::vector<float> buf(std::min<uint64_t>(d.codes.size(), 1u << 16));
  for (uint64_t b = 0; b < d.codes.size(); b += buf.size()) {
    const uint64_t n = std::min<uint64_t>(buf.size(), d.codes.size() - b);
    exec::decode_range(d, b, n, buf.data());
    NonfiniteCount part;
    add_floats({buf.data(), size_t(n)}, part);
    c.nan += part.nan;
    c.pos_inf += part.pos_inf;
    c.neg_inf += part.neg_inf;
  }
  return c;
}

std::string NonfiniteOrigin::describe() const {
  if (from_input) return "input '" + output + "'";
  return type + " '" + op + "' (" + location + ")";
}

std::string op_location(const ir::Function& fn, const ir::Op& op) {
  std::string where = "function " + fn.name + ", ";
  if (fn.ops.empty() || &op < fn.ops.data() || &op >= fn.ops.data() + fn.ops.size()) return where + "op '" + op.name + "'";
  const auto id = static_cast<ir::OpId>(&op - fn.ops.data());
  if (op.parent != ir::kNone && op.parent != fn.body()) where += fn.block_path(op.parent) + " ";
  int64_t index = -1;
  if (op.parent != ir::kNone) {
    const auto& ops = fn.block(op.parent).ops;
    auto it = std::find(ops.begin(), ops.end(), id);
    if (it != ops.end()) index = it - ops.begin();
  }
  return where + "op #" + std::to_string(index);
}

NonfiniteTracker::NonfiniteTracker(const ir::Function& fn) : fn_(fn), nonfinite_(fn.values.size(), 0) {}

ir::ValueId NonfiniteTracker::value_id(const ir::Op& op, const std::string& value_name) const {
  for (ir::ValueId v : op.outputs)
    if (fn_.value(v).name == value_name) return v;
  return ir::kNone;
}

void NonfiniteTracker::observe_input(const std::string& name, const exec::RunValue& v) {
  const NonfiniteCount c = count_nonfinite(v);
  if (c.total() == 0) return;
  for (ir::ValueId id : fn_.inputs)
    if (fn_.value(id).name == name) nonfinite_[static_cast<size_t>(id)] = 1;
  if (!input_origin_) {
    input_origin_ = NonfiniteOrigin{};
    input_origin_->type = "input";
    input_origin_->output = name;
    input_origin_->count = c;
    input_origin_->from_input = true;
  }
}

bool NonfiniteTracker::inputs_finite(const ir::Op& op) const {
  for (const auto& in : op.inputs)
    for (const auto& b : in.bindings)
      if (!b.is_literal() && b.value != ir::kNone && nonfinite_[static_cast<size_t>(b.value)]) return false;
  return true;
}

bool NonfiniteTracker::observe(const ir::Op& op, const std::string& value_name, const NonfiniteCount& count) {
  if (count.total() == 0) return false;
  const ir::ValueId id = value_id(op, value_name);
  if (id != ir::kNone) nonfinite_[static_cast<size_t>(id)] = 1;
  NonfiniteOrigin here;
  here.op = op.name;
  here.type = op.qualified_type();
  here.output = value_name;
  here.location = op_location(fn_, op);
  here.count = count;
  if (!first_) first_ = here;
  if (origin_ || !inputs_finite(op)) {
    // Downstream of a known origin, or fed by non-finite values: an input may be the origin.
    if (!origin_ && input_origin_) origin_ = input_origin_;
    return false;
  }
  origin_ = here;
  return true;
}

std::vector<NonfiniteOutput> nonfinite_outputs(const exec::RunResult& result) {
  std::vector<NonfiniteOutput> out;
  for (const auto& [name, v] : result.outputs) {
    NonfiniteCount c = count_nonfinite(v);
    if (c.total() > 0) out.push_back({name, c});
  }
  return out;
}

std::optional<NonfiniteOrigin> trace_nonfinite(exec::Backend& backend, const ir::Model& model, const exec::RunInputs& inputs,
                                               exec::RunOptions options) {
  const ir::Function* fn = options.function.empty() ? model.main_function() : model.function(options.function);
  if (!fn) return std::nullopt;
  NonfiniteTracker tracker(*fn);
  for (const auto& [name, v] : inputs) tracker.observe_input(name, v);
  options.keep_intermediates = false;
  options.time_ops = false;
  options.progress = nullptr;
  options.on_value = [&](const ir::Op& op, const std::string& name, const exec::RunValue& v) {
    if (tracker.observe(op, name, count_nonfinite(v))) throw OriginFound{};
    if (tracker.origin()) throw OriginFound{};  // an input was the origin
  };
  options.on_codes = [&](const ir::Op& op, const std::string& name, const exec::DequantizedCodes& d) {
    if (tracker.observe(op, name, count_nonfinite(d))) throw OriginFound{};
  };
  try {
    backend.run(model, inputs, options);
  } catch (const OriginFound&) {
  }
  return tracker.origin();
}

namespace {

std::string count_text(const NonfiniteCount& c) {
  std::string parts;
  auto part = [&](uint64_t n, const char* what) {
    if (n) parts += (parts.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  part(c.nan, "NaN");
  part(c.pos_inf, "+inf");
  part(c.neg_inf, "-inf");
  return parts;
}

}  // namespace

std::vector<std::string> nonfinite_output_warnings(const std::vector<NonfiniteOutput>& outputs,
                                                   const std::optional<NonfiniteOrigin>& origin) {
  std::vector<std::string> w;
  for (const auto& o : outputs) {
    std::string s = "output '" + o.name + "' has " + std::to_string(o.count.total()) + " of " + std::to_string(o.count.elements) +
                    " values non-finite (" + count_text(o.count) + "); ";
    s += origin ? "first non-finite value from " + origin->describe() : "origin not traced (no per-op values from this backend)";
    w.push_back(std::move(s));
  }
  return w;
}

NonfiniteCheck check_nonfinite_outputs(const exec::RunResult& result, exec::Backend* rerun, const ir::Model& model,
                                       const exec::RunInputs& inputs, const exec::RunOptions& options) {
  NonfiniteCheck c;
  c.outputs = nonfinite_outputs(result);
  if (c.outputs.empty()) return c;  // the common case: no second run
  if (auto* band = dynamic_cast<exec::BandBackend*>(rerun)) {
    // A band's values are its default member's: trace that member alone.
    exec::Interpreter member(band->members().front());
    c.origin = trace_nonfinite(member, model, inputs, options);
  } else if (rerun && rerun->kind() == exec::BackendKind::Emulated) {
    c.origin = trace_nonfinite(*rerun, model, inputs, options);
  }
  c.warnings = nonfinite_output_warnings(c.outputs, c.origin);
  return c;
}

}  // namespace mlscope::compare
