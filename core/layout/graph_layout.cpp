// IR -> layered graph per block -> geometry (see graph_layout.h).
#include "core/layout/graph_layout.h"

#include <algorithm>
#include <unordered_set>

#include "core/layout/layered_graph.h"

namespace mlscope::layout {
namespace {

struct Size {
  float w = 0, h = 0;
};

class BlockLayouter {
 public:
  BlockLayouter(const ir::Function& fn, const LayoutOptions& opt, GraphLayout& out) : fn_(fn), opt_(opt), out_(out) {
    out_.node_of_op.assign(fn.ops.size(), -1);
  }

  /// Lays out block `b` with its top-left corner at (0,0) and returns its size. Everything it
  /// emits (also for nested blocks) lands at the end of out_'s vectors.
  Size lay_block(ir::BlockId b, bool top_level) {
    if (opt_.cancel.requested()) { out_.cancelled = true; return {}; }
    const ir::Block& block = fn_.block(b);
    detail::LayeredGraph g;
    struct Local { NodeKind kind; int32_t id; int32_t folded = 0; bool compound = false, collapsed = false; };
    std::vector<Local> locals;
    std::vector<int32_t> local_of_op_here;  // parallel to block.ops
    struct Child { ir::BlockId block; size_t node_begin, point_begin, group_begin, node_end = 0, point_end = 0, group_end = 0; Size size; };
    std::vector<std::vector<Child>> children;  // per local node

    auto add_local = [&](NodeKind kind, int32_t id, Size s, bool pinned) {
      g.add_node(s.w, s.h, pinned);
      locals.push_back({kind, id});
      children.emplace_back();
      return static_cast<int32_t>(locals.size() - 1);
    };

    std::vector<int32_t> input_local;  // function input index -> local node
    if (top_level)
      for (ir::ValueId v : fn_.inputs) input_local.push_back(add_local(NodeKind::FunctionInput, v, {opt_.node_width, opt_.node_height * 0.8f}, true));

    for (ir::OpId o : block.ops) {
      const ir::Op& op = fn_.op(o);
      if (op.is_const() && !opt_.show_constants && op.blocks.empty()) { local_of_op_here.push_back(-1); continue; }
      std::vector<Child> kids;
      Size size{opt_.node_width, opt_.node_height};
      const bool collapsed = !op.blocks.empty() && std::binary_search(opt_.collapsed.begin(), opt_.collapsed.end(), o);
      if (!op.blocks.empty() && !collapsed) {
        float w = opt_.group_padding, h = 0;
        for (ir::BlockId child : op.blocks) {
          Child c{child, out_.nodes.size(), out_.points.size(), out_.groups.size(), 0, 0, 0, {}};
          c.size = lay_block(child, false);
          c.node_end = out_.nodes.size();
          c.point_end = out_.points.size();
          c.group_end = out_.groups.size();
          if (c.size.w <= 0) c.size = {opt_.node_width * 0.5f, opt_.node_height * 0.5f};  // empty block
          w += c.size.w + opt_.group_padding * 2;
          h = std::max(h, c.size.h);
          kids.push_back(c);
        }
        size = {std::max(opt_.node_width, w), opt_.group_header + opt_.group_padding * 2 + h + opt_.group_padding};
      }
      const int32_t local = add_local(NodeKind::Op, o, size, false);
      locals[static_cast<size_t>(local)].compound = !kids.empty();
      locals[static_cast<size_t>(local)].collapsed = collapsed;
      children[static_cast<size_t>(local)] = std::move(kids);
      local_of_op_here.push_back(local);
    }
    auto local_for_op = [&](ir::OpId ancestor) -> int32_t {
      const auto& ops = block.ops;
      // block.ops is in program order, ids ascending in practice; fall back to a scan otherwise.
      auto it = std::lower_bound(ops.begin(), ops.end(), ancestor);
      if (it != ops.end() && *it == ancestor) return local_of_op_here[static_cast<size_t>(it - ops.begin())];
      for (size_t i = 0; i < ops.size(); ++i)
        if (ops[i] == ancestor) return local_of_op_here[i];
      return -1;
    };

    // --- edges: one per (producer node, consumer node) pair ---
    std::unordered_set<uint64_t> seen;
    std::vector<ir::ValueId> edge_value;
    auto connect = [&](int32_t from, int32_t to, ir::ValueId v) {
      if (from < 0 || to < 0 || from == to) return;
      const uint64_t key = (static_cast<uint64_t>(static_cast<uint32_t>(from)) << 32) | static_cast<uint32_t>(to);
      if (!seen.insert(key).second) return;
      g.add_edge(from, to);
      edge_value.push_back(v);
    };
    auto source_of = [&](ir::ValueId v, int32_t consumer) -> int32_t {
      if (v < 0 || static_cast<size_t>(v) >= fn_.values.size()) return -1;
      const ir::Value& val = fn_.value(v);
      if (val.producer == ir::kNone) {
        if (!top_level) return -1;
        for (size_t i = 0; i < fn_.inputs.size(); ++i)
          if (fn_.inputs[i] == v) return input_local[i];
        return -1;
      }
      const ir::OpId anc = ancestor_in(val.producer, b);
      if (anc == ir::kNone) return -1;
      const int32_t local = local_for_op(anc);
      if (local < 0 && consumer >= 0 && fn_.op(anc).is_const()) ++locals[static_cast<size_t>(consumer)].folded;
      return local;
    };
    for (size_t i = 0; i < block.ops.size(); ++i) {
      const int32_t consumer = local_of_op_here[i];
      if (consumer < 0) continue;
      // The op's own inputs, then inputs of ops nested inside it that come from this block.
      for_each_input(block.ops[i], [&](ir::ValueId v, bool direct) {
        const int32_t src = source_of(v, direct ? consumer : -1);
        connect(src, consumer, v);
      });
    }
    if (top_level)
      for (ir::ValueId v : block.outputs) {
        const int32_t out_node = add_local(NodeKind::FunctionOutput, v, {opt_.node_width, opt_.node_height * 0.8f}, false);
        connect(source_of(v, -1), out_node, v);
      }

    // --- Sugiyama ---
    const bool improved = opt_.ordering == Ordering::Improved;
    detail::assign_layers(g, improved);
    detail::insert_dummies(g, opt_.dummy_width, 0.0f);
    detail::order_layers(g, opt_.sweeps, improved, improved);
    detail::assign_coordinates(g, opt_.node_gap, opt_.layer_gap);
    out_.crossings += detail::count_crossings(g);
    out_.dummy_nodes += static_cast<int32_t>(g.width.size() - g.real_nodes);

    // --- emit nodes (and move nested blocks into their compound nodes) ---
    Size size;
    std::vector<int32_t> global(locals.size());
    for (size_t v = 0; v < locals.size(); ++v) {
      LayoutNode n;
      n.kind = locals[v].kind;
      n.id = locals[v].id;
      n.block = b;
      n.layer = g.layer[v];
      n.folded_constants = locals[v].folded;
      n.compound = locals[v].compound;
      n.collapsed = locals[v].collapsed;
      n.rect = {g.x[v] - g.width[v] / 2, g.layer_top[static_cast<size_t>(g.layer[v])], g.width[v], g.height[v]};
      size.w = std::max(size.w, n.rect.right());
      size.h = std::max(size.h, n.rect.bottom());
      global[v] = static_cast<int32_t>(out_.nodes.size());
      if (n.kind == NodeKind::Op) out_.node_of_op[static_cast<size_t>(n.id)] = global[v];
      float cx = n.rect.x + opt_.group_padding;
      const float cy = n.rect.y + opt_.group_header + opt_.group_padding;
      for (const Child& c : children[v]) {
        const float ox = cx + opt_.group_padding, oy = cy;
        translate(c, ox, oy);
        const float pad = opt_.group_padding * 0.8f;
        out_.groups.push_back({c.block, n.id, fn_.block_depth(c.block), {ox - pad, oy - pad, c.size.w + 2 * pad, c.size.h + 2 * pad}});
        cx += c.size.w + opt_.group_padding * 2;
      }
      out_.nodes.push_back(n);
    }
    // --- edges: source bottom -> each dummy's layer band -> target top ---
    for (size_t e = 0; e < g.chains.size(); ++e) {
      const auto& chain = g.chains[e];
      LayoutEdge edge;
      edge.from = global[static_cast<size_t>(chain.front())];
      edge.to = global[static_cast<size_t>(chain.back())];
      edge.value = edge_value[e];
      edge.first_point = static_cast<uint32_t>(out_.points.size());
      const Rect& src = out_.nodes[static_cast<size_t>(edge.from)].rect;
      out_.points.push_back({src.x + src.w / 2, src.bottom()});
      {  // Drop to the bottom of the source's layer first: a taller neighbour may fill that band.
        const size_t l = static_cast<size_t>(g.layer[static_cast<size_t>(chain.front())]);
        const float band_bottom = g.layer_top[l] + g.layer_height[l];
        if (band_bottom > src.bottom() + 0.5f) out_.points.push_back({src.x + src.w / 2, band_bottom});
      }
      for (size_t k = 1; k + 1 < chain.size(); ++k) {
        const size_t d = static_cast<size_t>(chain[k]);
        const size_t l = static_cast<size_t>(g.layer[d]);
        out_.points.push_back({g.x[d], g.layer_top[l]});
        out_.points.push_back({g.x[d], g.layer_top[l] + g.layer_height[l]});
      }
      const Rect& dst = out_.nodes[static_cast<size_t>(edge.to)].rect;
      out_.points.push_back({dst.x + dst.w / 2, dst.y});
      edge.point_count = static_cast<uint32_t>(out_.points.size()) - edge.first_point;
      out_.edges.push_back(edge);
    }
    return size;
  }

