#include "core/compare/divergence.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <variant>

#include "core/compare/value_diff.h"
#include "core/util/error.h"

namespace mlscope::compare {

std::string divergence_op_name(const ir::Function& fn, const ir::Op& op) {
  return op.name.empty() && !op.outputs.empty() ? fn.value(op.outputs[0]).name : op.name;
}

namespace {

ValueDiff missing(const std::string& vname, bool from_reference) {
  ValueDiff d;
  d.note = std::string("value '") + vname + "' not kept by " + (from_reference ? "the reference" : "the other backend");
  return d;
}

/// rel_error of every value, or for a value not compared the largest of what it is computed
/// from (0 for function inputs and constants): the divergence an op's input already carries.
class Upstream {
 public:
  Upstream(const ir::Function& fn, const std::map<std::string, ValueDiff>& diffs) : fn_(fn), diffs_(diffs), memo_(fn.values.size(), -1) {}
  double of(ir::ValueId v, int depth = 0) {
    double& m = memo_[static_cast<size_t>(v)];
    if (m >= 0) return m;
    const ir::Value& val = fn_.value(v);
    auto it = diffs_.find(val.name);
    double r = 0;
    if (it != diffs_.end() && it->second.compared && std::isfinite(it->second.rel_error)) r = it->second.rel_error;
    else if (val.producer != ir::kNone && depth < 64) r = reads(fn_.op(val.producer), depth + 1);
    return m = r;
  }
  double reads(const ir::Op& op, int depth = 0) {
    double r = 0;
    if (op.is_const() || op.is_constexpr()) return 0;
    for (const auto& in : op.inputs)
      for (const auto& b : in.bindings)
        if (b.value != ir::kNone) r = std::max(r, of(b.value, depth));
    return r;
  }

 private:
  const ir::Function& fn_;
  const std::map<std::string, ValueDiff>& diffs_;
  std::vector<double> memo_;
};

/// Program-order report from per-value diffs (a value absent from `diffs` was kept by neither).
DivergenceReport assemble(const ir::Function& fn, const std::map<std::string, ValueDiff>& diffs, const DivergenceOptions& options) {
  DivergenceReport rep;
  rep.function = fn.name;
  rep.options = options;
  int64_t order = 0;
  Upstream upstream(fn, diffs);
  for (ir::OpId id : fn.program_order()) {
    const ir::Op& op = fn.op(id);
    if (op.is_const() || op.is_constexpr() || op.outputs.empty()) continue;
    OpDivergence d;
    d.order = order++;
    d.type = op.type;
    d.name = divergence_op_name(fn, op);
    bool first = true;
    for (ir::ValueId vid : op.outputs) {
      const std::string& vname = fn.value(vid).name;
      auto it = diffs.find(vname);
      ValueDiff v = it == diffs.end() ? missing(vname, true) : it->second;
      if (it == diffs.end() && !options.compares(vname)) v.note = options.rejected_note;
      if (!v.compared) {
        if (d.note.empty()) d.note = v.note;
        continue;
      }
      if (first || v.cosine < d.cosine || (v.cosine == d.cosine && v.rel_error > d.rel_error)) {
        d.value = vname;
        d.cosine = v.cosine;
        d.max_abs_diff = v.max_abs_diff;
        d.rel_error = v.rel_error;
        first = false;
      }
      d.compared = true;
    }
    if (d.compared) {
      d.note.clear();
      if (std::isfinite(d.rel_error)) d.added_rel_error = d.rel_error - upstream.reads(op);
    }
    d.crosses = d.compared && (!(d.cosine >= options.min_cosine) || !(d.rel_error <= options.max_rel_error));
    if (d.crosses && rep.first_crossing.size() < options.first_crossings) rep.first_crossing.push_back(rep.ops.size());
    rep.ops.push_back(std::move(d));
  }
  for (size_t i = 0; i < rep.ops.size(); ++i)
    if (rep.ops[i].compared && rep.ops[i].added_rel_error > 0) rep.most_added.push_back(i);
  std::stable_sort(rep.most_added.begin(), rep.most_added.end(),
                   [&](size_t x, size_t y) { return rep.ops[x].added_rel_error > rep.ops[y].added_rel_error; });
  if (rep.most_added.size() > options.most_added) rep.most_added.resize(options.most_added);
  return rep;
}

uint64_t bytes_of(const Observed& o) {
  if (const auto* c = std::get_if<exec::DequantizedCodes>(&o)) return c->codes.storage_bytes() + c->table.size() * sizeof(float);
  const exec::RunValue& v = std::get<exec::RunValue>(o);
  if (const auto* t = std::get_if<exec::Tensor>(&v)) return t->storage_bytes();
  if (const auto* l = std::get_if<exec::TensorList>(&v)) {
    uint64_t n = 0;
    for (const auto& t : l->items) n += t.storage_bytes();
    return n;
  }
  return 0;
}

/// Thrown inside an observer to stop a run whose partner failed (never escapes run_divergence).
struct PartnerFailed {};

/// The meeting point of the two runs: values parked by the side that produced them first.
class Lockstep {
 public:
  explicit Lockstep(uint64_t budget) : budget_(budget) {}

