// The interpreter loop: binds inputs, runs each block's ops through the kernel registry, applies
// the profile's storage rounding to float outputs, frees buffers after their last use, hands a
// dying input to a kernel that can write over it, and leaves a dequantize read only by convs to
// them (plan_deferred_dequantize).
#include "core/exec/interpreter.h"

#include "core/exec/run_cancel.h"

#include <chrono>
#include <cmath>
#include <deque>
#include <map>

#include "core/exec/accumulator.h"
#include "core/exec/alloc_policy.h"
#include "core/exec/kernels/fp16_simd.h"
#include "core/exec/input_check.h"
#include "core/exec/kernels/kernel.h"
#include "core/exec/parallel.h"
#include "core/util/error.h"

namespace mlscope::exec {

namespace {

bool is_const_op(const ir::Op& op) { return op.dialect == ir::Dialect::MIL && op.type == "const"; }

std::string kernel_key(const ir::Op& op) { return op.qualified_type(); }

class RunState;

class Context final : public KernelContext {
 public:
  Context(RunState& rs, const ir::Op& op, const OpNumerics& num) : rs_(rs), op_(op), num_(num) {
    outputs.resize(op.outputs.size());
    set.assign(op.outputs.size(), false);
  }
  const ir::Op& op() const override { return op_; }
  const ir::Function& function() const override;
  const OpNumerics& numerics() const override { return num_; }
  const std::string& file() const override;
  bool has(const std::string& name) const override {
    const ir::NamedInput* in = op_.input(name);
    return in && !in->bindings.empty();
  }
  const RunValue& value(const std::string& name, size_t index) const override;
  size_t count(const std::string& name) const override {
    const ir::NamedInput* in = op_.input(name);
    return in ? in->bindings.size() : 0;
  }
  ir::Type declared(const std::string& name, size_t index) const override;
  void set_output(size_t index, RunValue v) override {
    if (index >= outputs.size()) fail("kernel set output " + std::to_string(index) + " but the op has " + std::to_string(outputs.size()));
    outputs[index] = std::move(v);
    set[index] = true;
  }
  size_t output_count() const override { return op_.outputs.size(); }
  ir::Type output_type(size_t index) const override;
  std::vector<RunValue> run_block(size_t block_index, const std::vector<RunValue>& inputs) override;
  Tensor& state(const std::string& input_name) override;
  std::optional<Tensor> take_dying_input(const std::string& name) override;
  void warn(const std::string& message) override;
  std::optional<DequantizedCodes> dequantized_codes(const std::string& name) override;
  AccumulationTally* accumulation_tally() const override { return &tally; }

  std::vector<RunValue> outputs;
  mutable AccumulationTally tally;  ///< this op's fp16 reduction partial sums
  std::vector<bool> set;
  std::map<std::string, RunValue> overrides;  ///< inputs read from here instead of their bindings

 private:
  RunState& rs_;
  const ir::Op& op_;
  const OpNumerics& num_;
  mutable std::deque<RunValue> literals_;
};

class RunState {
 public:
  RunState(const ir::Model& m, const ir::Function& f, const NumericProfile& p, const RunOptions& o)
      : model(m), fn(f), profile(&p), opts(o), slots(f.values.size()), live(f.values.size(), false) {}
  // Copied, a state is a fork of the run: the same values so far (tensors share storage, and a
  // kernel writes over an input only when its storage is shared with nothing, see
  // take_dying_input), continuing on its own.
  RunState(const RunState&) = default;

  const ir::Model& model;
  const ir::Function& fn;
  const NumericProfile* profile;  // may change between top-level ops (band members)
  const RunOptions& opts;
  RunResult result;
  std::vector<RunValue> slots;
  std::vector<bool> live;
  std::vector<int64_t> last_use;  // top-level op index after which a value can be freed (-1 never)
  std::vector<bool> deferred;     // outputs of dequantize ops left to their readers to decode
  int64_t running_top_index = -1;  // index of the top-level op being run, -1 inside nested blocks
  uint64_t live_bytes = 0;

