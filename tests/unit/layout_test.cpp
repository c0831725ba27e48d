// core/layout: layering, overlaps, edge routing, determinism, crossings vs the plain baseline.
#include <gtest/gtest.h>

#include "core/layout/graph_layout.h"
#include "tests/support/ir_builders.h"

using namespace mlscope;
using namespace mlscope::layout;

namespace {

bool contains(const Rect& outer, const Rect& inner) {
  return inner.x >= outer.x - 0.01f && inner.y >= outer.y - 0.01f && inner.right() <= outer.right() + 0.01f &&
         inner.bottom() <= outer.bottom() + 0.01f;
}

// Does segment a-b pass through the interior of r (shrunk by 1 px so touching ends don't count)?
bool segment_hits(Point a, Point b, Rect r) {
  r = {r.x + 1, r.y + 1, r.w - 2, r.h - 2};
  // Liang-Barsky clip.
  float t0 = 0, t1 = 1;
  const float dx = b.x - a.x, dy = b.y - a.y;
  const float p[4] = {-dx, dx, -dy, dy};
  const float q[4] = {a.x - r.x, r.right() - a.x, a.y - r.y, r.bottom() - a.y};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) { if (q[i] < 0) return false; continue; }
    const float t = q[i] / p[i];
    if (p[i] < 0) t0 = std::max(t0, t); else t1 = std::min(t1, t);
    if (t0 > t1) return false;
  }
  return true;
}

void expect_sound(const ir::Function& fn, const GraphLayout& g) {
  ASSERT_FALSE(g.nodes.empty());
  // Every edge points down: the consumer starts below the producer's bottom.
  for (const auto& e : g.edges) {
    const Rect& a = g.nodes[static_cast<size_t>(e.from)].rect;
    const Rect& b = g.nodes[static_cast<size_t>(e.to)].rect;
    EXPECT_LT(a.bottom(), b.y + 0.01f) << "edge " << e.from << "->" << e.to;
    ASSERT_GE(e.point_count, 2u);
  }
  // No two nodes overlap unless one is a compound node holding the other.
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (size_t j = i + 1; j < g.nodes.size(); ++j) {
      const Rect &a = g.nodes[i].rect, &b = g.nodes[j].rect;
      if (!a.overlaps(b)) continue;
      const bool nested = (g.nodes[i].compound && contains(a, b)) || (g.nodes[j].compound && contains(b, a));
      EXPECT_TRUE(nested) << "nodes " << i << " and " << j << " overlap";
    }
  // Edges never run through a node other than their ends (or compound nodes around them).
  for (const auto& e : g.edges)
    for (uint32_t k = 0; k + 1 < e.point_count; ++k) {
      const Point a = g.points[e.first_point + k], b = g.points[e.first_point + k + 1];
      for (size_t n = 0; n < g.nodes.size(); ++n) {
        if (static_cast<int32_t>(n) == e.from || static_cast<int32_t>(n) == e.to || g.nodes[n].compound) continue;
        EXPECT_FALSE(segment_hits(a, b, g.nodes[n].rect)) << "edge " << e.from << "->" << e.to << " crosses node " << n;
      }
    }
  for (const auto& n : g.nodes) EXPECT_TRUE(contains(g.bounds, n.rect));
  (void)fn;
}

}  // namespace

TEST(Layout, ChainIsSoundAndFoldsConstants) {
  const auto fn = fixtures::chain_program(20);
  const auto g = layout_function(fn);
  expect_sound(fn, g);
  // 80 compute ops + 1 input + 1 output; 60 consts folded.
  EXPECT_EQ(g.nodes.size(), 82u);
  int folded = 0;
  for (const auto& n : g.nodes) folded += n.folded_constants;
  EXPECT_EQ(folded, 60);
  for (size_t o = 0; o < fn.ops.size(); ++o)
    EXPECT_EQ(g.node_for_op(static_cast<ir::OpId>(o)) < 0, fn.ops[o].is_const()) << fn.ops[o].name;
  EXPECT_EQ(g.crossings, 0);

  LayoutOptions show;
  show.show_constants = true;
  const auto with_consts = layout_function(fn, show);
  expect_sound(fn, with_consts);
  EXPECT_EQ(with_consts.nodes.size(), 142u);
}

TEST(Layout, RandomDagsAreSoundAndBeatBaseline) {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    const auto fn = fixtures::random_dag(120, seed);
    const auto improved = layout_function(fn);
    expect_sound(fn, improved);
    LayoutOptions base;
    base.ordering = Ordering::Baseline;
    const auto baseline = layout_function(fn, base);
    expect_sound(fn, baseline);
    EXPECT_LE(improved.crossings, baseline.crossings) << "seed " << seed;
    EXPECT_GT(baseline.crossings, 0) << "seed " << seed << ": graph too easy to compare";
  }
}