  /// Parks `v` for the partner, or reduces it against the partner's parked value. The reduction
  /// runs while this side still holds the turn, so it has both cores: overlapping it with the
  /// partner's next op (which already uses both) measured 1.5–1.6x two plain runs, against
  /// 1.15–1.26x this way.
  void offer(int side, const std::string& name, const Observed& v) {
    const int other = 1 - side;
    std::unique_lock<std::mutex> lk(mu_);
    while (true) {
      if (failed_) throw PartnerFailed{};
      auto it = parked_.find(name);
      if (it != parked_.end() && it->second.side == other) {
        Observed theirs = std::move(it->second.value);
        bytes_[other] -= it->second.bytes;
        parked_.erase(it);
        lk.unlock();
        ValueDiff d = side == 0 ? reduce_observed(name, v, theirs) : reduce_observed(name, theirs, v);
        lk.lock();
        diffs_[name] = std::move(d);
        return;
      }
      if (done_[other]) {  // the partner finished without producing it: it never will
        if (!diffs_.count(name)) diffs_[name] = missing(name, side == 1);
        return;
      }
      const uint64_t size = bytes_of(v);
      // Wait for the partner to catch up only while it can: it is running and not itself waiting
      // (two waiting runs would be a deadlock; then the budget is exceeded instead).
      const bool wait = bytes_[side] > 0 && bytes_[side] + size > budget_ && !done_[other] && !waiting_[other];
      if (!wait) {
        if (it != parked_.end()) bytes_[side] -= it->second.bytes;  // same value again (loop body): keep the last
        parked_[name] = Parked{side, v, size};
        bytes_[side] += size;
        peak_ = std::max(peak_, bytes_[0] + bytes_[1]);
        cv_.notify_all();
        return;
      }
      waiting_[side] = true;
      cv_.wait(lk);
      waiting_[side] = false;
    }
  }

  void finish(int side, bool failed) {
    std::lock_guard<std::mutex> lk(mu_);
    done_[side] = true;
    failed_ = failed_ || failed;
    turn_ = 1 - side;
    cv_.notify_all();
  }

  // The two runs take turns, one value each: a side runs its next op (and reduces the pair it
  // completes) only while it holds the turn, so each gets every core (BLAS and elementwise
  // threads) as in a plain run — and computes the same bits — instead of two runs fighting over
  // two cores. The waiting side blocks.
  void wait_turn(int side) {
    std::unique_lock<std::mutex> lk(mu_);
    waiting_[side] = true;
    cv_.wait(lk, [&] { return turn_ == side || done_[1 - side] || failed_; });
    waiting_[side] = false;
    if (failed_) throw PartnerFailed{};
  }
  void pass_turn(int side) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      turn_ = 1 - side;
    }
    cv_.notify_all();
    wait_turn(side);
  }

  /// After both runs: per-value diffs, values one side produced marked as not kept by the other.
  std::map<std::string, ValueDiff> take_diffs() {
    for (const auto& [name, p] : parked_)
      if (!diffs_.count(name)) diffs_[name] = missing(name, p.side == 1);
    return std::move(diffs_);
  }
  uint64_t peak() const { return peak_; }

 private:
  struct Parked {
    int side = 0;
    Observed value;
    uint64_t bytes = 0;
  };
  uint64_t budget_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Parked> parked_;
  std::map<std::string, ValueDiff> diffs_;
  uint64_t bytes_[2] = {0, 0};
  bool done_[2] = {false, false};
  bool waiting_[2] = {false, false};
  int turn_ = 0;  // the side allowed to compute (the reference starts)
  bool failed_ = false;
  uint64_t peak_ = 0;
};

}  // namespace

