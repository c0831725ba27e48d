// The what-if backend: which values to fake-quantize (the plan), calibration, and the backend
// that rewrites values inside our interpreter. Arithmetic: what_if_quant.cpp; spec: what_if_spec.cpp.
#include "core/compare/what_if.h"

#include <cmath>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "core/compare/sweep_inputs.h"
#include "core/exec/interpreter.h"
#include "core/util/error.h"
#include "core/util/half.h"

namespace mlscope::compare {

namespace {

/// How a constant tensor is used as a weight; decides the channel axes at run time (rank known).
enum class WeightRole : uint8_t { ConvWeight, ConvTransposeWeight, LinearWeight, MatmulX, MatmulY };

struct WeightTarget {
  WeightRole role = WeightRole::ConvWeight;
  bool transposed = false;  ///< matmul transpose_x / transpose_y of this operand
};

struct OpTargets {
  std::vector<std::optional<WeightTarget>> weight;  ///< per output
  std::vector<std::string> activation;              ///< per output: value name, "" = not quantized
};

struct FunctionPlan {
  std::unordered_map<const ir::Op*, OpTargets> ops;
  std::vector<std::string> activation_inputs;  ///< function inputs fed straight to conv/linear/matmul
  size_t weights = 0, activations = 0;
};

bool is_constant_producer(const ir::Function& fn, ir::ValueId v) {
  const ir::ValueId p = fn.value(v).producer;
  if (p == ir::kNone) return false;
  const ir::Op& op = fn.op(p);
  return op.is_const() || op.is_constexpr();
}

bool const_bool(const ir::Function& fn, const ir::Op& op, const char* name) {
  const ir::NamedInput* in = op.input(name);
  if (!in || in->bindings.empty()) return false;
  const ir::Binding& b = in->bindings[0];
  const ir::Constant* c = nullptr;
  if (b.is_literal()) {
    c = b.literal.get();
  } else if (fn.value(b.value).producer != ir::kNone) {
    c = fn.op(fn.value(b.value).producer).attribute_value("val");
  }
  if (!c) return false;
  return c->scalar_bool().value_or(false);
}

/// The role `fn.value(v)` plays for its user `u` when it is a weight, or nullopt.
std::optional<WeightTarget> weight_role(const ir::Function& fn, const ir::Op& user, const std::string& input) {
  if (user.dialect != ir::Dialect::MIL) return std::nullopt;
  if (input == "weight") {
    if (user.type == "conv") return WeightTarget{WeightRole::ConvWeight, false};
    if (user.type == "conv_transpose") return WeightTarget{WeightRole::ConvTransposeWeight, false};
    if (user.type == "linear") return WeightTarget{WeightRole::LinearWeight, false};
  }
  if (user.type == "matmul" && input == "x") return WeightTarget{WeightRole::MatmulX, const_bool(fn, user, "transpose_x")};
  if (user.type == "matmul" && input == "y") return WeightTarget{WeightRole::MatmulY, const_bool(fn, user, "transpose_y")};
  return std::nullopt;
}

bool is_activation_use(const ir::Op& user, const std::string& input) {
  if (user.dialect != ir::Dialect::MIL) return false;
  if (user.type == "conv" || user.type == "conv_transpose" || user.type == "linear") return input == "x";
  if (user.type == "matmul") return input == "x" || input == "y";
  return false;
}

FunctionPlan make_plan(const ir::Function& fn, const WhatIfSpec& spec) {
  FunctionPlan plan;
  const bool weights = spec.weights.kind != WeightQuant::Kind::None;
  for (size_t vi = 0; vi < fn.values.size(); ++vi) {
    const ir::Value& val = fn.values[vi];
    const bool constant = is_constant_producer(fn, static_cast<ir::ValueId>(vi));
    std::optional<WeightTarget> wt;
    bool act = false;
    for (const ir::Use& u : val.uses) {
      const ir::Op& user = fn.op(u.op);
      const std::string& input = user.inputs[static_cast<size_t>(u.input)].name;
      if (constant && weights && !wt) wt = weight_role(fn, user, input);
      if (!constant && spec.activations && is_activation_use(user, input)) act = true;
    }
    if (!wt && !act) continue;
    if (val.producer == ir::kNone) {
      if (act && val.block == fn.body()) {
        plan.activation_inputs.push_back(val.name);
        ++plan.activations;
      }
      continue;
    }
    const ir::Op& producer = fn.op(val.producer);
    OpTargets& t = plan.ops[&producer];
    t.weight.resize(producer.outputs.size());
    t.activation.resize(producer.outputs.size());
    const auto k = static_cast<size_t>(val.producer_output);
    if (wt) {
      t.weight[k] = wt;
      ++plan.weights;
    }
    if (act) {
      t.activation[k] = val.name;
      ++plan.activations;
    }
  }
  return plan;
}

/// (channel axis, input-channel axis) of a weight of rank `rank`.
std::pair<int64_t, int64_t> weight_axes(const WeightTarget& t, int64_t rank) {
  switch (t.role) {
    case WeightRole::ConvWeight:
    case WeightRole::LinearWeight: return {0, 1};
    case WeightRole::ConvTransposeWeight: return {1, 0};
    case WeightRole::MatmulY:  // y is [..., K, N] (N outputs), or [..., N, K] when transposed
      return t.transposed ? std::pair<int64_t, int64_t>{rank - 2, rank - 1} : std::pair<int64_t, int64_t>{rank - 1, rank - 2};
    case WeightRole::MatmulX:  // x is [..., M, K] (M output rows), or [..., K, M] when transposed
      return t.transposed ? std::pair<int64_t, int64_t>{rank - 1, rank - 2} : std::pair<int64_t, int64_t>{rank - 2, rank - 1};
  }
  return {0, 1};
}

/// Keeps an fp16-labelled tensor fp16-exact after fake quantization (fp16 base profiles).
void reround(exec::Tensor& t) {
  if (t.dtype() != ir::DType::Float16) return;
  for (float& x : t.mutable_floats()) x = round_to_half(x);
}

exec::NumericProfile bypassed(exec::NumericProfile p) {
  p.defaults.honor_activation_quant = false;
  for (auto& [k, n] : p.by_op_type) n.honor_activation_quant = false;
  for (auto& [k, n] : p.by_op_name) n.honor_activation_quant = false;
  return p;
}

std::string weights_label(const WeightQuant& w) {
  if (w.kind == WeightQuant::Kind::Lut)
    return std::to_string(w.bits) + "-bit palettization (" + std::to_string(1 << w.bits) + "-entry k-means LUT per tensor)";
  std::string g = w.granularity == WeightQuant::Granularity::PerTensor    ? "per tensor"
                  : w.granularity == WeightQuant::Granularity::PerChannel ? "per output channel"
                                                                          : "per output channel × " + std::to_string(w.block_size) + " input channels";
  return "int" + std::to_string(w.bits) + " symmetric weights " + g;
}

const ir::Function& pick_function(const ir::Model& model, const std::string& name) {
  const ir::Function* fn = name.empty() ? model.main_function() : model.function(name);
  if (!fn) throw Error(Location::in_file(model.path), name.empty() ? "what-if: model has no program to run (" + model.kind + ")"
                                                                   : "what-if: no function '" + name + "'");
  return *fn;
}

/// Shared by every run (and thread) of one what-if backend.
class WhatIfState {
 public:
  WhatIfState(const ir::Model& model, WhatIfSpec spec, const WhatIfOptions& options)
      : model_(model), spec_(std::move(spec)), calibration_(options.calibration) {
    profile_ = spec_.bypass_quantization ? bypassed(options.base) : options.base;
    for (const auto& f : model.functions) plans_.emplace(&f, make_plan(f, spec_));
    std::ostringstream s;
    s << "what-if " << (spec_.text().empty() ? "(none)" : spec_.text()) << " (";
    std::string sep;
    if (spec_.weights.kind != WeightQuant::Kind::None) {
      s << weights_label(spec_.weights) << ", fake-quantized";
      sep = "; ";
    }
    if (spec_.activations) {
      s << sep << "int8 per-tensor activations, symmetric, max-abs calibration on "
        << (calibration_ ? calibration_->inputs : 0) << " seeded random inputs (seed " << spec_.calibration_seed << ")";
      sep = "; ";
    }
    if (spec_.bypass_quantization) s << sep << "quantize/dequantize pairs bypassed";
    s << "), base " << profile_.label();
    label_ = s.str();
  }