  static uint64_t bytes_of(const RunValue& v) {
    if (const auto* t = std::get_if<Tensor>(&v)) return t->storage_bytes();
    if (const auto* l = std::get_if<TensorList>(&v)) {
      uint64_t n = 0;
      for (const auto& t : l->items) n += t.storage_bytes();
      return n;
    }
    return 0;
  }

  void store(ir::ValueId v, RunValue val) {
    auto i = static_cast<size_t>(v);
    if (live[i]) live_bytes -= bytes_of(slots[i]);
    slots[i] = std::move(val);
    live[i] = true;
    live_bytes += bytes_of(slots[i]);
    result.peak_live_bytes = std::max(result.peak_live_bytes, live_bytes);
  }

  void release(ir::ValueId v) {
    auto i = static_cast<size_t>(v);
    if (!live[i]) return;
    live_bytes -= bytes_of(slots[i]);
    slots[i] = RunValue{};
    live[i] = false;
  }

  const RunValue& load(ir::ValueId v, const ir::Op& user) {
    auto i = static_cast<size_t>(v);
    if (i < live.size() && !live[i] && deferred[i]) exec_op(fn.op(fn.value(v).producer), /*run_deferred=*/true);
    if (i >= live.size() || !live[i])
      throw Error(Location::at_op(model.path, user.name),
                  user.type + ": input value '" + fn.value(v).name + "' has not been computed (or was already freed)");
    return slots[i];
  }

  void compute_last_use() {
    last_use.assign(fn.values.size(), -1);
    const ir::Block& body = fn.body_block();
    std::map<ir::OpId, int64_t> top_index;
    for (size_t i = 0; i < body.ops.size(); ++i) top_index[body.ops[i]] = static_cast<int64_t>(i);
    auto top_of = [&](ir::OpId op) -> int64_t {
      while (true) {
        auto it = top_index.find(op);
        if (it != top_index.end()) return it->second;
        const ir::Op& o = fn.op(op);
        if (o.parent == ir::kNone) return -1;
        op = fn.block(o.parent).parent_op;
        if (op == ir::kNone) return -1;
      }
    };
    for (size_t v = 0; v < fn.values.size(); ++v) {
      int64_t last = -1;
      for (const auto& u : fn.values[v].uses) last = std::max(last, top_of(u.op));
      last_use[v] = last;
    }
    for (ir::ValueId v : body.outputs) last_use[static_cast<size_t>(v)] = -2;  // keep outputs
    for (ir::ValueId v : fn.inputs)
      if (fn.value(v).type.kind == ir::Type::Kind::State) last_use[static_cast<size_t>(v)] = -2;  // final states
  }

  // A dequantize whose every reader takes codes (register_dequantized_codes_reader, e.g. conv's
  // x) is not run on its own: its fp32 output, four times its int8 input, would be live beside
  // the reader's output at the run's peak. The readers decode the codes piecewise instead, and
  // a reader that asks for the values runs it then (load). Off whenever values are observed,
  // unless the observer takes such values as codes (on_codes).
  void plan_deferred_dequantize() {
    deferred.assign(fn.values.size(), false);
    if (opts.keep_intermediates || (opts.on_value && !opts.on_codes) || opts.rewrite_output) return;
    for (ir::OpId id : fn.body_block().ops) {
      const ir::Op& op = fn.op(id);
      if (op.dialect != ir::Dialect::MIL || op.type != "dequantize" || op.outputs.size() != 1) continue;
      const ir::NamedInput* in = op.input("input");
      if (!in || in->bindings.size() != 1 || in->bindings[0].is_literal()) continue;
      const auto out = static_cast<size_t>(op.outputs[0]);
      if (last_use[out] < 0 || fn.values[out].uses.empty()) continue;  // a function output, or unread
      bool codes_readers_only = true;
      for (const ir::Use& u : fn.values[out].uses) {
        const ir::Op& user = fn.op(u.op);
        codes_readers_only = codes_readers_only && user.parent == fn.body() &&
                             reads_dequantized_codes(kernel_key(user), user.inputs[static_cast<size_t>(u.input)].name);
      }
      if (!codes_readers_only) continue;
      deferred[out] = true;
      for (const ir::NamedInput& operand : op.inputs)  // codes, scale, zero point: live until the last reader
        for (const ir::Binding& bnd : operand.bindings) {
          const auto src = static_cast<size_t>(bnd.value);
          if (!bnd.is_literal() && last_use[src] >= 0) last_use[src] = std::max(last_use[src], last_use[out]);
        }
    }
  }

