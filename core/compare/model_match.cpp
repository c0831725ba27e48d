#include "core/compare/model_match.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "core/analysis/lineage.h"
#include "core/compare/op_equivalence.h"
#include "core/util/error.h"

namespace mlscope::compare {

namespace {

bool is_plumbing_type(const std::string& t) { return t == "quantize" || t == "dequantize" || t == "cast"; }

/// The runtime data input a plumbing op passes on (quantize/dequantize "input", cast "x").
ir::ValueId plumbing_data_input(const ir::Op& op) {
  const ir::NamedInput* in = op.input(op.type == "cast" ? "x" : "input");
  return in && !in->bindings.empty() ? in->bindings[0].value : ir::kNone;
}

/// Where a runtime value comes from, plumbing skipped: a function input or a compute op's output.
struct Source {
  bool function_input = false;
  int64_t id = 0;  ///< function input index, or op id
  int32_t output = 0;
  bool operator<(const Source& o) const { return std::tie(function_input, id, output) < std::tie(o.function_input, o.id, o.output); }
  bool operator==(const Source& o) const = default;
};

class Side {
 public:
  explicit Side(const ir::Function& f) : f_(f) {
    for (size_t i = 0; i < f.inputs.size(); ++i) input_index_[f.inputs[i]] = static_cast<int64_t>(i);
    const std::vector<ir::OpId> order = f.program_order();
    position_.assign(f.ops.size(), -1);
    for (size_t i = 0; i < order.size(); ++i) {
      position_[static_cast<size_t>(order[i])] = static_cast<int64_t>(i);
      const ir::Op& op = f.op(order[i]);
      if (analysis::is_real_op(op)) {
        compute_.push_back(order[i]);
        kinds_.emplace(order[i], comparable_op_kind(op));
        for (ir::ValueId v : op.outputs) by_output_name_.emplace(f.value(v).name, order[i]);
      } else if (!op.is_const()) {
        ++plumbing_[op.type];
      }
    }
  }

  const ir::Function& fn() const { return f_; }
  const std::vector<ir::OpId>& compute_ops() const { return compute_; }
  const std::map<std::string, int64_t>& plumbing() const { return plumbing_; }
  const std::string& kind(ir::OpId o) const { return kinds_.at(o); }
  int64_t position(ir::OpId o) const { return position_[static_cast<size_t>(o)]; }

  ir::OpId op_with_output(const std::string& name) const {
    auto it = by_output_name_.find(name);
    return it == by_output_name_.end() ? ir::kNone : it->second;
  }

  /// nullopt for compile-time values (weights) and block inputs.
  std::optional<Source> source_of(ir::ValueId v) const {
    for (size_t hops = 0; hops <= f_.ops.size() && v != ir::kNone; ++hops) {
      const ir::Value& val = f_.value(v);
      if (val.producer == ir::kNone) {
        auto it = input_index_.find(v);
        if (it == input_index_.end()) return std::nullopt;
        return Source{true, it->second, 0};
      }
      const ir::Op& p = f_.op(val.producer);
      if (p.is_const() || p.is_constexpr()) return std::nullopt;
      if (!is_plumbing_type(p.type)) return Source{false, val.producer, val.producer_output};
      v = plumbing_data_input(p);
    }
    return std::nullopt;
  }

  /// The op's runtime sources, sorted (a multiset: x + x has two).
  std::vector<Source> sources(ir::OpId o) const {
    std::vector<Source> out;
    for (const auto& in : f_.op(o).inputs)
      for (const auto& b : in.bindings)
        if (b.value != ir::kNone)
          if (auto s = source_of(b.value)) out.push_back(*s);
    std::sort(out.begin(), out.end());
    return out;
  }

  /// The value a source names.
  ir::ValueId value_of(const Source& s) const {
    if (s.function_input) return f_.inputs[static_cast<size_t>(s.id)];
    return f_.op(static_cast<ir::OpId>(s.id)).outputs[static_cast<size_t>(s.output)];
  }

  /// Compute ops reading `v`, directly or through plumbing.
  void consumers(ir::ValueId v, std::vector<ir::OpId>& out, int depth = 0) const {
    if (depth > 8) return;  // plumbing chains are short; a longer one is not plumbing of this value
    for (const ir::Use& u : f_.value(v).uses) {
      const ir::Op& op = f_.op(u.op);
      if (analysis::is_real_op(op)) out.push_back(u.op);
      else if (is_plumbing_type(op.type) && plumbing_data_input(op) == v)
        for (ir::ValueId o : op.outputs) consumers(o, out, depth + 1);
    }
  }