  const ir::Model& model() const { return model_; }
  const exec::NumericProfile& profile() const { return profile_; }
  const std::string& label() const { return label_; }

  const FunctionPlan* plan(const ir::Function& fn) const {
    auto it = plans_.find(&fn);
    return it == plans_.end() ? nullptr : &it->second;
  }

  float scale_for(const std::string& value, const exec::Tensor& t) const {
    if (calibration_) {
      auto it = calibration_->max_abs.find(value);
      if (it != calibration_->max_abs.end()) return it->second;
    }
    float m = 0;  // never seen in calibration (e.g. a branch not taken): quantize dynamically
    for (float x : t.floats()) m = std::max(m, std::fabs(x));
    return m;
  }

  void quantize_activation(const std::string& value, exec::RunValue& v) const {
    auto* t = std::get_if<exec::Tensor>(&v);
    if (!t || !t->is_float() || t->size() == 0) return;
    const float m = scale_for(value, *t);
    fake_quantize_activation(t->mutable_floats(), m);
    reround(*t);
  }

  void quantize_weight(const ir::Op& op, size_t index, const WeightTarget& target, exec::RunValue& v) {
    auto* t = std::get_if<exec::Tensor>(&v);
    if (!t || !t->is_float() || t->size() == 0) return;
    const auto key = std::make_pair(&op, index);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = weights_.find(key);
      if (it != weights_.end()) {
        *t = it->second;  // shares the cached storage
        return;
      }
    }
    std::vector<float> w(t->floats().begin(), t->floats().end());
    if (spec_.weights.kind == WeightQuant::Kind::Lut) {
      fake_palettize(w, spec_.weights.bits);
    } else {
      const auto [ch, in] = weight_axes(target, static_cast<int64_t>(t->rank()));
      fake_quantize_linear(w, t->shape(), spec_.weights.bits, spec_.weights.granularity, ch, in, spec_.weights.block_size);
    }
    exec::Tensor q = exec::Tensor::from_floats(t->dtype(), t->shape(), std::move(w));
    reround(q);
    std::lock_guard<std::mutex> lock(mutex_);
    *t = weights_.emplace(key, std::move(q)).first->second;
  }