  // Codes and table of deferred value v, while it has not been run: the dequantize kernel and
  // the storage rounding applied to every code, so the table holds exactly what its output
  // would. nullopt when the codes are not bytes (activation quantization bypassed), a
  // per-channel scale is not along axis 1, or the parameters fail (running it reports why).
  std::optional<DequantizedCodes> dequantized_codes(ir::ValueId v) {
    const auto i = static_cast<size_t>(v);
    if (!deferred[i] || live[i]) return std::nullopt;
    const ir::Op& dq = fn.op(fn.value(v).producer);
    const auto src = static_cast<size_t>(dq.input("input")->bindings[0].value);
    const Tensor* codes = live[src] ? std::get_if<Tensor>(&slots[src]) : nullptr;
    if (!codes || !codes->has_byte_storage() || codes->rank() < 2) return std::nullopt;
    const OpNumerics& num = profile->for_op(dq);
    Context probe(*this, dq, num);
    try {
      auto param = [&](const char* name) { return probe.has(name) ? std::optional<Tensor>(probe.tensor(name)) : probe.attr(name); };
      const std::optional<Tensor> scale = param("scale");
      if (!scale) return std::nullopt;
      int64_t channels = 1;
      if (scale->size() > 1) {
        const std::optional<Tensor> axis = param("axis");
        if (!axis || axis->size() != 1) return std::nullopt;
        const auto a = static_cast<int64_t>(axis->at(0));
        if ((a < 0 ? a + int64_t(codes->rank()) : a) != 1 || codes->shape()[1] != int64_t(scale->size())) return std::nullopt;
        channels = codes->shape()[1];
      }
      // Every code byte in every channel: shape [256, channels, 1, ...], the codes' rank.
      Dims shape(codes->rank(), 1);
      shape[0] = 256;
      shape[1] = channels;
      std::vector<uint8_t> every_code(size_t(256 * channels));
      for (size_t k = 0; k < every_code.size(); ++k) every_code[k] = uint8_t(k / size_t(channels));
      probe.overrides["input"] = Tensor::from_bytes(codes->dtype(), shape, std::move(every_code));
      KernelFn k = find_kernel(kernel_key(dq));
      if (!k) return std::nullopt;
      k(probe);
      apply_storage(dq, num, probe);
      const Tensor* t = probe.set[0] ? std::get_if<Tensor>(&probe.outputs[0]) : nullptr;
      if (!t || !t->is_float() || t->size() != uint64_t(256 * channels)) return std::nullopt;
      DequantizedCodes d;
      d.codes = *codes;
      d.channels = channels;
      d.table.resize(t->size());
      auto f = t->floats();
      for (size_t b = 0; b < 256; ++b)
        for (size_t c = 0; c < size_t(channels); ++c) d.table[c * 256 + b] = f[b * size_t(channels) + c];
      return d;
    } catch (const Error&) {
      return std::nullopt;
    }
  }

  void check_cancel() const {
    if (opts.cancel.requested())
      throw Error(Location::in_file(model.path), "run cancelled");
  }

