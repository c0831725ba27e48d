// Model B's graph coloured by the match against model A: a matched op takes the divergence
// colour of its counterpart in A (when per-op divergence against B has run; else a neutral
// blue), a compute op without a partner is amber and ringed, compression plumbing is grey.
#pragma once

#include "widgets/divergence_overlay.h"
#include "widgets/graph_overlay.h"
#include "widgets/session.h"

namespace mlscope::gui {

class MatchOverlay : public GraphOverlay {
 public:
  /// `a_divergence` colours A's graph; its colours are reused for the matched ops of B.
  void update(const CompareSession& session, const DivergenceOverlay& a_divergence, const Document& b_doc);

  bool available(int32_t function, std::string* why) const override;
  ImU32 op_color(int32_t function, ir::OpId op) const override;
  bool op_marked(int32_t function, ir::OpId op) const override;
  void draw_legend(ImDrawList* dl, ImVec2 top_left) const override;

 private:
  const CompareSession* session_ = nullptr;
  const DivergenceOverlay* divergence_ = nullptr;
  int32_t function_ = -1;  ///< B's matched function in b_doc's model
};

}  // namespace mlscope::gui
