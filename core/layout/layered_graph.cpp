// Sugiyama steps on an abstract DAG (see layered_graph.h).
#include "core/layout/layered_graph.h"

#include <algorithm>
#include <numeric>

namespace mlscope::layout::detail {

int32_t LayeredGraph::add_node(float w, float h, bool pinned) {
  width.push_back(w);
  height.push_back(h);
  is_dummy.push_back(0);
  pinned_top.push_back(pinned ? 1 : 0);
  succ.emplace_back();
  pred.emplace_back();
  real_nodes = width.size();
  return static_cast<int32_t>(width.size() - 1);
}

void LayeredGraph::add_edge(int32_t u, int32_t v) {
  edges.emplace_back(u, v);
  succ[static_cast<size_t>(u)].push_back(v);
  pred[static_cast<size_t>(v)].push_back(u);
}

// ---------------------------------------------------------------------------------------------
// Layering

void assign_layers(LayeredGraph& g, bool pull_sources_down) {
  const size_t n = g.width.size();
  g.layer.assign(n, 0);
  // Kahn's order; the IR is in program order already, but a bad file must not make us loop.
  std::vector<int32_t> indeg(n, 0), order;
  order.reserve(n);
  for (size_t v = 0; v < n; ++v) indeg[v] = static_cast<int32_t>(g.pred[v].size());
  for (size_t v = 0; v < n; ++v)
    if (indeg[v] == 0) order.push_back(static_cast<int32_t>(v));
  for (size_t i = 0; i < order.size(); ++i)
    for (int32_t s : g.succ[static_cast<size_t>(order[i])])
      if (--indeg[static_cast<size_t>(s)] == 0) order.push_back(s);
  std::vector<uint8_t> done(n, 0);
  for (int32_t v : order) done[static_cast<size_t>(v)] = 1;
  for (size_t v = 0; v < n; ++v)  // nodes on a cycle: appended in index order
    if (!done[v]) order.push_back(static_cast<int32_t>(v));
  std::fill(done.begin(), done.end(), 0);
  for (int32_t v : order) {
    int32_t l = 0;
    for (int32_t p : g.pred[static_cast<size_t>(v)])
      if (done[static_cast<size_t>(p)]) l = std::max(l, g.layer[static_cast<size_t>(p)] + 1);
    g.layer[static_cast<size_t>(v)] = l;
    done[static_cast<size_t>(v)] = 1;
  }
  // Drop back-edges left by a cycle so every edge points strictly down.
  for (auto& [u, v] : g.edges)
    if (g.layer[static_cast<size_t>(v)] <= g.layer[static_cast<size_t>(u)]) v = -1;
  std::erase_if(g.edges, [](const auto& e) { return e.second < 0; });
  for (size_t v = 0; v < n; ++v) { g.succ[v].clear(); g.pred[v].clear(); }
  for (auto [u, v] : g.edges) { g.succ[static_cast<size_t>(u)].push_back(v); g.pred[static_cast<size_t>(v)].push_back(u); }

  if (pull_sources_down) {
    for (size_t v = 0; v < n; ++v) {
      if (!g.pred[v].empty() || g.succ[v].empty() || g.pinned_top[v]) continue;
      int32_t lo = INT32_MAX;
      for (int32_t s : g.succ[v]) lo = std::min(lo, g.layer[static_cast<size_t>(s)]);
      g.layer[v] = std::max(0, lo - 1);
    }
  }
}

void insert_dummies(LayeredGraph& g, float dummy_width, float dummy_height) {
  const size_t n = g.width.size();
  for (size_t v = 0; v < n; ++v) { g.succ[v].clear(); g.pred[v].clear(); }
  g.chains.clear();
  g.chains.reserve(g.edges.size());
  for (auto [u, v] : g.edges) {
    std::vector<int32_t> chain{u};
    const int32_t lu = g.layer[static_cast<size_t>(u)], lv = g.layer[static_cast<size_t>(v)];
    for (int32_t l = lu + 1; l < lv; ++l) {
      const int32_t d = static_cast<int32_t>(g.width.size());
      g.width.push_back(dummy_width);
      g.height.push_back(dummy_height);
      g.is_dummy.push_back(1);
      g.pinned_top.push_back(0);
      g.succ.emplace_back();
      g.pred.emplace_back();
      g.layer.push_back(l);
      chain.push_back(d);
    }
    chain.push_back(v);
    for (size_t i = 0; i + 1 < chain.size(); ++i) {
      g.succ[static_cast<size_t>(chain[i])].push_back(chain[i + 1]);
      g.pred[static_cast<size_t>(chain[i + 1])].push_back(chain[i]);
    }
    g.chains.push_back(std::move(chain));
  }
  int32_t max_layer = -1;
  for (int32_t l : g.layer) max_layer = std::max(max_layer, l);
  g.layers.assign(static_cast<size_t>(max_layer + 1), {});
  g.pos.assign(g.width.size(), 0);
  for (size_t v = 0; v < g.width.size(); ++v) {
    auto& row = g.layers[static_cast<size_t>(g.layer[v])];
    g.pos[v] = static_cast<int32_t>(row.size());
    row.push_back(static_cast<int32_t>(v));
  }
}

// ---------------------------------------------------------------------------------------------
// Crossing reduction

namespace {

int64_t crossings_between(const LayeredGraph& g, size_t l, std::vector<int32_t>& tree, std::vector<int32_t>& seq) {
  const auto& upper = g.layers[l];
  const size_t lower_size = g.layers[l + 1].size();
  seq.clear();
  for (int32_t u : upper) {
    const size_t start = seq.size();
    for (int32_t s : g.succ[static_cast<size_t>(u)]) seq.push_back(g.pos[static_cast<size_t>(s)]);
    std::sort(seq.begin() + static_cast<std::ptrdiff_t>(start), seq.end());
  }
  // Fenwick tree over lower positions: crossings = pairs inserted earlier with a larger position.
  tree.assign(lower_size + 1, 0);
  int64_t crossings = 0, inserted = 0;
  for (int32_t p : seq) {
    int64_t not_greater = 0;
    for (size_t i = static_cast<size_t>(p) + 1; i > 0; i -= i & (~i + 1)) not_greater += tree[i];
    crossings += inserted - not_greater;
    for (size_t i = static_cast<size_t>(p) + 1; i <= lower_size; i += i & (~i + 1)) ++tree[i];
    ++inserted;
  }
  return crossings;
}

void sort_layer(LayeredGraph& g, size_t l, bool by_pred, bool by_succ) {
  auto& row = g.layers[l];
  if (row.size() < 2) return;
  std::vector<std::pair<double, int32_t>> keyed;
  keyed.reserve(row.size());
  for (int32_t v : row) {
    double sum = 0;
    size_t count = 0;
    if (by_pred) for (int32_t p : g.pred[static_cast<size_t>(v)]) { sum += g.pos[static_cast<size_t>(p)]; ++count; }
    if (by_succ) for (int32_t s : g.succ[static_cast<size_t>(v)]) { sum += g.pos[static_cast<size_t>(s)]; ++count; }
    // A node without neighbours on that side keeps its place.
    keyed.emplace_back(count ? sum / static_cast<double>(count) : g.pos[static_cast<size_t>(v)], v);
  }
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < row.size(); ++i) {
    row[i] = keyed[i].second;
    g.pos[static_cast<size_t>(row[i])] = static_cast<int32_t>(i);
  }
}

// Crossings among the edges of u and v (same layer) when u is left of v.
int64_t pair_crossings(const LayeredGraph& g, int32_t u, int32_t v) {
  int64_t c = 0;
  for (const auto* side : {&g.pred, &g.succ})
    for (int32_t a : (*side)[static_cast<size_t>(u)])
      for (int32_t b : (*side)[static_cast<size_t>(v)])
        if (g.pos[static_cast<size_t>(a)] > g.pos[static_cast<size_t>(b)]) ++c;
  return c;
}

void transpose(LayeredGraph& g) {
  for (int pass = 0; pass < 4; ++pass) {
    bool improved = false;
    for (auto& row : g.layers)
      for (size_t i = 0; i + 1 < row.size(); ++i) {
        const int32_t u = row[i], v = row[i + 1];
        const size_t du = g.pred[static_cast<size_t>(u)].size() + g.succ[static_cast<size_t>(u)].size();
        const size_t dv = g.pred[static_cast<size_t>(v)].size() + g.succ[static_cast<size_t>(v)].size();
        if (du * dv > 4096) continue;  // hubs: quadratic cost, little gain
        if (pair_crossings(g, v, u) < pair_crossings(g, u, v)) {
          std::swap(row[i], row[i + 1]);
          g.pos[static_cast<size_t>(row[i])] = static_cast<int32_t>(i);
          g.pos[static_cast<size_t>(row[i + 1])] = static_cast<int32_t>(i + 1);
          improved = true;
        }
      }
    if (!improved) break;
  }
}

}  // namespace