 private:
  /// The op in block `b` that is `op` or contains it, kNone if `op` is not inside `b`.
  ir::OpId ancestor_in(ir::OpId op, ir::BlockId b) const {
    for (int guard = 0; op != ir::kNone && guard < 1024; ++guard) {
      if (op < 0 || static_cast<size_t>(op) >= fn_.ops.size()) return ir::kNone;
      const ir::BlockId parent = fn_.op(op).parent;
      if (parent == b) return op;
      if (parent < 0 || static_cast<size_t>(parent) >= fn_.blocks.size()) return ir::kNone;
      op = fn_.block(parent).parent_op;
    }
    return ir::kNone;
  }

  template <class Fn>
  void for_each_input(ir::OpId o, Fn&& fn, bool direct = true) const {
    const ir::Op& op = fn_.op(o);
    for (const auto& in : op.inputs)
      for (const auto& bind : in.bindings)
        if (!bind.is_literal()) fn(bind.value, direct);
    for (ir::BlockId child : op.blocks) {
      if (child < 0 || static_cast<size_t>(child) >= fn_.blocks.size()) continue;
      for (ir::OpId inner : fn_.block(child).ops) for_each_input(inner, fn, false);
      for (ir::ValueId v : fn_.block(child).outputs) fn(v, false);
    }
  }

  template <class Child>
  void translate(const Child& c, float dx, float dy) {
    // A nested block emits everything (its own nested blocks included) as one contiguous range.
    for (size_t i = c.node_begin; i < c.node_end; ++i) { out_.nodes[i].rect.x += dx; out_.nodes[i].rect.y += dy; }
    for (size_t i = c.point_begin; i < c.point_end; ++i) { out_.points[i].x += dx; out_.points[i].y += dy; }
    for (size_t i = c.group_begin; i < c.group_end; ++i) { out_.groups[i].rect.x += dx; out_.groups[i].rect.y += dy; }
  }

  const ir::Function& fn_;
  const LayoutOptions& opt_;
  GraphLayout& out_;
};

}  // namespace

GraphLayout layout_function(const ir::Function& fn, const LayoutOptions& options) {
  GraphLayout out;
  const ir::BlockId body = fn.body();
  if (body == ir::kNone || static_cast<size_t>(body) >= fn.blocks.size()) return out;
  BlockLayouter layouter(fn, options, out);
  const auto size = layouter.lay_block(body, true);
  out.bounds = {0, 0, size.w, size.h};
  return out;
}

}  // namespace mlscope::layout