  void apply_storage(const ir::Op& op, const OpNumerics& num, Context& ctx) {
    for (size_t k = 0; k < ctx.outputs.size(); ++k) {
      Tensor* t = std::get_if<Tensor>(&ctx.outputs[k]);
      if (!t || !t->is_float()) continue;
      const ir::Type decl = fn.value(op.outputs[k]).type;
      const bool decl_fp16 = decl.is_tensor() && decl.dtype == ir::DType::Float16;
      bool round = num.storage == StorageMode::Fp16 || (num.storage == StorageMode::Declared && decl_fp16);
      if (round) {
        std::span<float> vals = t->mutable_floats();
        parallel_for(vals.size(), [&](uint64_t b, uint64_t e) { round_fp16_inplace(vals.subspan(b, e - b), num.rounding); });
        if (decl_fp16 || t->dtype() == ir::DType::Float16) *t = t->relabeled(ir::DType::Float16);
        if (num.storage == StorageMode::Fp16 && decl.is_tensor() && decl.dtype == ir::DType::Float32)
          *t = t->relabeled(ir::DType::Float32);  // fp16-exact values in the declared fp32 interface
      } else if (num.storage == StorageMode::Fp32 && t->dtype() == ir::DType::Float16) {
        *t = t->relabeled(ir::DType::Float32);  // computed and kept in fp32
      }
    }
  }

  void exec_op(const ir::Op& op, bool run_deferred = false) {
    if (!run_deferred && op.outputs.size() == 1 && deferred[static_cast<size_t>(op.outputs[0])]) {
      if (!opts.on_codes) return;
      // Observed: reported as codes + table; when there are none to report (codes not bytes,
      // parameters the readers could not decode), run it now, in program order, as observed.
      if (std::optional<DequantizedCodes> d = dequantized_codes(op.outputs[0])) {
        opts.on_codes(op, fn.value(op.outputs[0]).name, *d);
        return;
      }
      run_deferred = true;
    }
    if (is_const_op(op)) {
      const ir::Constant* c = op.attribute_value("val");
      if (!c) throw Error(Location::at_op(model.path, op.name), "const op without a 'val' attribute");
      if (op.outputs.empty()) return;
      Tensor t = tensor_from_constant(*c, op.name);
      const OpNumerics& num = profile->for_op(op);
      if (t.is_float() && num.storage == StorageMode::Fp16) {
        round_fp16_inplace(t.mutable_floats(), num.rounding);
      } else if (t.is_float() && num.storage == StorageMode::Fp32 && t.dtype() == ir::DType::Float16) {
        t = t.relabeled(ir::DType::Float32);
      }
      RunValue val(std::move(t));
      if (opts.rewrite_output) opts.rewrite_output(op, 0, val);
      store(op.outputs[0], std::move(val));
      if (opts.on_value) opts.on_value(op, fn.value(op.outputs[0]).name, slots[static_cast<size_t>(op.outputs[0])]);
      return;
    }
    KernelFn k = find_kernel(kernel_key(op));
    if (!k)
      throw Error(Location::at_op(model.path, op.name),
                  "no kernel for op type '" + kernel_key(op) + "' (op '" + op.name + "'); see --list-unsupported");
    const OpNumerics& num = profile->for_op(op);
    Context ctx(*this, op, num);
    k(ctx);
    apply_storage(op, num, ctx);
    if (ctx.tally.sums > 0)
      result.accumulation.push_back({op.name, op.type, double(ctx.tally.max_abs_partial), ctx.tally.overflowed_partials, ctx.tally.sums});
    for (size_t i = 0; i < op.outputs.size(); ++i) {
      if (!ctx.set[i]) {
        // Ops without data outputs (write_state) leave them unset; a declared output must be set.
        if (fn.value(op.outputs[i]).type.kind == ir::Type::Kind::Unknown && op.dialect == ir::Dialect::MIL) continue;
        throw Error(Location::at_op(model.path, op.name), op.type + ": kernel did not produce output " + std::to_string(i));
      }
      if (opts.rewrite_output) opts.rewrite_output(op, i, ctx.outputs[i]);
      if (opts.keep_intermediates) result.intermediates[fn.value(op.outputs[i]).name] = ctx.outputs[i];
      store(op.outputs[i], std::move(ctx.outputs[i]));
      if (opts.on_value) opts.on_value(op, fn.value(op.outputs[i]).name, slots[static_cast<size_t>(op.outputs[i])]);
    }
  }