 private:
  const ir::Function& f_;
  std::unordered_map<ir::ValueId, int64_t> input_index_;
  std::vector<int64_t> position_;
  std::vector<ir::OpId> compute_;
  std::unordered_map<ir::OpId, std::string> kinds_;
  std::unordered_map<std::string, ir::OpId> by_output_name_;
  std::map<std::string, int64_t> plumbing_;
};

bool same_shapes(const ir::Function& fa, const ir::Op& a, const ir::Function& fb, const ir::Op& b) {
  if (a.outputs.size() != b.outputs.size()) return false;
  for (size_t i = 0; i < a.outputs.size(); ++i) {
    const ir::Type &ta = fa.value(a.outputs[i]).type, &tb = fb.value(b.outputs[i]).type;
    if (!ta.is_tensor() || !tb.is_tensor()) continue;
    if (ta.shape.unknown_rank || tb.shape.unknown_rank || !ta.shape.is_static() || !tb.shape.is_static()) continue;
    if (ta.shape != tb.shape) return false;
  }
  return true;
}

std::string names_of(const ir::Function& f, const std::vector<ir::ValueId>& vs) {
  std::string s;
  for (ir::ValueId v : vs) s += (s.empty() ? "" : ", ") + f.value(v).name;
  return s.empty() ? "none" : s;
}

// Pairs the interface by name (or the io map); throws naming the first mismatch.
void match_interface(const char* what, const ir::Function& fa, const std::vector<ir::ValueId>& va, const ir::Function& fb,
                     const std::vector<ir::ValueId>& vb, const ModelMatchOptions& o, const std::string& b_path,
                     std::vector<std::pair<std::string, std::string>>& pairs, std::vector<std::string>& notes) {
  std::set<std::string> used;
  for (ir::ValueId a : va) {
    const std::string& an = fa.value(a).name;
    std::string bn = an;
    for (const auto& [x, y] : o.io_map)
      if (x == an) bn = y;
    auto it = std::find_if(vb.begin(), vb.end(), [&](ir::ValueId v) { return fb.value(v).name == bn; });
    if (it == vb.end())
      throw Error(Location::in_file(b_path), std::string(what) + " '" + an + "' of A has no counterpart in B (B's " + what + "s: " +
                                                 names_of(fb, vb) + "); pair differing names with a map a_name=b_name");
    const ir::Type &ta = fa.value(a).type, &tb = fb.value(*it).type;
    const bool shapes_known = ta.is_tensor() && tb.is_tensor() && ta.shape.is_static() && tb.shape.is_static();
    const bool floats = ta.is_tensor() && tb.is_tensor() && ir::dtype_is_float(ta.dtype) && ir::dtype_is_float(tb.dtype);
    if ((shapes_known && ta.shape != tb.shape) || (ta.is_tensor() && tb.is_tensor() && ta.dtype != tb.dtype && !floats))
      throw Error(Location::in_file(b_path), std::string(what) + " '" + an + "': A has " + ta.str() + ", B has " + tb.str());
    if (floats && ta.dtype != tb.dtype)
      notes.push_back(std::string(what) + " '" + an + "' is " + std::string(ir::dtype_name(ta.dtype)) + " in A and " +
                      std::string(ir::dtype_name(tb.dtype)) + " in B: compared as floats");
    pairs.emplace_back(an, bn);
    used.insert(bn);
  }
  for (ir::ValueId b : vb)
    if (!used.count(fb.value(b).name))
      throw Error(Location::in_file(b_path), std::string(what) + " '" + fb.value(b).name + "' of B has no counterpart in A (A's " +
                                                 what + "s: " + names_of(fa, va) + ")");
}

}  // namespace

std::string_view match_mode_name(MatchMode m) {
  switch (m) {
    case MatchMode::Name: return "name";
    case MatchMode::Structure: return "structure";
    case MatchMode::Auto: return "auto";
  }
  return "auto";
}

std::optional<MatchMode> match_mode_from_name(std::string_view s) {
  for (MatchMode m : {MatchMode::Name, MatchMode::Structure, MatchMode::Auto})
    if (match_mode_name(m) == s) return m;
  return std::nullopt;
}


const OpPair* ModelMatch::pair_of_a(ir::OpId a) const {
  if (a < 0 || static_cast<size_t>(a) >= index_of_a_.size() || index_of_a_[static_cast<size_t>(a)] < 0) return nullptr;
  return &ops[static_cast<size_t>(index_of_a_[static_cast<size_t>(a)])];
}

const OpPair* ModelMatch::pair_of_b(ir::OpId b) const {
  if (b < 0 || static_cast<size_t>(b) >= index_of_b_.size() || index_of_b_[static_cast<size_t>(b)] < 0) return nullptr;
  return &ops[static_cast<size_t>(index_of_b_[static_cast<size_t>(b)])];
}

ModelMatch match_models(const ir::Model& ma, const ir::Model& mb, const ModelMatchOptions& o) {
  const ir::Function* fa = o.function_a.empty() ? ma.main_function() : ma.function(o.function_a);
  const ir::Function* fb = o.function_b.empty() ? mb.main_function() : mb.function(o.function_b);
  if (!fa) throw Error(Location::in_file(ma.path), "A has no function " + (o.function_a.empty() ? "to compare (no program)" : "'" + o.function_a + "'"));
  if (!fb) throw Error(Location::in_file(mb.path), "B has no function " + (o.function_b.empty() ? "to compare (no program)" : "'" + o.function_b + "'"));
  ModelMatch m;
  m.a = fa;
  m.b = fb;
  m.mode = o.mode;
  match_interface("input", *fa, fa->inputs, *fb, fb->inputs, o, mb.path, m.inputs, m.notes);
  match_interface("output", *fa, fa->outputs(), *fb, fb->outputs(), o, mb.path, m.outputs, m.notes);

  const Side a(*fa), b(*fb);
  std::vector<ir::OpId> b_of_a(fa->ops.size(), ir::kNone), a_of_b(fb->ops.size(), ir::kNone);
  std::vector<int64_t> b_input_of_a(fa->inputs.size(), -1);
  for (size_t i = 0; i < fa->inputs.size(); ++i)
    for (size_t k = 0; k < fb->inputs.size(); ++k)
      if (fb->value(fb->inputs[k]).name == m.inputs[i].second) b_input_of_a[i] = static_cast<int64_t>(k);

  auto take = [&](ir::OpId x, ir::OpId y) {
    b_of_a[static_cast<size_t>(x)] = y;
    a_of_b[static_cast<size_t>(y)] = x;
  };
  if (o.mode != MatchMode::Structure)
    for (ir::OpId x : a.compute_ops()) {
      const ir::Op& op = fa->op(x);
      if (op.outputs.empty()) continue;
      const ir::OpId y = b.op_with_output(fa->value(op.outputs[0]).name);
      if (y == ir::kNone || a_of_b[static_cast<size_t>(y)] != ir::kNone || a.kind(x) != b.kind(y)) continue;
      if (fb->op(y).outputs.size() != op.outputs.size()) continue;
      take(x, y);
    }
  std::vector<bool> by_structure(fa->ops.size(), false);
  if (o.mode != MatchMode::Name) {
    for (ir::OpId x : a.compute_ops()) {
      if (b_of_a[static_cast<size_t>(x)] != ir::kNone) continue;
      // A's sources in B's terms; an unmatched producer leaves this op unmatched too.
      std::vector<Source> want;
      bool known = true;
      for (const Source& s : a.sources(x)) {
        if (s.function_input) {
          const int64_t k = b_input_of_a[static_cast<size_t>(s.id)];
          if (k < 0) known = false;
          want.push_back({true, k, 0});
        } else {
          const ir::OpId y = b_of_a[static_cast<size_t>(s.id)];
          if (y == ir::kNone) known = false;
          want.push_back({false, y, s.output});
        }
      }
      if (!known || want.empty()) continue;
      std::sort(want.begin(), want.end());
      std::vector<ir::OpId> candidates;
      b.consumers(b.value_of(want.front()), candidates);
      ir::OpId best = ir::kNone;
      for (ir::OpId y : candidates) {
        if (a_of_b[static_cast<size_t>(y)] != ir::kNone || a.kind(x) != b.kind(y)) continue;
        if (!same_shapes(*fa, fa->op(x), *fb, fb->op(y)) || b.sources(y) != want) continue;
        if (best == ir::kNone || b.position(y) < b.position(best)) best = y;
      }
      if (best == ir::kNone) continue;
      take(x, best);
      by_structure[static_cast<size_t>(x)] = true;
    }
  }

  m.index_of_a_.assign(fa->ops.size(), -1);
  m.index_of_b_.assign(fb->ops.size(), -1);
  for (ir::OpId x : a.compute_ops()) {
    const ir::OpId y = b_of_a[static_cast<size_t>(x)];
    if (y == ir::kNone) {
      m.unmatched_a.push_back(x);
      continue;
    }
    const bool named = !by_structure[static_cast<size_t>(x)];
    m.index_of_a_[static_cast<size_t>(x)] = static_cast<int32_t>(m.ops.size());
    m.index_of_b_[static_cast<size_t>(y)] = static_cast<int32_t>(m.ops.size());
    m.ops.push_back({x, y, named});
    (named ? m.by_name : m.by_structure)++;
    const ir::Op &opa = fa->op(x), &opb = fb->op(y);
    for (size_t i = 0; i < opa.outputs.size(); ++i) m.a_value_of_b[fb->value(opb.outputs[i]).name] = fa->value(opa.outputs[i]).name;
  }
  for (ir::OpId y : b.compute_ops())
    if (a_of_b[static_cast<size_t>(y)] == ir::kNone) m.unmatched_b.push_back(y);
  for (const auto& [an, bn] : m.inputs) m.a_value_of_b[bn] = an;
  m.plumbing_a = a.plumbing();
  m.plumbing_b = b.plumbing();
  return m;
}

}  // namespace mlscope::compare