int64_t count_crossings(const LayeredGraph& g) {
  std::vector<int32_t> tree, seq;
  int64_t total = 0;
  for (size_t l = 0; l + 1 < g.layers.size(); ++l) total += crossings_between(g, l, tree, seq);
  return total;
}

void order_layers(LayeredGraph& g, int sweeps, bool keep_best, bool use_transpose) {
  auto best = g.layers;
  int64_t best_crossings = keep_best ? count_crossings(g) : 0;
  const size_t L = g.layers.size();
  for (int s = 0; s < sweeps && best_crossings != 0; ++s) {
    if (s % 2 == 0)
      for (size_t l = 1; l < L; ++l) sort_layer(g, l, true, false);
    else
      for (size_t l = L - 1; l-- > 0;) sort_layer(g, l, false, true);
    if (keep_best) {
      const int64_t c = count_crossings(g);
      if (c < best_crossings) { best_crossings = c; best = g.layers; }
    }
  }
  if (keep_best) {
    g.layers = std::move(best);
    for (auto& row : g.layers)
      for (size_t i = 0; i < row.size(); ++i) g.pos[static_cast<size_t>(row[i])] = static_cast<int32_t>(i);
  }
  if (use_transpose) transpose(g);
}

// ---------------------------------------------------------------------------------------------
// Coordinates

