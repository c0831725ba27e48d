// Layered (top-to-bottom) layout of one ir::Function as plain geometry: node boxes, edge
// polylines and group boxes for nested blocks. No ImGui here: the graph widget only draws this.
//
// Pipeline per block (Sugiyama): longest-path layering (sources pulled down next to their first
// consumer) -> dummy nodes on long edges -> barycenter sweeps keeping the best order + adjacent
// transpositions -> coordinates by isotonic regression (PAVA) -> edges routed through the dummies,
// so an edge only ever runs in the gaps between nodes. Nested blocks (cond / while_loop bodies)
// are laid out first and become the size of their owning op's node (a compound node).
#pragma once

#include <cstdint>
#include <vector>

#include "core/ir/function.h"
#include "core/util/cancel.h"

namespace mlscope::layout {

struct Point {
  float x = 0, y = 0;
};

struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
  float right() const { return x + w; }
  float bottom() const { return y + h; }
  bool overlaps(const Rect& o) const { return x < o.right() && o.x < right() && y < o.bottom() && o.y < bottom(); }
};

enum class NodeKind : uint8_t { Op, FunctionInput, FunctionOutput };

struct LayoutNode {
  NodeKind kind = NodeKind::Op;
  int32_t id = ir::kNone;       ///< OpId for ops, ValueId for function inputs/outputs
  ir::BlockId block = ir::kNone;  ///< block the node sits in
  int32_t layer = 0;            ///< layer inside its block
  int32_t folded_constants = 0;  ///< const inputs hidden inside this node
  bool compound = false;        ///< op with nested blocks: rect encloses their groups
  bool collapsed = false;       ///< op with nested blocks drawn as one node (LayoutOptions::collapsed)
  Rect rect;
};

struct LayoutEdge {
  int32_t from = -1, to = -1;  ///< node indices
  ir::ValueId value = ir::kNone;  ///< first value carried (several values may share an edge)
  uint32_t first_point = 0, point_count = 0;  ///< range in GraphLayout::points
};

/// A nested block drawn as a box inside its owning (compound) op node.
struct LayoutGroup {
  ir::BlockId block = ir::kNone;
  ir::OpId owner = ir::kNone;
  int32_t depth = 1;
  Rect rect;
};

enum class Ordering : uint8_t {
  Improved,  ///< sources pulled down, best-of-sweeps barycenter + transpose (the default)
  Baseline,  ///< plain longest-path + barycenter sweeps, last order kept (reference for tests)
};

struct LayoutOptions {
  bool show_constants = false;  ///< false: `const` ops are folded into their consumers
  float node_width = 168, node_height = 44;  ///< room for two label lines at zoom 1
  float node_gap = 24;     ///< horizontal gap between neighbours in a layer
  float layer_gap = 34;    ///< vertical gap between layers (edges run here)
  float dummy_width = 6;   ///< width reserved for an edge passing through a layer
  float group_padding = 12, group_header = 30;
  int sweeps = 6;          ///< barycenter sweeps (down+up count as two)
  Ordering ordering = Ordering::Improved;
  CancelToken cancel;  ///< checked between blocks; returns a partial layout
  /// Ops with nested blocks (cond / while_loop) drawn collapsed: one plain node, blocks not laid
  /// out (edges into their bodies end at that node). Sorted ascending.
  std::vector<ir::OpId> collapsed;
};

struct GraphLayout {
  std::vector<LayoutNode> nodes;
  std::vector<LayoutEdge> edges;
  std::vector<Point> points;  ///< all edge polylines, back to back
  std::vector<LayoutGroup> groups;
  std::vector<int32_t> node_of_op;  ///< OpId -> node index, -1 when hidden (folded const)
  Rect bounds;
  int64_t crossings = 0;       ///< edge crossings between adjacent layers, summed over blocks
  int32_t dummy_nodes = 0;
  bool cancelled = false;

  int32_t node_for_op(ir::OpId op) const {
    return op >= 0 && static_cast<size_t>(op) < node_of_op.size() ? node_of_op[static_cast<size_t>(op)] : -1;
  }
};

/// Lays out the active specialization of `fn`. Deterministic for equal input and options.
GraphLayout layout_function(const ir::Function& fn, const LayoutOptions& options = {});

}  // namespace mlscope::layout
