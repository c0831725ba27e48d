#include "core/ir/function.h"

namespace mlscope::ir {

const NamedInput* Op::input(std::string_view n) const {
  for (const auto& i : inputs)
    if (i.name == n) return &i;
  return nullptr;
}

const Attribute* Op::attribute(std::string_view n) const {
  for (const auto& a : attributes)
    if (a.name == n) return &a;
  return nullptr;
}

const Constant* Op::attribute_value(std::string_view n) const {
  const Attribute* a = attribute(n);
  return a ? a->value.get() : nullptr;
}

std::string Op::qualified_type() const { return dialect == Dialect::NeuralNetwork ? "nn." + type : type; }

BlockId Function::body() const {
  for (const auto& s : specializations)
    if (s.opset == opset) return s.body;
  return specializations.empty() ? kNone : specializations.front().body;
}

ValueId Function::add_value(std::string n, Type t, BlockId b, OpId producer, int32_t output) {
  Value v;
  v.name = std::move(n);
  v.type = std::move(t);
  v.block = b;
  v.producer = producer;
  v.producer_output = output;
  values.push_back(std::move(v));
  return static_cast<ValueId>(values.size() - 1);
}

BlockId Function::add_block(OpId parent_op) {
  Block b;
  b.parent_op = parent_op;
  if (parent_op != kNone) {
    Op& o = ops.at(static_cast<size_t>(parent_op));
    b.index_in_parent = static_cast<int32_t>(o.blocks.size());
    blocks.push_back(std::move(b));
    o.blocks.push_back(static_cast<BlockId>(blocks.size() - 1));
  } else {
    blocks.push_back(std::move(b));
  }
  return static_cast<BlockId>(blocks.size() - 1);
}

OpId Function::add_op(BlockId b, Op o) {
  o.parent = b;
  ops.push_back(std::move(o));
  OpId id = static_cast<OpId>(ops.size() - 1);
  blocks.at(static_cast<size_t>(b)).ops.push_back(id);
  const auto& outs = ops.back().outputs;
  for (size_t i = 0; i < outs.size(); ++i) {
    Value& v = values.at(static_cast<size_t>(outs[i]));
    v.producer = id;
    v.producer_output = static_cast<int32_t>(i);
    v.block = b;
  }
  return id;
}

void Function::rebuild_uses() {
  for (auto& v : values) v.uses.clear();
  for (size_t o = 0; o < ops.size(); ++o) {
    const Op& op = ops[o];
    for (size_t i = 0; i < op.inputs.size(); ++i)
      for (size_t b = 0; b < op.inputs[i].bindings.size(); ++b) {
        ValueId v = op.inputs[i].bindings[b].value;
        if (v >= 0 && static_cast<size_t>(v) < values.size())
          values[static_cast<size_t>(v)].uses.push_back({static_cast<OpId>(o), static_cast<int32_t>(i), static_cast<int32_t>(b)});
      }
  }
}

namespace {
bool walk_block(const Function& f, BlockId b, const std::function<bool(OpId)>& fn) {
  for (OpId o : f.block(b).ops) {
    if (!fn(o)) return false;
    for (BlockId nb : f.op(o).blocks)
      if (!walk_block(f, nb, fn)) return false;
  }
  return true;
}
}  // namespace

void Function::walk(const std::function<bool(OpId)>& fn) const {
  BlockId b = body();
  if (b != kNone) walk_block(*this, b, fn);
}

void Function::walk_all(const std::function<bool(OpId)>& fn) const {
  for (const auto& s : specializations)
    if (!walk_block(*this, s.body, fn)) return;
}

std::vector<OpId> Function::program_order() const {
  std::vector<OpId> order;
  order.reserve(ops.size());
  walk([&](OpId o) { order.push_back(o); return true; });
  return order;
}

std::string Function::block_path(BlockId b) const {
  std::string path;
  while (b != kNone) {
    const Block& blk = block(b);
    if (blk.parent_op == kNone) break;
    const Op& parent = op(blk.parent_op);
    std::string part = (parent.name.empty() ? parent.type : parent.name) + "/block" + std::to_string(blk.index_in_parent);
    path = path.empty() ? part : part + "/" + path;
    b = parent.parent;
  }
  return path;
}

int Function::block_depth(BlockId b) const {
  int d = 0;
  while (b != kNone && block(b).parent_op != kNone) {
    ++d;
    b = op(block(b).parent_op).parent;
  }
  return d;
}

ValueId Function::find_value(std::string_view n) const {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i].name == n) return static_cast<ValueId>(i);
  return kNone;
}

OpId Function::find_op(std::string_view n) const {
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].name == n) return static_cast<OpId>(i);
    for (ValueId v : ops[i].outputs)
      if (values[static_cast<size_t>(v)].name == n) return static_cast<OpId>(i);
  }
  return kNone;
}

}  // namespace mlscope::ir
