// GraphView drawing: edges, nodes with level of detail, legend, minimap, tooltip.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "widgets/graph_view.h"
#include "widgets/theme.h"

namespace mlscope::gui {
namespace {

// Shortens `s` with a trailing ".." so it fits `width` pixels (labels never run out of a node).
void fit_label(std::string& s, float width) {
  if (ImGui::CalcTextSize(s.c_str()).x <= width) return;
  const float dots = ImGui::CalcTextSize("..").x;
  size_t lo = 0, hi = s.size();
  while (lo < hi) {  // longest prefix that fits with the dots
    const size_t mid = (lo + hi + 1) / 2;
    if (ImGui::CalcTextSize(s.c_str(), s.c_str() + mid).x + dots <= width) lo = mid; else hi = mid - 1;
  }
  s.resize(lo);
  s += "..";
}

bool visible(const layout::Rect& r, ImVec2 w0, ImVec2 w1) { return r.right() >= w0.x && r.x <= w1.x && r.bottom() >= w0.y && r.y <= w1.y; }

// Smooth vertical-ish edge: straight where it runs through a layer, S-curve across a gap.
void stroke_edge(ImDrawList* dl, const std::vector<ImVec2>& pts, ImU32 col, float thickness, int segments) {
  dl->PathLineTo(pts[0]);
  for (size_t i = 1; i < pts.size(); ++i) {
    const ImVec2 a = pts[i - 1], b = pts[i];
    if (std::fabs(a.x - b.x) < 0.5f || segments <= 1) { dl->PathLineTo(b); continue; }
    const float dy = (b.y - a.y) * 0.5f;
    dl->PathBezierCubicCurveTo({a.x, a.y + dy}, {b.x, b.y - dy}, b, segments);
  }
  dl->PathStroke(col, 0, thickness);
}

}  // namespace

void GraphView::draw_edges(ImDrawList* dl, const layout::GraphLayout& g, int32_t selected_node, bool dots) {
  const ImVec2 w0 = to_world(canvas_min_), w1 = to_world(canvas_max_);
  const float thickness = std::clamp(zoom_ * 1.3f, 1.0f, 2.0f);
  const int segments = zoom_ > 0.5f ? 10 : zoom_ > 0.15f ? 4 : 1;
  auto draw = [&](size_t e, ImU32 col, float t) {
    const auto& edge = g.edges[e];
    scratch_.resize(edge.point_count);
    for (uint32_t k = 0; k < edge.point_count; ++k) {
      const auto& p = g.points[edge.first_point + k];
      scratch_[k] = to_screen(p.x, p.y);
    }
    stroke_edge(dl, scratch_, col, t, segments);
    if (zoom_ > 0.3f) {  // arrow head into the consumer
      const ImVec2 tip = scratch_.back();
      const float s = std::clamp(5.0f * zoom_, 3.0f, 7.0f);
      dl->AddTriangleFilled({tip.x - s, tip.y - s * 1.4f}, {tip.x + s, tip.y - s * 1.4f}, tip, col);
    }
  };
  if (!dots)
    for (size_t e = 0; e < g.edges.size(); ++e) {
      if (!visible(cache_.edge_box[e], w0, w1)) continue;
      const auto& edge = g.edges[e];
      if (selected_node >= 0 && (edge.from == selected_node || edge.to == selected_node)) continue;
      draw(e, palette().edge, thickness);
    }
  if (selected_node >= 0)
    for (size_t e = 0; e < g.edges.size(); ++e) {
      const auto& edge = g.edges[e];
      if (edge.to == selected_node) draw(e, palette().edge_highlight_in, thickness + 1.5f);
      else if (edge.from == selected_node) draw(e, palette().edge_highlight_out, thickness + 1.5f);
    }
}

void GraphView::draw_nodes(ImDrawList* dl, const Document& doc, const layout::GraphLayout& g, int32_t selected_node, bool dots) {
  const ImVec2 w0 = to_world(canvas_min_), w1 = to_world(canvas_max_);
  const Palette& pal = palette();
  const ir::Function* fn = doc.current_function();
  cache_.colors.color_table(drawn_mode());
  if (dots) {
    // Zoomed far out: one small square per occupied 2-px cell; 10k nodes cost 10k lookups.
    const int gw = static_cast<int>((canvas_max_.x - canvas_min_.x) / 2) + 1, gh = static_cast<int>((canvas_max_.y - canvas_min_.y) / 2) + 1;
    dot_grid_.assign(static_cast<size_t>(gw) * static_cast<size_t>(gh), 0);
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const auto& r = g.nodes[i].rect;
      if (!visible(r, w0, w1) || g.nodes[i].compound) continue;
      const ImVec2 c = to_screen(r.x + r.w / 2, r.y + r.h / 2);
      const int cx = static_cast<int>((c.x - canvas_min_.x) / 2), cy = static_cast<int>((c.y - canvas_min_.y) / 2);
      if (cx < 0 || cy < 0 || cx >= gw || cy >= gh) continue;
      // One mark per cell; a more salient node (costlier, quantized) paints over a less salient one.
      uint8_t& cell = dot_grid_[static_cast<size_t>(cy) * static_cast<size_t>(gw) + static_cast<size_t>(cx)];
      const uint8_t sal = static_cast<uint8_t>(cache_.colors.salience(drawn_mode(), i) + 1);
      if (cell >= sal) continue;
      cell = sal;
      const float half = std::max(1.5f, r.w * zoom_ * 0.5f);
      dl->AddRectFilled({c.x - half, c.y - 1.5f}, {c.x + half, c.y + 1.5f}, node_color(i));
    }
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const bool sel = static_cast<int32_t>(i) == selected_node, match = i < match_flag_.size() && match_flag_[i];
      if (!sel && !match) continue;
      const auto& r = g.nodes[i].rect;
      const ImVec2 c = to_screen(r.x + r.w / 2, r.y + r.h / 2);
      dl->AddCircle(c, sel ? 7.0f : 5.0f, sel ? pal.selected : pal.search_match, 12, 2.0f);
    }
    return;
  }
  const float font = ImGui::GetFontSize();
  const float rounding = std::clamp(5.0f * zoom_, 0.0f, 6.0f);
  char buf[64];
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& n = g.nodes[i];
    if (!visible(n.rect, w0, w1)) continue;
    const ImVec2 a = to_screen(n.rect.x, n.rect.y), b = to_screen(n.rect.right(), n.rect.bottom());
    const ImU32 fill = node_color(i);
    const float h = b.y - a.y;
    float label_h = h;
    if (n.compound) {
      // A control-flow op drawn as a frame around its blocks, with a coloured title bar.
      label_h = std::min(h, 30.0f * zoom_);
      dl->AddRectFilled(a, b, pal.group_fill, rounding);
      dl->AddRectFilled(a, {b.x, a.y + label_h}, fill, rounding, ImDrawFlags_RoundCornersTop);
      dl->AddRect(a, b, pal.group_border, rounding, 0, 1.5f);
    } else if (n.collapsed) {
      // A collapsed control-flow op: a stacked look says "there is more inside".
      dl->AddRectFilled({a.x + 4, a.y + 4}, {b.x + 4, b.y + 4}, pal.group_border, rounding);
      dl->AddRectFilled(a, b, fill, rounding);
      dl->AddRect(a, b, pal.group_border, rounding, 0, 1.5f);
    } else {
      const bool io_node = n.kind != layout::NodeKind::Op;
      dl->AddRectFilled(a, b, fill, io_node ? h * 0.5f : rounding);
      dl->AddRect(a, b, pal.node_border, io_node ? h * 0.5f : rounding);
    }
    if (static_cast<int32_t>(i) == selected_node) dl->AddRect({a.x - 3, a.y - 3}, {b.x + 3, b.y + 3}, pal.selected, rounding + 2, 0, 2.5f);
    else if (i < match_flag_.size() && match_flag_[i]) dl->AddRect({a.x - 2, a.y - 2}, {b.x + 2, b.y + 2}, pal.search_match, rounding + 1, 0, 2.0f);

    // Labels only when they fit: one line (type) from ~1.2 font heights, two lines (type + name)
    // from ~2.3. Text stays at the UI font size, so it is crisp at every zoom.
    if (label_h < font * 1.15f || b.x - a.x < font * 2.5f) continue;
    const ImU32 text_col = text_on(fill);
    ImVec4 clip{a.x + 3, a.y, b.x - 3, a.y + label_h};
    if ((n.compound || n.collapsed) && n.kind == layout::NodeKind::Op) {
      // [-] / [+] box at the left of the title: collapse / expand the nested blocks.
      const float box = std::min(font + 2, label_h - 4);
      const ImVec2 p0{a.x + 5, a.y + (std::min(label_h, font * 2.0f) - box) / 2 + (n.collapsed ? 0 : 0)};
      dl->AddRect(p0, {p0.x + box, p0.y + box}, text_col, 2, 0, 1.5f);
      const float cy = p0.y + box / 2, cx = p0.x + box / 2;
      dl->AddLine({p0.x + 3, cy}, {p0.x + box - 3, cy}, text_col, 1.5f);
      if (n.collapsed) dl->AddLine({cx, p0.y + 3}, {cx, p0.y + box - 3}, text_col, 1.5f);
      clip.x = p0.x + box + 4;
    }
    const bool two_lines = label_h >= font * 2.3f && !n.compound;
    std::string type = node_label(doc, n, true);
    std::string name = node_label(doc, n, false);
    // A function input/output pill with room for one line shows its name, not just "input".
    if (n.kind != layout::NodeKind::Op && !two_lines) type = name;
    if (n.compound) type += "  " + name;
    float badge_left = clip.z;  // the first label line must stop before the "+N" badge
    if (n.folded_constants > 0 && b.x - a.x > font * 7) {
      std::snprintf(buf, sizeof buf, "+%d", n.folded_constants);
      const ImVec2 bs = ImGui::CalcTextSize(buf);
      const ImVec2 bp{b.x - bs.x - 6, a.y + 3};
      badge_left = bp.x - 6;
      dl->AddRectFilled({bp.x - 3, bp.y - 1}, {bp.x + bs.x + 3, bp.y + bs.y}, pal.badge, 3);
      dl->AddText(bp, text_col, buf);
    }
    if (n.collapsed && fn) {
      size_t inner = 0;
      for (ir::BlockId blk : fn->op(n.id).blocks) inner += fn->block(blk).ops.size();
      name = std::to_string(inner) + " ops inside";
    }
    const float cx = (clip.x + clip.z) / 2;
    fit_label(type, 2 * std::min(cx - clip.x, badge_left - cx));  // stays centred, clear of the badge
    if (two_lines) fit_label(name, clip.z - clip.x);
    const ImVec2 ts = ImGui::CalcTextSize(type.c_str());
    const float ty = two_lines ? a.y + label_h / 2 - font : a.y + (label_h - font) / 2;
    dl->AddText(nullptr, 0, {std::max(clip.x, cx - ts.x / 2), ty}, text_col, type.c_str(), nullptr, 0, &clip);
    if (two_lines && fn) {
      const ImVec2 ns = ImGui::CalcTextSize(name.c_str());
      const ImU32 dim = (text_col & 0x00FFFFFF) | 0xB0000000;
      dl->AddText(nullptr, 0, {std::max(clip.x, cx - ns.x / 2), ty + font}, dim, name.c_str(), nullptr, 0, &clip);
    }
  }
}