  void rewrite(const FunctionPlan& plan, const ir::Op& op, size_t index, exec::RunValue& v) {
    auto it = plan.ops.find(&op);
    if (it == plan.ops.end()) return;
    const OpTargets& t = it->second;
    if (index < t.weight.size() && t.weight[index]) quantize_weight(op, index, *t.weight[index], v);
    if (index < t.activation.size() && !t.activation[index].empty()) quantize_activation(t.activation[index], v);
  }

 private:
  const ir::Model& model_;
  WhatIfSpec spec_;
  std::shared_ptr<const Calibration> calibration_;
  exec::NumericProfile profile_;
  std::map<const ir::Function*, FunctionPlan> plans_;
  std::string label_;
  std::mutex mutex_;
  std::map<std::pair<const ir::Op*, size_t>, exec::Tensor> weights_;
};

class WhatIfBackend final : public exec::Backend {
 public:
  explicit WhatIfBackend(std::shared_ptr<WhatIfState> state) : state_(std::move(state)) {}
  std::string name() const override { return "what-if"; }
  exec::BackendKind kind() const override { return exec::BackendKind::Emulated; }

  exec::RunResult run(const ir::Model& model, const exec::RunInputs& inputs, const exec::RunOptions& options) override {
    if (&model != &state_->model())
      throw Error(Location::in_file(model.path), "what-if backend was made for another model (" + state_->model().path + ")");
    const ir::Function& fn = pick_function(model, options.function);
    const FunctionPlan* plan = state_->plan(fn);
    exec::RunInputs in = inputs;
    if (plan)
      for (const auto& name : plan->activation_inputs) {
        auto it = in.find(name);
        if (it != in.end()) state_->quantize_activation(name, it->second);
      }
    exec::RunOptions ro = options;
    if (plan) {
      WhatIfState* st = state_.get();
      auto outer = options.rewrite_output;
      ro.rewrite_output = [st, plan, outer](const ir::Op& op, size_t i, exec::RunValue& v) {
        st->rewrite(*plan, op, i, v);
        if (outer) outer(op, i, v);
      };
    }
    exec::Interpreter interp(state_->profile());
    exec::RunResult r = interp.run(model, in, ro);
    r.provenance = "emulated: mlscope interpreter, " + state_->label();
    return r;
  }

