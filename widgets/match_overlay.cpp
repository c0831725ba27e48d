#include "widgets/match_overlay.h"

#include <imgui.h>

#include <algorithm>
#include <string>

#include "core/analysis/lineage.h"

namespace mlscope::gui {

namespace {

constexpr ImU32 kMatched = IM_COL32(86, 132, 190, 255);
constexpr ImU32 kUnmatched = IM_COL32(235, 160, 40, 255);
constexpr ImU32 kPlumbing = IM_COL32(92, 92, 100, 255);

}  // namespace

void MatchOverlay::update(const CompareSession& session, const DivergenceOverlay& a_divergence, const Document& b_doc) {
  session_ = &session;
  divergence_ = &a_divergence;
  function_ = -1;
  const compare::ModelMatch* m = session.against_match();
  const ModelSnapshot* s = b_doc.snapshot();
  if (!m || !s) return;
  for (size_t i = 0; i < s->model->functions.size(); ++i)
    if (s->model->functions[i].name == m->b->name) function_ = static_cast<int32_t>(i);
}

bool MatchOverlay::available(int32_t function, std::string* why) const {
  if (!session_ || !session_->against_match()) {
    if (why) *why = "no model B (File > Compare with model...)";
    return false;
  }
  if (function != function_) {
    if (why) *why = "only B's function " + session_->against_match()->b->name + " is matched";
    return false;
  }
  return true;
}

ImU32 MatchOverlay::op_color(int32_t, ir::OpId op) const {
  const compare::ModelMatch* m = session_ ? session_->against_match() : nullptr;
  if (!m || op < 0 || static_cast<size_t>(op) >= m->b->ops.size()) return kPlumbing;
  if (!analysis::is_real_op(m->b->op(op))) return kPlumbing;
  const compare::OpPair* p = m->pair_of_b(op);
  if (!p) return kUnmatched;
  // The divergence colour of A's op, when divergence against B is what A's graph shows.
  const auto& d = session_->divergence();
  if (d && d->report.other == session_->against_backend() && divergence_->find(p->a)) return divergence_->op_color(0, p->a);
  return kMatched;
}

bool MatchOverlay::op_marked(int32_t, ir::OpId op) const {
  const compare::ModelMatch* m = session_ ? session_->against_match() : nullptr;
  return m && op >= 0 && static_cast<size_t>(op) < m->b->ops.size() && analysis::is_real_op(m->b->op(op)) && !m->pair_of_b(op);
}

void MatchOverlay::draw_legend(ImDrawList* dl, ImVec2 p) const {
  const auto& r = session_ ? session_->against_report() : std::nullopt;
  if (!r) return;
  const float font = ImGui::GetFontSize(), pad = font * 0.5f;
  const bool coloured = session_->divergence() && session_->divergence()->report.other == session_->against_backend();
  const std::string title = "Model B matched to A";
  const std::string lines[3] = {
      std::to_string(r->by_name + r->by_structure) + " matched" + (coloured ? " (A's divergence colour)" : ""),
      std::to_string(r->unmatched_b.size()) + " without a partner in A (ringed)",
      "compression plumbing"};
  const ImU32 swatch[3] = {coloured ? IM_COL32(240, 220, 30, 255) : kMatched, kUnmatched, kPlumbing};
  float w = ImGui::CalcTextSize(title.c_str()).x;
  for (const auto& l : lines) w = std::max(w, ImGui::CalcTextSize(l.c_str()).x + font * 1.4f);
  ImVec2 c = draw_legend_frame(dl, p, {w + 2 * pad, font * 5.2f}, pad, title, font * 1.2f);
  for (int i = 0; i < 3; ++i) {
    dl->AddRectFilled({c.x, c.y + font * 0.15f}, {c.x + font * 0.9f, c.y + font * 0.95f}, swatch[i], 2.0f);
    dl->AddText({c.x + font * 1.3f, c.y}, ImGui::GetColorU32(ImGuiCol_Text), lines[i].c_str());
    c.y += font * 1.2f;
  }
}

}  // namespace mlscope::gui