void GraphView::draw_legend(ImDrawList* dl, const Document& doc) {
  const Palette& pal = palette();
  const float font = ImGui::GetFontSize();
  const float sw = font * 0.8f, pad = font * 0.5f, line = font * 1.15f;
  const ColorMode mode = !is_overlay_mode(drawn_mode()) && cache_.colors.available(drawn_mode()) ? drawn_mode() : ColorMode::OpType;
  const Legend lg = cache_.colors.legend(mode);
  // Edge colours are explained whenever they are in use (an op is selected).
  const bool edge_key = doc.selection().op != ir::kNone;
  const char* in_text = "edge from an input";
  const char* out_text = "edge to a user";
  float w = ImGui::CalcTextSize(lg.title.c_str()).x;
  for (const auto& r : lg.rows) w = std::max(w, sw + pad + ImGui::CalcTextSize(r.text.c_str()).x);
  if (edge_key) w = std::max(w, sw + pad + ImGui::CalcTextSize(in_text).x);
  if (!lg.note.empty()) w = std::max(w, ImGui::CalcTextSize(lg.note.c_str()).x);
  const float ramp_w = font * 14;
  if (!lg.ramp.empty()) w = std::max({w, ramp_w, ImGui::CalcTextSize((lg.ramp_low + "   " + lg.ramp_high).c_str()).x});
  float height = line * static_cast<float>(1 + lg.rows.size() + (edge_key ? 2 : 0) + (lg.note.empty() ? 0 : 1));
  if (!lg.ramp.empty()) height += font * 0.9f + line;
  // Bottom-left: the first view shows a program's inputs at the top, which a legend must not hide.
  const ImVec2 p0{canvas_min_.x + pad, std::max(canvas_min_.y + pad, canvas_max_.y - pad * 3 - height)};
  const ImVec2 p1{p0.x + w + 2 * pad, p0.y + pad * 2 + height};
  legend_w_ = p1.x - canvas_min_.x + pad;
  ImVec4 bg = ImGui::ColorConvertU32ToFloat4(pal.canvas_bg);
  bg.w = 0.88f;
  dl->AddRectFilled(p0, p1, ImGui::ColorConvertFloat4ToU32(bg), 4);
  dl->AddRect(p0, p1, pal.group_border, 4);
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  ImVec2 cur{p0.x + pad, p0.y + pad};
  dl->AddText(cur, text, lg.title.c_str());
  cur.y += line;
  if (!lg.ramp.empty()) {
    // Colour bar, low share on the left.
    const float seg = ramp_w / static_cast<float>(lg.ramp.size());
    for (size_t i = 0; i < lg.ramp.size(); ++i)
      dl->AddRectFilled({cur.x + seg * static_cast<float>(i), cur.y}, {cur.x + seg * static_cast<float>(i + 1) + 0.5f, cur.y + font * 0.8f}, lg.ramp[i]);
    dl->AddRect({cur.x, cur.y}, {cur.x + ramp_w, cur.y + font * 0.8f}, pal.group_border);
    cur.y += font * 0.9f;
    dl->AddText(cur, text, lg.ramp_low.c_str());
    const float hw = ImGui::CalcTextSize(lg.ramp_high.c_str()).x;
    dl->AddText({std::max(cur.x + ImGui::CalcTextSize(lg.ramp_low.c_str()).x + pad, cur.x + ramp_w - hw), cur.y}, text, lg.ramp_high.c_str());
    cur.y += line;
  }
  for (const auto& r : lg.rows) {
    dl->AddRectFilled({cur.x, cur.y + font * 0.1f}, {cur.x + sw, cur.y + font * 0.1f + sw}, r.color, 2);
    dl->AddText({cur.x + sw + pad, cur.y}, text, r.text.c_str());
    cur.y += line;
  }
  if (edge_key)
    for (auto [col, t] : {std::pair{pal.edge_highlight_in, in_text}, std::pair{pal.edge_highlight_out, out_text}}) {
      dl->AddLine({cur.x, cur.y + font * 0.5f}, {cur.x + sw, cur.y + font * 0.5f}, col, 3.0f);
      dl->AddText({cur.x + sw + pad, cur.y}, text, t);
      cur.y += line;
    }
  if (!lg.note.empty()) dl->AddText(cur, dim, lg.note.c_str());
}