namespace {

// Minimises sum w_i (x_i - d_i)^2 subject to x_{i+1} - x_i >= sep_i (pool-adjacent-violators).
void place_row(const std::vector<double>& desired, const std::vector<double>& weight,
               const std::vector<double>& sep, std::vector<double>& x) {
  const size_t n = desired.size();
  std::vector<double> offset(n, 0.0);
  for (size_t i = 1; i < n; ++i) offset[i] = offset[i - 1] + sep[i - 1];
  struct Pool { double wsum, wtsum; size_t count; };
  std::vector<Pool> pools;
  pools.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    pools.push_back({weight[i], weight[i] * (desired[i] - offset[i]), 1});
    while (pools.size() > 1) {
      Pool& b = pools.back();
      Pool& a = pools[pools.size() - 2];
      if (a.wtsum / a.wsum <= b.wtsum / b.wsum) break;
      a.wsum += b.wsum; a.wtsum += b.wtsum; a.count += b.count;
      pools.pop_back();
    }
  }
  x.resize(n);
  size_t i = 0;
  for (const Pool& p : pools)
    for (size_t k = 0; k < p.count; ++k, ++i) x[i] = p.wtsum / p.wsum + offset[i];
}

}  // namespace

void assign_coordinates(LayeredGraph& g, float node_gap, float layer_gap) {
  const size_t L = g.layers.size();
  g.x.assign(g.width.size(), 0.0f);
  g.layer_top.assign(L, 0.0f);
  g.layer_height.assign(L, 0.0f);
  float y = 0;
  for (size_t l = 0; l < L; ++l) {
    float h = 0;
    for (int32_t v : g.layers[l]) h = std::max(h, g.height[static_cast<size_t>(v)]);
    g.layer_top[l] = y;
    g.layer_height[l] = h;
    y += h + layer_gap;
  }
  auto gap = [&](int32_t a, int32_t b) {
    // Two passing edges may sit closer together than two boxes.
    const bool dummies = g.is_dummy[static_cast<size_t>(a)] && g.is_dummy[static_cast<size_t>(b)];
    return (g.width[static_cast<size_t>(a)] + g.width[static_cast<size_t>(b)]) * 0.5 + (dummies ? node_gap * 0.4 : node_gap);
  };
  // Start: each layer packed and centred on 0.
  for (const auto& row : g.layers) {
    double cx = 0;
    std::vector<double> xs(row.size());
    for (size_t i = 0; i < row.size(); ++i) { if (i) cx += gap(row[i - 1], row[i]); xs[i] = cx; }
    for (size_t i = 0; i < row.size(); ++i) g.x[static_cast<size_t>(row[i])] = static_cast<float>(xs[i] - cx / 2);
  }
  enum Side { Up, Down, Both };
  std::vector<double> desired, weight, sep, xs;
  auto relax = [&](size_t l, Side side) {
    const auto& row = g.layers[l];
    desired.assign(row.size(), 0);
    weight.assign(row.size(), 1);
    sep.assign(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      const size_t v = static_cast<size_t>(row[i]);
      double sum = 0;
      size_t count = 0;
      if (side != Up) for (int32_t p : g.pred[v]) { sum += g.x[static_cast<size_t>(p)]; ++count; }
      if (side != Down) for (int32_t s : g.succ[v]) { sum += g.x[static_cast<size_t>(s)]; ++count; }
      desired[i] = count ? sum / static_cast<double>(count) : g.x[v];
      // Equal weights: unequal ones push a node and its passing edge off-centre by the same
      // amount in every repeat of a pattern, and a 2,500-block chain would drift sideways.
      weight[i] = 1.0;
      if (i + 1 < row.size()) sep[i] = gap(row[i], row[i + 1]);
    }
    place_row(desired, weight, sep, xs);
    for (size_t i = 0; i < row.size(); ++i) g.x[static_cast<size_t>(row[i])] = static_cast<float>(xs[i]);
  };
  for (Side side : {Down, Up, Both, Down, Both}) {
    if (side == Up)
      for (size_t l = L; l-- > 0;) relax(l, side);
    else
      for (size_t l = 0; l < L; ++l) relax(l, side);
  }
  float min_left = 0;
  bool first = true;
  for (size_t v = 0; v < g.width.size(); ++v) {
    const float left = g.x[v] - g.width[v] / 2;
    if (first || left < min_left) { min_left = left; first = false; }
  }
  for (float& x : g.x) x -= min_left;
}

}  // namespace mlscope::layout::detail
