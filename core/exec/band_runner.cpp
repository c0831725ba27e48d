#include "core/exec/band_runner.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <span>

#include "core/exec/alloc_policy.h"
#include "core/exec/interpreter.h"
#include "core/exec/run_cancel.h"
#include "core/util/error.h"

namespace mlscope::exec {

namespace {

// The numerics profile `p` gives op `op` and every op nested in its blocks.
void numerics_of(const NumericProfile& p, const ir::Function& fn, const ir::Op& op, std::vector<OpNumerics>& out) {
  out.push_back(p.for_op(op));
  for (ir::BlockId b : op.blocks)
    for (ir::OpId id : fn.block(b).ops) numerics_of(p, fn, fn.op(id), out);
}

bool same_bits(const RunValue& a, const RunValue& b) {
  const auto* x = std::get_if<Tensor>(&a);
  const auto* y = std::get_if<Tensor>(&b);
  if (!x || !y) return false;  // dictionaries and lists: never joined again (rare at a fork)
  if (x->dtype() != y->dtype() || x->shape() != y->shape() || x->storage() != y->storage()) return false;
  if (x->empty()) return true;
  if (x->is_float()) return std::memcmp(x->floats().data(), y->floats().data(), x->size() * sizeof(float)) == 0;
  if (x->has_byte_storage() && y->has_byte_storage()) return std::memcmp(x->bytes().data(), y->bytes().data(), x->size()) == 0;
  if (x->storage() == Storage::String) return x->strings() == y->strings();
  return std::equal(x->ints().begin(), x->ints().end(), y->ints().begin());
}

bool same_stats(const AccumulationStat& a, const AccumulationStat& b) {
  return a.op_name == b.op_name && a.max_abs_partial == b.max_abs_partial && a.overflowed_partials == b.overflowed_partials &&
         a.sums == b.sums;
}

// Everything a group's run holds after the fork op is the same for both (values, statistics,
// warnings): then one run can stand for both.
bool joinable(const InterpreterRun& a, const std::vector<RunValue>& oa, const InterpreterRun& b, const std::vector<RunValue>& ob) {
  if (oa.size() != ob.size()) return false;
  for (size_t i = 0; i < oa.size(); ++i)
    if (!same_bits(oa[i], ob[i])) return false;
  const RunResult &ra = a.result_so_far(), &rb = b.result_so_far();
  return ra.warnings == rb.warnings && ra.accumulation.size() == rb.accumulation.size() &&
         std::equal(ra.accumulation.begin(), ra.accumulation.end(), rb.accumulation.begin(), same_stats);
}

struct Branch {
  InterpreterRun run;
  std::vector<size_t> members;
  std::vector<RunValue> fork_outputs;  // the fork op's outputs, until compared
};

class BandRunner {
 public:
  BandRunner(const std::vector<NumericProfile>& profiles, BandRun& out) : profiles_(profiles), out_(out) {}

  void advance(Branch b, size_t i) {
    const size_t n = b.run.op_count();
    for (; i < n; ++i) {
      std::vector<std::vector<size_t>> groups = partition(b, i);
      if (groups.size() == 1) {
        b.run.set_profile(profiles_[groups[0][0]]);
        b.run.run_op(i);
        ++out_.ops_executed;
        continue;
      }
      std::vector<Branch> kids;
      for (size_t g = 0; g < groups.size(); ++g) {
        // The last group takes the run itself: one state fewer holding the shared values.
        kids.push_back({g + 1 == groups.size() ? std::move(b.run) : InterpreterRun(b.run), groups[g], {}});
        Branch& k = kids.back();
        k.run.set_profile(profiles_[k.members[0]]);
        k.run.run_op(i, &k.fork_outputs);
        ++out_.ops_executed;
      }
      record_parting(kids, i);
      kids = join(std::move(kids));
      for (Branch& k : kids) k.fork_outputs.clear();
      if (kids.size() == 1) {
        b = std::move(kids[0]);
        continue;
      }
      for (Branch& k : kids) advance(std::move(k), i + 1);
      return;
    }
    RunResult r = b.run.finish();
    for (size_t m : b.members) {
      out_.members[m] = r;
      out_.members[m].provenance = "emulated: mlscope interpreter, " + profiles_[m].label();
    }
  }

 private:
  std::vector<std::vector<size_t>> partition(const Branch& b, size_t i) {
    const ir::Op& op = b.run.op(i);
    std::vector<std::vector<OpNumerics>> keys;
    std::vector<std::vector<size_t>> groups;
    for (size_t m : b.members) {
      std::vector<OpNumerics> key;
      numerics_of(profiles_[m], b.run.function(), op, key);
      auto it = std::find(keys.begin(), keys.end(), key);
      if (it == keys.end()) {
        keys.push_back(std::move(key));
        groups.push_back({m});
      } else {
        groups[size_t(it - keys.begin())].push_back(m);
      }
    }
    return groups;
  }