void GraphView::draw_minimap(ImDrawList* dl, const layout::GraphLayout& g) {
  const Palette& pal = palette();
  const float font = ImGui::GetFontSize();
  const float max_w = font * 10, max_h = std::min(font * 14, (canvas_max_.y - canvas_min_.y) * 0.45f);
  if (g.bounds.w <= 0 || g.bounds.h <= 0 || max_h < 20) return;
  const float s = std::min(max_w / g.bounds.w, max_h / g.bounds.h);
  const float mw = std::max(g.bounds.w * s, font * 2.5f), mh = g.bounds.h * s;
  const ImVec2 p1{canvas_max_.x - font * 0.6f, canvas_max_.y - font * 0.6f};
  const ImVec2 p0{p1.x - mw, p1.y - mh};
  minimap_rect_ = {p0.x, p0.y, p1.x, p1.y};
  minimap_w_ = canvas_max_.x - p0.x + font * 0.6f;
  const float ox = p0.x + (mw - g.bounds.w * s) / 2;
  ImVec4 bg = ImGui::ColorConvertU32ToFloat4(pal.canvas_bg);
  bg.w = 0.92f;
  dl->AddRectFilled(p0, p1, ImGui::ColorConvertFloat4ToU32(bg), 3);
  // One mark per occupied minimap pixel.
  const int gw = static_cast<int>(mw) + 1, gh = static_cast<int>(mh) + 1;
  std::vector<uint8_t>& grid = dot_grid_;
  grid.assign(static_cast<size_t>(gw) * static_cast<size_t>(gh), 0);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& r = g.nodes[i].rect;
    if (g.nodes[i].compound) continue;
    const float x = ox + (r.x + r.w / 2 - g.bounds.x) * s, y = p0.y + (r.y + r.h / 2 - g.bounds.y) * s;
    const int cx = static_cast<int>(x - p0.x), cy = static_cast<int>(y - p0.y);
    if (cx < 0 || cy < 0 || cx >= gw || cy >= gh) continue;
    uint8_t& cell = grid[static_cast<size_t>(cy) * static_cast<size_t>(gw) + static_cast<size_t>(cx)];
    const uint8_t sal = static_cast<uint8_t>(cache_.colors.salience(drawn_mode(), i) + 1);
    if (cell >= sal) continue;
    cell = sal;
    const float hw = std::max(1.0f, r.w * s * 0.5f);
    dl->AddRectFilled({x - hw, y - 0.5f}, {x + hw, y + 1.0f}, node_color(i));
  }
  // The visible part of the graph.
  const ImVec2 v0 = to_world(canvas_min_), v1 = to_world(canvas_max_);
  const ImVec2 r0{std::max(p0.x, ox + (v0.x - g.bounds.x) * s), std::max(p0.y, p0.y + (v0.y - g.bounds.y) * s)};
  const ImVec2 r1{std::min(p1.x, ox + (v1.x - g.bounds.x) * s), std::min(p1.y, p0.y + (v1.y - g.bounds.y) * s)};
  if (r1.x > r0.x && r1.y > r0.y) dl->AddRect(r0, {std::max(r1.x, r0.x + 2), std::max(r1.y, r0.y + 2)}, pal.search_match, 0, 0, 1.5f);
  dl->AddRect(p0, p1, pal.group_border, 3);
  // Click or drag inside the minimap: centre the view there.
  const ImGuiIO& io = ImGui::GetIO();
  if (ImGui::IsItemActive() && ImGui::IsMouseDown(0) && io.MouseClickedPos[0].x >= p0.x && io.MouseClickedPos[0].x <= p1.x &&
      io.MouseClickedPos[0].y >= p0.y && io.MouseClickedPos[0].y <= p1.y) {
    const float wx = g.bounds.x + (io.MousePos.x - ox) / s, wy = g.bounds.y + (io.MousePos.y - p0.y) / s;
    center_on({wx, wy, 0, 0}, false);
  }
}