  std::vector<RunValue> exec_block(ir::BlockId b, const std::vector<RunValue>& inputs, bool top_level) {
    const ir::Block& blk = fn.block(b);
    if (inputs.size() != blk.inputs.size())
      throw Error(Location::in_file(model.path), "block " + fn.block_path(b) + " expects " + std::to_string(blk.inputs.size()) +
                                                     " inputs, got " + std::to_string(inputs.size()));
    for (size_t i = 0; i < inputs.size(); ++i) store(blk.inputs[i], inputs[i]);
    const int64_t total = static_cast<int64_t>(blk.ops.size());
    for (int64_t i = 0; i < total; ++i) {
      if (top_level) {
        run_top_op(i);
        continue;
      }
      check_cancel();
      running_top_index = -1;  // nested ops never write over an input (take_dying_input)
      exec_op(fn.op(blk.ops[static_cast<size_t>(i)]));
    }
    return block_outputs(b);
  }

  // Top-level op i of the function body (ops run in order); `captured` gets its output values
  // before they may be freed.
  void run_top_op(int64_t i, std::vector<RunValue>* captured = nullptr) {
    check_cancel();
    const ir::Block& blk = fn.body_block();
    const int64_t total = static_cast<int64_t>(blk.ops.size());
    const ir::Op& op = fn.op(blk.ops[static_cast<size_t>(i)]);
    auto t0 = std::chrono::steady_clock::now();
    running_top_index = i;
    exec_op(op);
    running_top_index = -1;
    if (opts.time_ops)
      result.op_timings.push_back({op.name, op.qualified_type(), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()});
    if (captured) {
      captured->clear();
      for (ir::ValueId v : op.outputs) captured->push_back(live[static_cast<size_t>(v)] ? slots[static_cast<size_t>(v)] : RunValue{});
    }
    if (!opts.keep_intermediates) free_after(i, op);
    if (opts.progress) opts.progress({static_cast<double>(i + 1), static_cast<double>(total), op.name});
  }

  std::vector<RunValue> block_outputs(ir::BlockId b) {
    const ir::Block& blk = fn.block(b);
    std::vector<RunValue> outs;
    outs.reserve(blk.outputs.size());
    for (ir::ValueId v : blk.outputs) {
      if (!live[static_cast<size_t>(v)])
        throw Error(Location::in_file(model.path), "block output '" + fn.value(v).name + "' was never computed");
      outs.push_back(slots[static_cast<size_t>(v)]);
    }
    return outs;
  }

