#include "widgets/divergence_overlay.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "widgets/plot.h"
#include "widgets/theme.h"

namespace mlscope::gui {

void DivergenceOverlay::update(const CompareSession& session) {
  session_ = &session;
  const auto& div = session.divergence();
  if (!div) { serial_ = 0; by_op_.clear(); function_ = -1; return; }
  if (div->serial == serial_ || !session.model()) return;
  serial_ = div->serial;
  const ir::Model& m = *session.model();
  const ir::Function* fn = m.function(div->report.function);
  if (!fn) fn = m.main_function();
  function_ = fn ? static_cast<int32_t>(fn - m.functions.data()) : -1;
  by_op_.assign(fn ? fn->ops.size() : 0, -1);
  marked_.assign(by_op_.size(), 0);
  if (!fn) return;
  // Ops are matched by name: the report names an op by its debug name (or first output name).
  for (size_t i = 0; i < div->report.ops.size(); ++i) {
    ir::OpId id = fn->find_op(div->report.ops[i].name);
    if (id == ir::kNone) continue;
    by_op_[static_cast<size_t>(id)] = static_cast<int32_t>(i);
  }
  if (!div->report.first_crossing.empty()) {
    ir::OpId id = fn->find_op(div->report.ops[div->report.first_crossing.front()].name);
    if (id != ir::kNone) marked_[static_cast<size_t>(id)] = 1;
  }
}

bool DivergenceOverlay::available(int32_t function, std::string* why) const {
  if (!session_ || !session_->divergence()) {
    if (why) *why = "Compute the per-op divergence first (Compare window, Divergence tab)";
    return false;
  }
  if (function != function_) {
    if (why) *why = "The divergence was computed for another function";
    return false;
  }
  return true;
}

const compare::OpDivergence* DivergenceOverlay::find(ir::OpId op) const {
  if (!session_ || !session_->divergence() || op < 0 || static_cast<size_t>(op) >= by_op_.size() || by_op_[static_cast<size_t>(op)] < 0)
    return nullptr;
  return &session_->divergence()->report.ops[static_cast<size_t>(by_op_[static_cast<size_t>(op)])];
}

double DivergenceOverlay::metric_value(const compare::OpDivergence& d) const {
  return metric_ == Metric::OneMinusCosine ? 1.0 - d.cosine : d.rel_error;
}

ImU32 DivergenceOverlay::ramp(double t) {
  t = std::clamp(t, 0.0, 1.0);
  // Dark green (agree) → yellow → red (disagree): readable as "how bad" without a key.
  const float r = static_cast<float>(t < 0.5 ? 40 + t * 2 * 200 : 240);
  const float g = static_cast<float>(t < 0.5 ? 150 + t * 2 * 70 : 220 - (t - 0.5) * 2 * 190);
  const float b = static_cast<float>(t < 0.5 ? 80 - t * 2 * 50 : 30);
  return IM_COL32(static_cast<int>(r), static_cast<int>(g), static_cast<int>(b), 255);
}

double DivergenceOverlay::scale_pos(double v) const {
  if (!(v > 0)) return 0;
  return (std::log10(v) - lo_exp_) / (hi_exp_ - lo_exp_);
}

ImU32 DivergenceOverlay::op_color(int32_t, ir::OpId op) const {
  const compare::OpDivergence* d = find(op);
  if (!d || !d->compared) return IM_COL32(110, 110, 118, 255);
  return ramp(scale_pos(metric_value(*d)));
}

bool DivergenceOverlay::op_marked(int32_t, ir::OpId op) const {
  return op >= 0 && static_cast<size_t>(op) < marked_.size() && marked_[static_cast<size_t>(op)];
}

void DivergenceOverlay::draw_legend(ImDrawList* dl, ImVec2 p) const {
  if (!session_ || !session_->divergence()) return;
  const auto& rep = session_->divergence()->report;
  const float font = ImGui::GetFontSize();
  const float bar_w = font * 16, pad = font * 0.5f;
  const std::string title = "Color: divergence " + rep.other + " vs " + rep.reference;
  const std::string metric = metric_ == Metric::OneMinusCosine ? "1 - cosine (log scale)" : "relative error (log scale)";
  const float w = std::max({bar_w, ImGui::CalcTextSize(title.c_str()).x, ImGui::CalcTextSize(metric.c_str()).x}) + 2 * pad;
  const float h = font * 7.4f;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  ImVec2 c = draw_legend_frame(dl, p, {w, h}, pad, title, font * 1.2f);
  dl->AddText(c, ImGui::GetColorU32(ImGuiCol_TextDisabled), metric.c_str());
  c.y += font * 1.3f;
  const int steps = 48;
  for (int i = 0; i < steps; ++i) {
    const float x0 = c.x + bar_w * static_cast<float>(i) / steps, x1 = c.x + bar_w * static_cast<float>(i + 1) / steps;
    dl->AddRectFilled({x0, c.y}, {x1 + 0.5f, c.y + font}, ramp((i + 0.5) / steps));
  }
  // Decade ticks under the bar.
  for (int e = static_cast<int>(lo_exp_); e <= static_cast<int>(hi_exp_); e += 2) {
    const float x = c.x + bar_w * static_cast<float>((e - lo_exp_) / (hi_exp_ - lo_exp_));
    dl->AddLine({x, c.y + font}, {x, c.y + font + 4}, text);
    char buf[16];
    std::snprintf(buf, sizeof buf, e == 0 ? "1" : "1e%d", e);
    const ImVec2 ts = ImGui::CalcTextSize(buf);
    dl->AddText({std::clamp(x - ts.x / 2, c.x, c.x + bar_w - ts.x), c.y + font + 4}, text, buf);
  }
  // Threshold marker.
  const double thr = metric_ == Metric::OneMinusCosine ? 1.0 - rep.options.min_cosine : rep.options.max_rel_error;
  if (thr > 0) {
    const float x = c.x + bar_w * static_cast<float>(std::clamp(scale_pos(thr), 0.0, 1.0));
    dl->AddLine({x, c.y - 3}, {x, c.y + font + 3}, IM_COL32(255, 255, 255, 255), 2.5f);
  }
  c.y += font * 2.3f;
  char buf[160];
  int crossing = 0;
  for (const auto& d : rep.ops) crossing += d.crosses;
  if (rep.first_crossing.empty()) std::snprintf(buf, sizeof buf, "no op crosses the threshold (%zu ops)", rep.ops.size());
  else std::snprintf(buf, sizeof buf, "%d/%zu ops cross; first (red ring): %s", crossing, rep.ops.size(), rep.ops[rep.first_crossing.front()].name.c_str());
  dl->AddText(c, text, buf);
}

void DivergenceOverlay::draw_inspector_section(const Document& doc) const {
  if (!session_ || !session_->divergence()) return;
  const auto& res = *session_->divergence();
  if (doc.selection().function != function_) return;
  const compare::OpDivergence* d = find(doc.selection().op);
  if (!ImGui::CollapsingHeader("Divergence", ImGuiTreeNodeFlags_DefaultOpen)) return;
  ImGui::TextDisabled("%s vs %s (reference), %s; emulated", res.report.other.c_str(), res.report.reference.c_str(), res.input_label.c_str());
  if (doc.selection().op == ir::kNone) { ImGui::TextDisabled("Select an op to see its divergence and both values' histograms."); return; }
  if (!d) { ImGui::TextDisabled("This op has no divergence entry (a const, or not in program order)."); return; }
  if (!d->compared) { ImGui::TextDisabled("Not compared: %s", d->note.c_str()); return; }
  ImGui::Text("cosine        %.8f", d->cosine);
  ImGui::Text("1 - cosine    %.3e", 1.0 - d->cosine);
  ImGui::Text("relative err  %.3e", d->rel_error);
  ImGui::Text("max abs diff  %.6g", d->max_abs_diff);
  ImGui::Text("program order #%lld  value %s", static_cast<long long>(d->order), d->value.c_str());
  if (d->crosses) ImGui::TextColored(ImVec4(1, 0.35f, 0.35f, 1), "crosses the threshold (cosine < %.4g or rel. error > %.3g)", res.report.options.min_cosine,
                                     res.report.options.max_rel_error);
  auto h = res.histograms.find(d->value);
  if (h == res.histograms.end()) return;
  HistogramPlot hp;
  hp.title = "Values of " + d->value;
  hp.x_label = "value";
  hp.y_label = "count";
  hp.lo = h->second.reference.lo;
  hp.hi = h->second.reference.hi;
  hp.counts = {std::vector<long long>(h->second.reference.counts.begin(), h->second.reference.counts.end()),
               std::vector<long long>(h->second.other.counts.begin(), h->second.other.counts.end())};
  hp.series_names = {res.report.reference + " (reference)", res.report.other};
  hp.colors = {series_color(0), series_color(1)};
  hp.show_marker = false;
  draw_histogram("##div_hist", hp, ImVec2(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 14));
}

}  // namespace mlscope::gui