void GraphView::draw_tooltip(const Document& doc, const layout::GraphLayout& g, int32_t node) {
  const ir::Function* fn = doc.current_function();
  if (!fn) return;
  const auto& n = g.nodes[static_cast<size_t>(node)];
  ImGui::BeginTooltip();
  if (n.kind != layout::NodeKind::Op) {
    const ir::Value& v = fn->value(n.id);
    ImGui::Text("%s %s", n.kind == layout::NodeKind::FunctionInput ? "Function input" : "Function output", v.name.c_str());
    ImGui::TextDisabled("%s", v.type.str().c_str());
  } else {
    const ir::Op& op = fn->op(n.id);
    ImGui::Text("%s", op.qualified_type().c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("%s", op.name.c_str());
    ImGui::Separator();
    size_t shown = 0;
    for (ir::ValueId v : op.outputs) {
      if (++shown > 4) { ImGui::TextDisabled("... %zu more outputs", op.outputs.size() - 4); break; }
      ImGui::Text("-> %s : %s", fn->value(v).name.c_str(), fn->value(v).type.str().c_str());
    }
    ImGui::TextDisabled("family: %s", std::string(layout::op_family_name(static_cast<layout::OpFamily>(cache_.colors.family(static_cast<size_t>(node))))).c_str());
    for (ColorMode m : {ColorMode::Device, ColorMode::Lineage})
      if (cache_.colors.available(m)) ImGui::TextDisabled("%s", cache_.colors.describe(m, static_cast<size_t>(node)).c_str());
    if (const ModelSnapshot* snap = doc.snapshot(); snap && snap->cost)
      if (const FunctionAnalysis* fa = snap->function_analysis(doc.selection().function); fa && static_cast<size_t>(n.id) < fa->cost.size() && fa->cost[static_cast<size_t>(n.id)] >= 0) {
        const auto& c = snap->cost->ops[static_cast<size_t>(fa->cost[static_cast<size_t>(n.id)])];
        if (c.known) ImGui::TextDisabled("%.4g MACs (estimate), %.2f%% of the function", static_cast<double>(c.macs), fa->total_macs ? 100.0 * static_cast<double>(c.macs) / static_cast<double>(fa->total_macs) : 0.0);
      }
    if (n.compound || n.collapsed) ImGui::TextDisabled("click the box in the title to %s its blocks", n.collapsed ? "expand" : "collapse");
    if (n.folded_constants) ImGui::TextDisabled("%d constant input(s) folded into this node", n.folded_constants);
    const std::string block = fn->block_path(op.parent);
    if (!block.empty()) ImGui::TextDisabled("block: %s", block.c_str());
    ImGui::TextDisabled("click to select");
  }
  ImGui::EndTooltip();
}

}  // namespace mlscope::gui