TEST(Layout, IsDeterministic) {
  const auto fn = fixtures::random_dag(200, 42);
  const auto a = layout_function(fn), b = layout_function(fn);
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  ASSERT_EQ(a.points.size(), b.points.size());
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    EXPECT_EQ(a.nodes[i].id, b.nodes[i].id);
    EXPECT_EQ(a.nodes[i].rect.x, b.nodes[i].rect.x);
    EXPECT_EQ(a.nodes[i].rect.y, b.nodes[i].rect.y);
  }
  for (size_t i = 0; i < a.points.size(); ++i) {
    EXPECT_EQ(a.points[i].x, b.points[i].x);
    EXPECT_EQ(a.points[i].y, b.points[i].y);
  }
  EXPECT_EQ(a.crossings, b.crossings);
}

TEST(Layout, NestedBlocksBecomeGroupsInsideTheirOp) {
  const auto fn = fixtures::program_with_cond();
  const auto g = layout_function(fn);
  expect_sound(fn, g);
  ASSERT_EQ(g.groups.size(), 2u);
  const ir::OpId cond = fn.find_op("cond_0");
  const int32_t cond_node = g.node_for_op(cond);
  ASSERT_GE(cond_node, 0);
  EXPECT_TRUE(g.nodes[static_cast<size_t>(cond_node)].compound);
  for (const auto& grp : g.groups) {
    EXPECT_EQ(grp.owner, cond);
    EXPECT_TRUE(contains(g.nodes[static_cast<size_t>(cond_node)].rect, grp.rect));
    EXPECT_FALSE(grp.rect.overlaps(g.groups[grp.block == g.groups[0].block ? 1 : 0].rect));
  }
  // Ops of each nested block sit inside that block's group.
  for (const auto& n : g.nodes) {
    if (n.block == fn.body()) continue;
    bool inside = false;
    for (const auto& grp : g.groups) inside |= grp.block == n.block && contains(grp.rect, n.rect);
    EXPECT_TRUE(inside) << fn.op(n.id).name;
  }
  // The outer input x feeds ops inside the cond: drawn as one edge into the cond node.
  bool x_to_cond = false;
  for (const auto& e : g.edges)
    x_to_cond |= g.nodes[static_cast<size_t>(e.from)].kind == NodeKind::FunctionInput && e.to == cond_node;
  EXPECT_TRUE(x_to_cond);
}

TEST(Layout, TenThousandOpChainHasNoCrossings) {
  const auto fn = fixtures::chain_program(2500);
  const auto g = layout_function(fn);
  EXPECT_EQ(g.nodes.size(), 10002u);
  EXPECT_EQ(g.crossings, 0);
  // A repeated pattern must not drift sideways: the chain stays a narrow column.
  EXPECT_LT(g.bounds.w, 4 * LayoutOptions{}.node_width);
  for (const auto& e : g.edges)
    EXPECT_LT(g.nodes[static_cast<size_t>(e.from)].rect.bottom(), g.nodes[static_cast<size_t>(e.to)].rect.y + 0.01f);
}

TEST(Layout, CancelStopsEarly) {
  const auto fn = fixtures::chain_program(50);
  std::atomic<bool> cancel{true};
  LayoutOptions opt;
  opt.cancel = cancel;
  const auto g = layout_function(fn, opt);
  EXPECT_TRUE(g.cancelled);
}

TEST(Layout, CollapsedControlFlowOpIsOnePlainNode) {
  const auto fn = fixtures::program_with_cond();
  const ir::OpId cond = fn.find_op("cond_0");
  const auto open = layout_function(fn);
  LayoutOptions opt;
  opt.collapsed = {cond};
  const auto g = layout_function(fn, opt);
  expect_sound(fn, g);
  EXPECT_TRUE(g.groups.empty());
  const int32_t node = g.node_for_op(cond);
  ASSERT_GE(node, 0);
  const auto& n = g.nodes[static_cast<size_t>(node)];
  EXPECT_TRUE(n.collapsed);
  EXPECT_FALSE(n.compound);
  EXPECT_EQ(n.rect.w, opt.node_width);
  EXPECT_EQ(n.rect.h, opt.node_height);
  // The body ops are hidden; everything else is still there and the outer input still feeds it.
  for (const auto& other : g.nodes) EXPECT_EQ(other.block, fn.body());
  EXPECT_LT(g.nodes.size(), open.nodes.size());
  EXPECT_LT(g.bounds.h, open.bounds.h);
  bool x_to_cond = false;
  for (const auto& e : g.edges) x_to_cond |= g.nodes[static_cast<size_t>(e.from)].kind == NodeKind::FunctionInput && e.to == node;
  EXPECT_TRUE(x_to_cond);
}
