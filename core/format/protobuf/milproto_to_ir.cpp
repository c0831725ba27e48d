// MIL.proto Program → ir::Function per function, every block specialization, nested blocks.
// Names resolve lexically (ir::ScopeStack): an op may only use names defined before it in its
// block or an enclosing one, so forward references and cycles are errors naming the op.
#include <algorithm>

#include "core/format/protobuf/milproto_values.h"
#include "core/format/protobuf/model_from_proto.h"
#include "core/ir/scope.h"
#include "core/util/error.h"

namespace mlscope::format::pbread {

namespace {

template <typename Map>
std::vector<std::string> sorted_keys(const Map& m) {
  std::vector<std::string> keys;
  keys.reserve(m.size());
  for (const auto& kv : m) keys.push_back(kv.first);
  std::sort(keys.begin(), keys.end());
  return keys;
}

// Map entries in key order without copying keys (protobuf map order is unspecified).
template <typename Map>
std::vector<const typename Map::value_type*> sorted_entries(const Map& m) {
  std::vector<const typename Map::value_type*> out;
  out.reserve(m.size());
  for (const auto& kv : m) out.push_back(&kv);
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  return out;
}

// Ops, values and blocks in a block tree, to size the arenas once.
void count_block(const pb::mil::Block& b, size_t& ops, size_t& values, size_t& blocks) {
  ++blocks;
  values += static_cast<size_t>(b.inputs_size());
  ops += static_cast<size_t>(b.operations_size());
  for (const auto& op : b.operations()) {
    values += static_cast<size_t>(op.outputs_size());
    for (const auto& nb : op.blocks()) count_block(nb, ops, values, blocks);
  }
}

class FunctionBuilder {
 public:
  FunctionBuilder(ReadContext& ctx, ir::Function& fn) : ctx_(ctx), fn_(fn) {}

  void build(const pb::mil::Function& pf) {
    const std::string where = "function " + fn_.name;
    fn_.opset = pf.opset();
    size_t n_ops = 0, n_values = static_cast<size_t>(pf.inputs_size()), n_blocks = 0;
    for (const auto& kv : pf.block_specializations()) count_block(kv.second, n_ops, n_values, n_blocks);
    fn_.ops.reserve(n_ops);
    fn_.values.reserve(n_values);
    fn_.blocks.reserve(n_blocks + 1);
    scopes_.push();
    // Function inputs belong to the first body (all specializations share them).
    std::vector<std::pair<std::string, ir::Type>> inputs;
    for (const auto& in : pf.inputs()) inputs.emplace_back(in.name(), convert_value_type(in.type(), ctx_, where));

    std::vector<std::string> keys = sorted_keys(pf.block_specializations());
    // Active specialization first so its body owns the function inputs.
    auto active = std::find(keys.begin(), keys.end(), pf.opset());
    if (active != keys.end()) std::rotate(keys.begin(), active, active + 1);
    bool first = true;
    for (const auto& key : keys) {
      ir::BlockId body = fn_.add_block(ir::kNone);
      fn_.specializations.push_back({key, body});
      if (first) {
        for (auto& [name, type] : inputs) {
          if (scopes_.defined_in_innermost(name))
            throw Error(Location::at_op(ctx_.file, where), "function input '" + name + "' defined twice");
          ir::ValueId v = fn_.add_value(name, type, body);
          fn_.inputs.push_back(v);
          scopes_.define(name, v);
        }
        first = false;
      }
      build_block(pf.block_specializations().at(key), body, where);
    }
    if (keys.empty() && !inputs.empty()) {
      // A function without a body still has an interface.
      ir::BlockId body = fn_.add_block(ir::kNone);
      fn_.specializations.push_back({pf.opset(), body});
      for (auto& [name, type] : inputs) fn_.inputs.push_back(fn_.add_value(name, type, body));
    }
    scopes_.pop();
  }

 private:
  // Fills `b` from `pb` (inputs already handled by the caller for nested blocks).
  void build_block(const pb::mil::Block& pbk, ir::BlockId b, const std::string& where) {
    scopes_.push();
    for (const auto& in : pbk.inputs()) {
      ir::ValueId v = fn_.add_value(in.name(), convert_value_type(in.type(), ctx_, where), b);
      fn_.blocks[static_cast<size_t>(b)].inputs.push_back(v);
      scopes_.define(in.name(), v);
    }
    for (const auto& op : pbk.operations()) build_op(op, b);
    for (const auto& out : pbk.outputs()) {
      ir::ValueId v = scopes_.resolve(out);
      if (v == ir::kNone)
        throw Error(Location::at_op(ctx_.file, where),
                    "cyclic or dangling value reference: block output '" + out + "' is not defined");
      fn_.blocks[static_cast<size_t>(b)].outputs.push_back(v);
    }
    scopes_.pop();
  }

