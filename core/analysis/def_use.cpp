#include "core/analysis/def_use.h"

#include <algorithm>

namespace mlscope::analysis {

DefUse::DefUse(const ir::Function& f) : f_(f), uses_(f.values.size()) {
  for (size_t o = 0; o < f.ops.size(); ++o) {
    const ir::Op& op = f.ops[o];
    for (size_t i = 0; i < op.inputs.size(); ++i)
      for (size_t b = 0; b < op.inputs[i].bindings.size(); ++b) {
        ir::ValueId v = op.inputs[i].bindings[b].value;
        if (v >= 0 && static_cast<size_t>(v) < uses_.size())
          uses_[static_cast<size_t>(v)].push_back({static_cast<ir::OpId>(o), static_cast<int32_t>(i), static_cast<int32_t>(b)});
      }
  }
}

ir::OpId DefUse::producer(ir::ValueId v) const {
  if (v < 0 || static_cast<size_t>(v) >= f_.values.size()) return ir::kNone;
  return f_.value(v).producer;
}

ir::ValueId DefUse::origin(ir::ValueId v) const {
  // Bounded: each step moves to an enclosing block, so nesting depth limits the loop.
  for (int guard = 0; guard < 256 && v >= 0 && static_cast<size_t>(v) < f_.values.size(); ++guard) {
    const ir::Value& val = f_.value(v);
    if (val.producer != ir::kNone || val.block < 0 || static_cast<size_t>(val.block) >= f_.blocks.size()) return v;
    const ir::Block& blk = f_.block(val.block);
    if (blk.parent_op == ir::kNone) return v;  // function input
    auto it = std::find(blk.inputs.begin(), blk.inputs.end(), v);
    if (it == blk.inputs.end()) return v;
    const ir::NamedInput* lv = f_.op(blk.parent_op).input("loop_vars");
    size_t idx = static_cast<size_t>(it - blk.inputs.begin());
    if (!lv || idx >= lv->bindings.size() || lv->bindings[idx].is_literal()) return v;
    v = lv->bindings[idx].value;
  }
  return v;
}

std::vector<ir::ValueId> DefUse::block_results(ir::OpId o, int output) const {
  std::vector<ir::ValueId> out;
  if (o < 0 || output < 0) return out;
  for (ir::BlockId b : f_.op(o).blocks) {
    const auto& outs = f_.block(b).outputs;
    // while_loop's body outputs include the condition-free loop vars; cond blocks map 1:1.
    if (static_cast<size_t>(output) < outs.size()) out.push_back(outs[static_cast<size_t>(output)]);
  }
  return out;
}

std::vector<ir::OpId> DefUse::users_of(ir::OpId o) const {
  std::vector<ir::OpId> out;
  for (ir::ValueId v : f_.op(o).outputs)
    for (const ir::Use& u : uses(v)) out.push_back(u.op);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<ir::ValueId> DefUse::operands(ir::OpId o) const {
  std::vector<ir::ValueId> out;
  for (const auto& in : f_.op(o).inputs)
    for (const auto& b : in.bindings)
      if (!b.is_literal()) out.push_back(b.value);
  return out;
}

bool DefUse::is_function_input(ir::ValueId v) const {
  return std::find(f_.inputs.begin(), f_.inputs.end(), v) != f_.inputs.end();
}

void DefUse::walk_producers(ir::ValueId v, const std::function<bool(ir::OpId)>& fn) const {
  std::vector<char> seen(f_.ops.size(), 0);
  std::vector<ir::ValueId> stack{v};
  while (!stack.empty()) {
    ir::ValueId cur = origin(stack.back());
    stack.pop_back();
    ir::OpId p = producer(cur);
    if (p == ir::kNone || seen[static_cast<size_t>(p)]) continue;
    seen[static_cast<size_t>(p)] = 1;
    if (!fn(p)) continue;
    for (ir::ValueId in : operands(p)) stack.push_back(in);
  }
}

void DefUse::walk_users(ir::OpId o, const std::function<bool(ir::OpId)>& fn) const {
  std::vector<char> seen(f_.ops.size(), 0);
  std::vector<ir::OpId> stack{o};
  while (!stack.empty()) {
    ir::OpId cur = stack.back();
    stack.pop_back();
    for (ir::OpId u : users_of(cur)) {
      if (seen[static_cast<size_t>(u)]) continue;
      seen[static_cast<size_t>(u)] = 1;
      if (fn(u)) stack.push_back(u);
    }
  }
}

}  // namespace mlscope::analysis