DivergenceReport divergence_from_results(const ir::Function& fn, exec::RunResult& ref, exec::RunResult& other,
                                         const DivergenceOptions& options) {
  std::map<std::string, ValueDiff> diffs;
  for (ir::OpId id : fn.program_order()) {
    const ir::Op& op = fn.op(id);
    if (op.is_const() || op.is_constexpr()) continue;
    for (ir::ValueId vid : op.outputs) {
      const std::string& vname = fn.value(vid).name;
      if (!options.compares(vname)) continue;
      auto ra = ref.intermediates.find(vname);
      auto rb = other.intermediates.find(vname);
      if (ra == ref.intermediates.end() || rb == other.intermediates.end()) {
        if (!diffs.count(vname)) diffs[vname] = missing(vname, ra == ref.intermediates.end());
        continue;
      }
      diffs[vname] = reduce_pair(vname, ra->second, rb->second);
      // Reduce and free right away: intermediates of big models dominate memory.
      ref.intermediates.erase(ra);
      other.intermediates.erase(rb);
    }
  }
  return assemble(fn, diffs, options);
}

DivergenceReport run_divergence(exec::Backend& reference, exec::Backend& other, const ir::Model& model,
                                const exec::RunInputs& inputs, const exec::RunOptions& run_options,
                                const DivergenceOptions& options) {
  const ir::Function* fn = options.function.empty() ? model.main_function() : model.function(options.function);
  if (!fn) throw Error(Location::in_file(model.path), "divergence: model has no function '" + options.function + "'");
  DivergenceReport rep;
  if (!options.streaming) {
    exec::RunOptions ro = run_options;
    ro.keep_intermediates = true;
    ro.function = options.function;
    // One stream over both runs: the first is the first half.
    auto half = [&run_options](double first) -> ProgressFn {
      if (!run_options.progress) return nullptr;
      return [&run_options, first](const Progress& p) { run_options.progress({first * p.total + p.done, 2 * p.total, p.stage}); };
    };
    ro.progress = half(0);
    exec::RunResult a = reference.run(model, inputs, ro);
    ro.progress = half(1);
    exec::RunResult b = other.run(model, inputs, ro);
    rep = divergence_from_results(*fn, a, b, options);
    rep.peak_live_bytes = std::max(a.peak_live_bytes, b.peak_live_bytes);
  } else {
    Lockstep ls(options.memory_budget_bytes);
    exec::RunResult results[2];
    std::exception_ptr errors[2];
    exec::Backend* backends[2] = {&reference, &other};
    auto run_side = [&](int side) {
      exec::RunOptions ro = run_options;
      ro.keep_intermediates = false;
      ro.function = options.function;
      if (side == 1) ro.progress = nullptr;  // one progress stream (the reference's)
      auto outer = run_options.on_value;
      ro.on_value = [&ls, side, outer, &options](const ir::Op& op, const std::string& name, const exec::RunValue& v) {
        if (outer) outer(op, name, v);
        if (op.is_const() || op.is_constexpr()) return;
        if (!options.compares(name)) return;
        ls.offer(side, name, v);
        ls.pass_turn(side);
      };
      // Deferred dequantize outputs come as codes: the runs keep their unobserved speed and
      // memory, and the reductions decode both sides block by block (the same floats). Only
      // when the caller does not observe values itself: it would miss those.
      if (!outer)
        ro.on_codes = [&ls, side, &options](const ir::Op&, const std::string& name, const exec::DequantizedCodes& codes) {
          if (!options.compares(name)) return;
          ls.offer(side, name, codes);
          ls.pass_turn(side);
        };
      bool failed = false;
      try {
        if (side == 1) ls.wait_turn(side);
        results[side] = backends[side]->run(model, inputs, ro);
      } catch (const PartnerFailed&) {
        failed = true;
      } catch (...) {
        errors[side] = std::current_exception();
        failed = true;
      }
      ls.finish(side, failed);
    };
    std::thread ref_thread(run_side, 0);
    run_side(1);
    ref_thread.join();
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
    rep = assemble(*fn, ls.take_diffs(), options);
    rep.peak_pending_bytes = ls.peak();
    rep.peak_live_bytes = std::max(results[0].peak_live_bytes, results[1].peak_live_bytes);
  }
  rep.reference = reference.name();
  rep.other = other.name();
  return rep;
}

}  // namespace mlscope::compare
