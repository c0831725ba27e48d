// The Sugiyama steps on an abstract DAG of boxes (internal to core/layout; no IR here).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mlscope::layout::detail {

struct LayeredGraph {
  // --- per node (real nodes first, dummies appended by insert_dummies) ---
  std::vector<float> width, height;
  std::vector<uint8_t> is_dummy;
  std::vector<uint8_t> pinned_top;  ///< function inputs: stay in layer 0
  std::vector<std::vector<int32_t>> succ, pred;
  std::vector<int32_t> layer;
  std::vector<int32_t> pos;  ///< index inside its layer
  std::vector<float> x;      ///< centre x
  // --- per layer ---
  std::vector<std::vector<int32_t>> layers;
  std::vector<float> layer_top, layer_height;
  // --- per original edge: node chain from source to target through dummies ---
  std::vector<std::vector<int32_t>> chains;

  int32_t add_node(float w, float h, bool pinned);
  /// Records an edge u -> v (u != v; duplicates ignored by the caller).
  void add_edge(int32_t u, int32_t v);
  size_t real_nodes = 0;
  std::vector<std::pair<int32_t, int32_t>> edges;
};

/// Longest path from the sources; with `pull_sources_down`, unpinned sources move to just above
/// their highest consumer (keeps weight-decompression ops next to the conv they feed).
void assign_layers(LayeredGraph& g, bool pull_sources_down);
/// Splits edges spanning several layers with dummy nodes and fills layers/pos/chains.
void insert_dummies(LayeredGraph& g, float dummy_width, float dummy_height);
/// Barycenter sweeps. keep_best: remember the order with fewest crossings; transpose: then swap
/// neighbours while that strictly reduces crossings.
void order_layers(LayeredGraph& g, int sweeps, bool keep_best, bool transpose);
/// Edge crossings between adjacent layers (Barth-Juenger-Mutzel accumulator, O(E log V)).
int64_t count_crossings(const LayeredGraph& g);
/// x by isotonic regression per layer towards neighbour barycenters; y by layer.
void assign_coordinates(LayeredGraph& g, float node_gap, float layer_gap);

}  // namespace mlscope::layout::detail