  void free_after(int64_t index, const ir::Op& op) {
    // Values whose last user is this top-level op: its inputs (and nested-block captures).
    auto consider = [&](ir::ValueId v) {
      if (v != ir::kNone && last_use[static_cast<size_t>(v)] == index) release(v);
    };
    for (const auto& in : op.inputs)
      for (const auto& bnd : in.bindings) {
        consider(bnd.value);
        if (bnd.value != ir::kNone && deferred[static_cast<size_t>(bnd.value)])  // and what it is decoded from
          for (const auto& operand : fn.op(fn.value(bnd.value).producer).inputs)
            for (const auto& src : operand.bindings) consider(src.value);
      }
    if (!op.blocks.empty()) {
      for (size_t v = 0; v < fn.values.size(); ++v)
        if (last_use[v] == index) release(static_cast<ir::ValueId>(v));
    }
    for (ir::ValueId v : op.outputs)
      if (last_use[static_cast<size_t>(v)] == -1) release(v);  // never used
  }
};

const ir::Function& Context::function() const { return rs_.fn; }
const std::string& Context::file() const { return rs_.model.path; }

const RunValue& Context::value(const std::string& name, size_t index) const {
  if (auto o = overrides.find(name); o != overrides.end() && index == 0) return o->second;
  const ir::NamedInput* in = op_.input(name);
  if (!in || index >= in->bindings.size()) fail("missing required input '" + name + "'");
  const ir::Binding& b = in->bindings[index];
  if (b.is_literal()) {
    if (!b.literal) fail("input '" + name + "' has neither a value nor a literal");
    Tensor t = tensor_from_constant(*b.literal, op_.name);
    if (t.is_float() && num_.storage == StorageMode::Fp16)
      round_fp16_inplace(t.mutable_floats(), num_.rounding);
    literals_.emplace_back(std::move(t));
    return literals_.back();
  }
  return rs_.load(b.value, op_);
}

ir::Type Context::declared(const std::string& name, size_t index) const {
  const ir::NamedInput* in = op_.input(name);
  if (!in || index >= in->bindings.size()) return {};
  const ir::Binding& b = in->bindings[index];
  if (b.is_literal()) return b.literal ? b.literal->type : ir::Type{};
  return rs_.fn.value(b.value).type;
}

ir::Type Context::output_type(size_t index) const {
  if (index >= op_.outputs.size()) return {};
  return rs_.fn.value(op_.outputs[index]).type;
}

std::vector<RunValue> Context::run_block(size_t block_index, const std::vector<RunValue>& inputs) {
  if (block_index >= op_.blocks.size()) fail("has no nested block " + std::to_string(block_index));
  return rs_.exec_block(op_.blocks[block_index], inputs, false);
}

std::optional<Tensor> Context::take_dying_input(const std::string& name) {
  // Only where free_after would release the value right after this op: a top-level op without
  // nested blocks, intermediates not kept, this op its last reader.
  if (rs_.opts.keep_intermediates || rs_.running_top_index < 0 || !op_.blocks.empty()) return std::nullopt;
  const ir::NamedInput* in = op_.input(name);
  if (!in || in->bindings.size() != 1) return std::nullopt;
  const ir::ValueId v = in->bindings[0].value;
  if (v == ir::kNone || rs_.last_use[static_cast<size_t>(v)] != rs_.running_top_index) return std::nullopt;
  size_t bound = 0;  // read through another input of this op too: not safe to overwrite
  for (const auto& other : op_.inputs)
    for (const auto& b : other.bindings) bound += b.value == v;
  if (bound != 1 || !rs_.live[static_cast<size_t>(v)]) return std::nullopt;
  Tensor* t = std::get_if<Tensor>(&rs_.slots[static_cast<size_t>(v)]);
  if (!t || !t->float_storage_unshared()) return std::nullopt;
  // Freed as far as the accounting goes: its bytes come back as this op's output.
  rs_.live_bytes -= RunState::bytes_of(rs_.slots[static_cast<size_t>(v)]);
  Tensor taken = std::move(*t);
  rs_.slots[static_cast<size_t>(v)] = RunValue{};
  rs_.live[static_cast<size_t>(v)] = false;
  return taken;
}

Tensor& Context::state(const std::string& input_name) {
  const ir::NamedInput* in = op_.input(input_name);
  if (!in || in->bindings.empty() || in->bindings[0].is_literal()) fail("input '" + input_name + "' must name a state");
  ir::ValueId v = in->bindings[0].value;
  auto i = static_cast<size_t>(v);
  if (!rs_.live[i]) fail("state '" + rs_.fn.value(v).name + "' has no value");
  Tensor* t = std::get_if<Tensor>(&rs_.slots[i]);
  if (!t) fail("state '" + rs_.fn.value(v).name + "' does not hold a tensor");
  return *t;
}

std::optional<DequantizedCodes> Context::dequantized_codes(const std::string& name) {
  const ir::NamedInput* in = op_.input(name);
  if (!in || in->bindings.size() != 1 || in->bindings[0].is_literal()) return std::nullopt;
  return rs_.dequantized_codes(in->bindings[0].value);
}

void Context::warn(const std::string& message) { rs_.result.warnings.push_back(op_.name + ": " + message); }

}  // namespace

Interpreter::Interpreter(NumericProfile profile) : profile_(std::move(profile)) { reuse_activation_memory(); }

struct InterpreterRun::Impl {
  Impl(const ir::Model& model, const ir::Function& fn, const NumericProfile& profile, const RunOptions& options)
      : state(model, fn, profile, options) {}
  RunState state;
};

namespace {
const ir::Function& function_to_run(const ir::Model& model, const RunOptions& options) {
  const ir::Function* fn = options.function.empty() ? model.main_function() : model.function(options.function);
  if (!fn) {
    std::string names;
    for (const auto& f : model.functions) names += (names.empty() ? "" : ", ") + f.name;
    throw Error(Location::in_file(model.path),
                options.function.empty() ? "model has no program to run (" + model.kind + ")"
                                         : "no function '" + options.function + "' (functions: " + names + ")");
  }
  return *fn;
}
}  // namespace

InterpreterRun::InterpreterRun(const ir::Model& model, const RunInputs& inputs, const RunOptions& options,
                               const NumericProfile& profile) {
  const ir::Function& fn = function_to_run(model, options);
  impl_ = std::make_unique<Impl>(model, fn, profile, options);
  RunState& rs = impl_->state;
  rs.result.provenance = "emulated: mlscope interpreter, " + profile.label();
  BoundInputs bound = bind_inputs(model, fn, inputs, options, rs.result.warnings);
  rs.compute_last_use();
  rs.plan_deferred_dequantize();
  for (auto& [v, val] : bound.values) rs.store(v, std::move(val));
}

InterpreterRun::InterpreterRun(const InterpreterRun& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
InterpreterRun::InterpreterRun(InterpreterRun&&) noexcept = default;
InterpreterRun& InterpreterRun::operator=(InterpreterRun&&) noexcept = default;
InterpreterRun::~InterpreterRun() = default;

size_t InterpreterRun::op_count() const { return impl_->state.fn.body_block().ops.size(); }
const ir::Op& InterpreterRun::op(size_t i) const { return impl_->state.fn.op(impl_->state.fn.body_block().ops[i]); }
const ir::Function& InterpreterRun::function() const { return impl_->state.fn; }
void InterpreterRun::set_profile(const NumericProfile& profile) { impl_->state.profile = &profile; }
void InterpreterRun::run_op(size_t i, std::vector<RunValue>* outputs) { impl_->state.run_top_op(int64_t(i), outputs); }

const RunResult& InterpreterRun::result_so_far() const { return impl_->state.result; }

RunResult InterpreterRun::finish() {
  RunState& rs = impl_->state;
  const ir::Function& fn = rs.fn;
  std::vector<RunValue> outs = rs.block_outputs(fn.body());
  const auto& out_ids = fn.outputs();
  for (size_t i = 0; i < out_ids.size(); ++i) rs.result.outputs[fn.value(out_ids[i]).name] = std::move(outs[i]);
  for (ir::ValueId v : fn.inputs) {
    if (fn.value(v).type.kind != ir::Type::Kind::State) continue;
    if (const auto* t = std::get_if<Tensor>(&rs.slots[static_cast<size_t>(v)])) rs.result.states[fn.value(v).name] = *t;
  }
  return std::move(rs.result);
}

RunResult Interpreter::run(const ir::Model& model, const RunInputs& inputs, const RunOptions& options) {
  ScopedRunCancel cancel_in_kernels(options.cancel);
  InterpreterRun run(model, inputs, options, profile_);
  for (size_t i = 0; i < run.op_count(); ++i) run.run_op(i);
  return run.finish();
}

std::vector<UnsupportedOp> list_unsupported(const ir::Model& model) {
  std::vector<UnsupportedOp> out;
  std::function<void(const ir::Model&)> visit = [&](const ir::Model& m) {
    for (const auto& f : m.functions) {
      f.walk([&](ir::OpId id) {
        const ir::Op& op = f.op(id);
        if (!is_const_op(op) && !find_kernel(kernel_key(op))) out.push_back({f.name, kernel_key(op), op.name});
        return true;
      });
    }
    for (const auto& sm : m.submodels) visit(sm);
  };
  visit(model);
  if (model.functions.empty() && model.submodels.empty())
    out.push_back({"", model.kind, "(model kind '" + model.kind + "' has no op graph to interpret)"});
  return out;
}

}  // namespace mlscope::exec