  std::vector<Branch> join(std::vector<Branch> kids) {
    std::vector<Branch> out;
    for (Branch& k : kids) {
      auto same = std::find_if(out.begin(), out.end(), [&](const Branch& o) { return joinable(o.run, o.fork_outputs, k.run, k.fork_outputs); });
      if (same == out.end()) {
        out.push_back(std::move(k));
      } else {
        same->members.insert(same->members.end(), k.members.begin(), k.members.end());
        std::sort(same->members.begin(), same->members.end());
      }
    }
    return out;
  }

  // The spread of the fork op's float outputs across the groups; a parting only where values differ.
  void record_parting(const std::vector<Branch>& kids, size_t i) {
    BandParting p;
    const ir::Op& op = kids[0].run.op(i);
    p.op_name = op.name;
    p.op_type = op.type;
    bool differ = false;
    for (size_t o = 0; o < kids[0].fork_outputs.size(); ++o) {
      bool all_same = true;
      for (const Branch& k : kids) all_same = all_same && same_bits(kids[0].fork_outputs[o], k.fork_outputs[o]);
      if (all_same) continue;  // the common case at a fork that joins again: nothing to measure
      std::vector<const Tensor*> ts;
      for (const Branch& k : kids) {
        const auto* t = o < k.fork_outputs.size() ? std::get_if<Tensor>(&k.fork_outputs[o]) : nullptr;
        if (t && t->is_float() && t->size() == std::get<Tensor>(kids[0].fork_outputs[o]).size()) ts.push_back(t);
      }
      if (ts.size() != kids.size()) {
        differ = true;
        continue;
      }
      std::vector<std::span<const float>> vs;
      for (const Tensor* t : ts) vs.push_back(t->floats());
      for (uint64_t e = 0; e < ts[0]->size(); ++e) {
        float lo = INFINITY, hi = -INFINITY;
        bool finite = true;
        for (const auto& t : vs) {
          const float v = t[e];
          if (!std::isfinite(v)) {
            finite = false;
            continue;
          }
          lo = std::min(lo, v);
          hi = std::max(hi, v);
          p.max_abs = std::max(p.max_abs, double(std::fabs(v)));
        }
        if (!finite) {
          bool same = true;
          for (const auto& t : vs) same = same && std::memcmp(&t[e], &vs[0][e], sizeof(float)) == 0;
          if (!same) ++p.non_finite;
        }
        if (lo <= hi) p.max_abs_diff = std::max(p.max_abs_diff, double(hi) - double(lo));
      }
    }
    differ = differ || p.max_abs_diff > 0 || p.non_finite > 0;
    if (!differ) return;
    p.spread = p.max_abs > 0 ? p.max_abs_diff / p.max_abs : 0;
    for (const Branch& k : kids) {
      std::vector<std::string> names;
      for (size_t m : k.members) names.push_back(profiles_[m].name);
      p.groups.push_back(std::move(names));
    }
    out_.partings.push_back(std::move(p));
  }

  const std::vector<NumericProfile>& profiles_;
  BandRun& out_;
};

}  // namespace

BandRun run_band(const ir::Model& model, const RunInputs& inputs, const RunOptions& options, const std::vector<NumericProfile>& members) {
  if (members.empty()) throw Error(Location::in_file(model.path), "a band needs at least one member");
  ScopedRunCancel cancel_in_kernels(options.cancel);
  BandRun out;
  out.members.resize(members.size());
  Branch root{InterpreterRun(model, inputs, options, members[0]), {}, {}};
  for (size_t m = 0; m < members.size(); ++m) root.members.push_back(m);
  BandRunner(members, out).advance(std::move(root), 0);
  return out;
}

std::vector<std::string> BandBackend::band_names() { return {"ane-band", "ane-w8a8-band"}; }

bool BandBackend::is_band_name(const std::string& name) { return name == "ane-band" || name == "ane-w8a8-band"; }

std::string BandBackend::band_of_profile(const std::string& profile_name) {
  const std::string band = profile_name.substr(0, profile_name.find(':')) + "-band";
  return is_band_name(band) ? band : "";
}

BandBackend::BandBackend(const std::string& name) : name_(name) {
  if (!is_band_name(name)) throw Error(Location{}, "unknown band '" + name + "' (bands: ane-band, ane-w8a8-band)");
  for (const auto& m : NumericProfile::band_members(name.substr(0, name.size() - 5))) members_.push_back(NumericProfile::builtin(m));
  reuse_activation_memory();
}

RunResult BandBackend::run(const ir::Model& model, const RunInputs& inputs, const RunOptions& options) {
  BandRun band = run_band(model, inputs, options, members_);
  RunResult r = band.members[0];
  r.provenance = "emulated band of " + std::to_string(members_.size()) + " members (" + name_ +
                 ", docs/numeric-profiles.md), values = member " + members_[0].name + ": mlscope interpreter, " + members_[0].label();
  for (size_t m = 0; m < members_.size(); ++m) r.band_members.push_back({members_[m].name, band.members[m].outputs});
  r.band_partings = std::move(band.partings);
  return r;
}

}  // namespace mlscope::exec