 private:
  std::shared_ptr<WhatIfState> state_;
};

}  // namespace

Calibration calibrate_activations(const ir::Model& model, const WhatIfSpec& spec, const WhatIfOptions& options,
                                  const CalibrationControl& control) {
  const ir::Function& fn = pick_function(model, options.function);
  const FunctionPlan plan = make_plan(fn, spec);
  Calibration cal;
  cal.function = options.function;
  cal.seed = spec.calibration_seed;
  if (!spec.activations) return cal;
  exec::Interpreter interp(spec.bypass_quantization ? bypassed(options.base) : options.base);
  const SweepInputs inputs = seeded_random_inputs(model, spec.calibration_seed, static_cast<size_t>(spec.calibration));
  auto note = [&cal](const std::string& name, const exec::RunValue& v) {
    const auto* t = std::get_if<exec::Tensor>(&v);
    if (!t || !t->is_float()) return;
    float& m = cal.max_abs[name];
    for (float x : t->floats())
      if (std::fabs(x) > m) m = std::fabs(x);
  };
  exec::RunOptions ro;
  ro.function = options.function;
  ro.cancel = control.cancel;
  ro.on_value = [&](const ir::Op& op, const std::string& name, const exec::RunValue& v) {
    auto it = plan.ops.find(&op);
    if (it == plan.ops.end()) return;
    for (const auto& a : it->second.activation)
      if (a == name) note(name, v);
  };
  for (size_t i = 0; i < inputs.count; ++i) {
    if (control.cancel.requested()) throw Error(Location::in_file(model.path), "calibration cancelled");
    const exec::RunInputs in = inputs.make(i);
    for (const auto& name : plan.activation_inputs) {
      auto it = in.find(name);
      if (it != in.end()) note(name, it->second);
    }
    interp.run(model, in, ro);
    cal.inputs = i + 1;
    if (control.progress) control.progress({static_cast<double>(i + 1), static_cast<double>(inputs.count), "calibration"});
  }
  return cal;
}

std::function<std::unique_ptr<exec::Backend>()> what_if_backend_factory(const ir::Model& model, const WhatIfSpec& spec,
                                                                       const WhatIfOptions& options) {
  WhatIfOptions o = options;
  if (spec.activations && !o.calibration) o.calibration = std::make_shared<const Calibration>(calibrate_activations(model, spec, o));
  auto state = std::make_shared<WhatIfState>(model, spec, o);
  return [state] { return std::unique_ptr<exec::Backend>(new WhatIfBackend(state)); };
}

std::unique_ptr<exec::Backend> make_what_if_backend(const ir::Model& model, const WhatIfSpec& spec, const WhatIfOptions& options) {
  return what_if_backend_factory(model, spec, options)();
}

WhatIfTargets what_if_targets(const ir::Model& model, const WhatIfSpec& spec, const std::string& function) {
  const FunctionPlan plan = make_plan(pick_function(model, function), spec);
  return {plan.weights, plan.activations};
}

}  // namespace mlscope::compare