  static std::string op_debug_name(const pb::mil::Operation& op) {
    auto it = op.attributes().find("name");
    if (it != op.attributes().end() && it->second.has_immediatevalue() && it->second.immediatevalue().has_tensor() &&
        it->second.immediatevalue().tensor().strings().values_size() == 1)
      return it->second.immediatevalue().tensor().strings().values(0);
    if (op.outputs_size() > 0) return op.outputs(0).name();
    return op.type();
  }

  void build_op(const pb::mil::Operation& pop, ir::BlockId b) {
    ir::Op op;
    op.type = pop.type();
    op.name = op_debug_name(pop);
    op.dialect = ir::Dialect::MIL;
    if (op.type.empty()) throw Error(Location::at_op(ctx_.file, op.name), "operation without a type");

    op.inputs.reserve(pop.inputs().size());
    for (const auto* entry : sorted_entries(pop.inputs())) {
      const std::string& key = entry->first;
      ir::NamedInput in;
      in.name = key;
      in.bindings.reserve(static_cast<size_t>(entry->second.arguments_size()));
      for (const auto& bind : entry->second.arguments()) {
        ir::Binding binding;
        if (bind.has_value()) {
          binding.literal = convert_value(bind.value(), ctx_, op.name);
        } else {
          binding.value = scopes_.resolve(bind.name());
          if (binding.value == ir::kNone)
            throw Error(Location::at_op(ctx_.file, op.name),
                        "cyclic or dangling value reference: input '" + key + "' names '" + bind.name() +
                            "', which is not defined before this op");
        }
        in.bindings.push_back(std::move(binding));
      }
      op.inputs.push_back(std::move(in));
    }
    for (const auto* entry : sorted_entries(pop.attributes())) {
      if (entry->first == "name") continue;
      op.attributes.push_back({entry->first, convert_value(entry->second, ctx_, op.name)});
    }
    std::vector<std::pair<std::string, ir::ValueId>> outs;
    for (const auto& o : pop.outputs()) {
      ir::ValueId v = fn_.add_value(o.name(), convert_value_type(o.type(), ctx_, op.name), b);
      op.outputs.push_back(v);
      outs.emplace_back(o.name(), v);
    }
    std::string name = op.name;
    ir::OpId id = fn_.add_op(b, std::move(op));
    // Nested blocks see the enclosing scope but not this op's own outputs.
    for (const auto& nb : pop.blocks()) {
      ir::BlockId child = fn_.add_block(id);
      build_block(nb, child, name);
    }
    for (auto& [n, v] : outs) {
      if (scopes_.defined_in_innermost(n))
        throw Error(Location::at_op(ctx_.file, name), "value '" + n + "' is defined twice in one block");
      scopes_.define(n, v);
    }
  }

  ReadContext& ctx_;
  ir::Function& fn_;
  ir::ScopeStack scopes_;
};

std::string attribute_text(const ir::Constant& c) {
  if (auto s = c.scalar_string()) return *s;
  return c.summary();
}

}  // namespace

void convert_program(const pb::mil::Program& p, ReadContext& ctx, ir::Model& out) {
  out.program_version = p.version();
  for (const auto& key : sorted_keys(p.attributes())) {
    auto c = convert_value(p.attributes().at(key), ctx, "program attribute " + key);
    if (c->type.kind == ir::Type::Kind::Dict) {
      for (size_t i = 0; i + 1 < c->elements.size(); i += 2)
        out.program_attributes[key + "." + attribute_text(c->elements[i])] = attribute_text(c->elements[i + 1]);
    } else {
      out.program_attributes[key] = attribute_text(*c);
    }
  }
  std::vector<std::string> names = sorted_keys(p.functions());
  // "main" (or the default function) first: readers and tools treat the first as the entry.
  std::string entry = out.default_function.empty() ? "main" : out.default_function;
  auto it = std::find(names.begin(), names.end(), entry);
  if (it != names.end()) std::rotate(names.begin(), it, it + 1);
  for (const auto& name : names) {
    ir::Function fn;
    fn.name = name;
    fn.dialect = ir::Dialect::MIL;
    FunctionBuilder(ctx, fn).build(p.functions().at(name));
    fn.rebuild_uses();
    out.functions.push_back(std::move(fn));
  }
}

}  // namespace mlscope::format::pbread
