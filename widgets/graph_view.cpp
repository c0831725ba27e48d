// GraphView: toolbar, camera, input handling and search (drawing is in graph_drawing.cpp).
#include "widgets/graph_view.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "widgets/submodel_selector.h"
#include "widgets/theme.h"

namespace mlscope::gui {

namespace {

bool contains_ci(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return false;
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); });
  return it != hay.end();
}

}  // namespace

void GraphView::rebuild_cache(const Document& doc) {
  const auto* g = doc.current_layout();
  const auto* fn = doc.current_function();
  cache_ = {};
  cache_.generation = doc.generation();
  cache_.function = doc.selection().function;
  if (!g || !fn) return;
  cache_.colors.rebuild(doc, *g, *fn);
  cache_.edge_box.resize(g->edges.size());
  for (size_t e = 0; e < g->edges.size(); ++e) {
    const auto& edge = g->edges[e];
    float x0 = 1e30f, y0 = 1e30f, x1 = -1e30f, y1 = -1e30f;
    for (uint32_t k = 0; k < edge.point_count; ++k) {
      const auto& p = g->points[edge.first_point + k];
      x0 = std::min(x0, p.x); y0 = std::min(y0, p.y); x1 = std::max(x1, p.x); y1 = std::max(y1, p.y);
    }
    cache_.edge_box[e] = {x0, y0, x1 - x0, y1 - y0};
  }
  initial_view_ = 2;  // again on the 2nd frame, once the legend of this model has been measured
}

std::string GraphView::node_label(const Document& doc, const layout::LayoutNode& n, bool type_only) const {
  const ir::Function* fn = doc.current_function();
  if (!fn) return {};
  if (n.kind == layout::NodeKind::FunctionInput) return type_only ? "input" : fn->value(n.id).name;
  if (n.kind == layout::NodeKind::FunctionOutput) return type_only ? "output" : fn->value(n.id).name;
  const ir::Op& op = fn->op(n.id);
  return type_only ? op.qualified_type() : op.name;
}

void GraphView::fit(const layout::GraphLayout& g) {
  const ImVec2 size{canvas_max_.x - canvas_min_.x, canvas_max_.y - canvas_min_.y};
  if (size.x <= 1 || size.y <= 1 || g.bounds.w <= 0 || g.bounds.h <= 0) return;
  const float margin = 24;
  zoom_ = std::clamp(std::min((size.x - 2 * margin) / g.bounds.w, (size.y - 2 * margin) / g.bounds.h), 1e-4f, 1.5f);
  offset_.x = g.bounds.x + g.bounds.w / 2 - view_center_x(g.bounds.w * zoom_) / zoom_;
  offset_.y = g.bounds.y + g.bounds.h / 2 - size.y / 2 / zoom_;
}

void GraphView::initial_view(const layout::GraphLayout& g) {
  fit(g);
  // A whole tall program at unreadable size helps nobody: open at a readable zoom at the top
  // (labels need ~0.6); "Fit" / F still shows everything.
  const ImVec2 size{canvas_max_.x - canvas_min_.x, canvas_max_.y - canvas_min_.y};
  if (zoom_ >= 0.6f || size.x <= 1) return;
  const float margin = 24;
  zoom_ = std::clamp((size.x - 2 * margin) / g.bounds.w, 0.6f, 1.0f);
  // Centre on the first layer (the inputs), not on the middle of the whole program.
  float top_x = g.bounds.x + g.bounds.w / 2, top_y = 1e30f;
  for (const auto& n : g.nodes)
    if (n.rect.y < top_y) { top_y = n.rect.y; top_x = n.rect.x + n.rect.w / 2; }
  offset_.x = g.bounds.w * zoom_ <= size.x ? g.bounds.x + g.bounds.w / 2 - view_center_x(g.bounds.w * zoom_) / zoom_
                                          : top_x - size.x / 2 / zoom_;
  offset_.y = g.bounds.y - margin / zoom_;
}

float GraphView::view_center_x(float content_w) const {
  // Content that fits between the legend (left) and the minimap (right) is centred there, so
  // neither overlay hides it; wider content is centred on the whole canvas.
  const float w = canvas_max_.x - canvas_min_.x;
  const float left = legend_ ? legend_w_ : 0, right = minimap_ ? minimap_w_ : 0;
  if (content_w + left + right > w) return w / 2;
  return left + (w - left - right) / 2;
}

void GraphView::center_on(const layout::Rect& r, bool readable_zoom) {
  if (readable_zoom && zoom_ < 0.7f) zoom_ = 1.0f;
  const ImVec2 size{canvas_max_.x - canvas_min_.x, canvas_max_.y - canvas_min_.y};
  offset_.x = r.x + r.w / 2 - view_center_x(r.w * zoom_) / zoom_;
  offset_.y = r.y + r.h / 2 - size.y / 2 / zoom_;
  // A control-flow frame larger than the view: show its title (top-left), not its middle.
  const float margin = 24;
  if (r.h * zoom_ > size.y - 2 * margin) offset_.y = r.y - margin / zoom_;
  if (r.w * zoom_ > size.x - 2 * margin) offset_.x = r.x - margin / zoom_;
}

void GraphView::update_matches(const Document& doc) {
  const std::string query = search_buf_;
  if (query == match_query_ && match_generation_ == doc.generation() && match_function_ == doc.selection().function) return;
  match_query_ = query;
  match_generation_ = doc.generation();
  match_function_ = doc.selection().function;
  matches_.clear();
  match_cursor_ = -1;
  const auto* g = doc.current_layout();
  const auto* fn = doc.current_function();
  match_flag_.assign(g ? g->nodes.size() : 0, 0);
  if (!g || !fn || query.empty()) return;
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    const auto& n = g->nodes[i];
    bool hit = false;
    if (n.kind == layout::NodeKind::Op) {
      const ir::Op& op = fn->op(n.id);
      hit = contains_ci(op.type, query) || contains_ci(op.name, query);
      for (ir::ValueId v : op.outputs) hit = hit || contains_ci(fn->value(v).name, query);
    } else {
      hit = contains_ci(fn->value(n.id).name, query);
    }
    if (hit) { matches_.push_back(static_cast<int32_t>(i)); match_flag_[i] = 1; }
  }
  // Top-to-bottom, then left-to-right: "next" walks down the graph.
  std::stable_sort(matches_.begin(), matches_.end(), [&](int32_t a, int32_t b) {
    const auto &ra = g->nodes[static_cast<size_t>(a)].rect, &rb = g->nodes[static_cast<size_t>(b)].rect;
    return ra.y != rb.y ? ra.y < rb.y : ra.x < rb.x;
  });
}

void GraphView::step_match(Document& doc, int dir) {
  if (matches_.empty()) return;
  const int n = static_cast<int>(matches_.size());
  match_cursor_ = match_cursor_ < 0 ? (dir > 0 ? 0 : n - 1) : ((match_cursor_ + dir) % n + n) % n;
  const auto* g = doc.current_layout();
  const auto& node = g->nodes[static_cast<size_t>(matches_[static_cast<size_t>(match_cursor_)])];
  if (node.kind == layout::NodeKind::Op) doc.select(doc.selection().function, node.id);
  else center_on(node.rect, true);
}

void GraphView::search(Document& doc, const std::string& text) {
  std::snprintf(search_buf_, sizeof search_buf_, "%s", text.c_str());
  update_matches(doc);
  step_match(doc, +1);
}

void GraphView::draw_toolbar(Document& doc) {
  draw_submodel_selector(doc);
  const ir::Model* model = doc.snapshot() ? doc.snapshot()->model.get() : nullptr;
  if (model && model->functions.size() > 1) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
    const ir::Function* cur = doc.current_function();
    if (ImGui::BeginCombo("##function", cur ? cur->name.c_str() : "")) {
      for (size_t f = 0; f < model->functions.size(); ++f) {
        ImGui::PushID(static_cast<int>(f));
        if (ImGui::Selectable(model->functions[f].name.c_str(), static_cast<int32_t>(f) == doc.selection().function))
          doc.select_function(static_cast<int32_t>(f));
        ImGui::PopID();
      }
      ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Function shown in the graph");
    ImGui::SameLine();
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 13);
  if (ImGui::BeginCombo("##color", color_mode_name(color_mode_))) {
    for (const ColorModeInfo& info : color_modes()) {
      // Only colourings whose analysis exists for this model are offered (no made-up colours).
      std::string why;
      const bool available = mode_available(doc, info.mode, &why);
      ImGui::BeginDisabled(!available);
      if (ImGui::Selectable(info.label, info.mode == color_mode_)) color_mode_ = info.mode;
      ImGui::EndDisabled();
      if (!available && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", why.c_str());
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  bool show_consts = doc.show_constants();
  if (ImGui::Checkbox("Constants", &show_consts)) doc.set_show_constants(show_consts);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Show `const` ops as nodes (folded into their consumers when off)");
  ImGui::SameLine();
  if (ImGui::Button("Fit")) fit_requested_ = true;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Zoom to fit (F)");
  ImGui::SameLine();
  ImGui::Checkbox("Minimap", &minimap_);
  ImGui::SameLine();
  ImGui::Checkbox("Legend", &legend_);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
  const bool enter = ImGui::InputTextWithHint("##search", "search name / type", search_buf_, sizeof search_buf_, ImGuiInputTextFlags_EnterReturnsTrue);
  update_matches(doc);
  if (enter) step_match(doc, +1);
  ImGui::SameLine();
  ImGui::BeginDisabled(matches_.empty());
  if (ImGui::ArrowButton("##prev", ImGuiDir_Up)) step_match(doc, -1);
  ImGui::SameLine();
  if (ImGui::ArrowButton("##next", ImGuiDir_Down)) step_match(doc, +1);
  ImGui::EndDisabled();
  if (search_buf_[0]) {
    ImGui::SameLine();
    if (matches_.empty()) ImGui::TextDisabled("no match");
    else ImGui::Text("%d / %d", match_cursor_ + 1, static_cast<int>(matches_.size()));
  }
}

int32_t GraphView::hit_test(const layout::GraphLayout& g, ImVec2 w) const {
  int32_t best = -1;
  float best_area = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& r = g.nodes[i].rect;
    if (w.x < r.x || w.y < r.y || w.x > r.right() || w.y > r.bottom()) continue;
    const float area = r.w * r.h;  // innermost wins inside compound nodes
    if (best < 0 || area < best_area) { best = static_cast<int32_t>(i); best_area = area; }
  }
  return best;
}

void GraphView::draw_canvas(Document& doc) {
  const auto* g = doc.current_layout();
  ImGui::BeginChild("##canvas", ImVec2(0, 0), true, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoMove);
  canvas_min_ = ImGui::GetCursorScreenPos();
  ImVec2 avail = ImGui::GetContentRegionAvail();
  avail.x = std::max(avail.x, 50.0f);
  avail.y = std::max(avail.y, 50.0f);
  canvas_max_ = {canvas_min_.x + avail.x, canvas_min_.y + avail.y};
  origin_ = canvas_min_;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(canvas_min_, canvas_max_, palette().canvas_bg);
  ImGui::InvisibleButton("##canvas_input", avail, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight | ImGuiButtonFlags_MouseButtonMiddle);
  const bool hovered = ImGui::IsItemHovered();
  if (!g || g->nodes.empty()) {
    std::string msg = g ? "This function has no ops to draw." : "No graph.";
    if (const ModelSnapshot* snap = doc.snapshot(); !g && snap && snap->model->functions.empty())
      msg = !snap->model->submodels.empty() ? "Pipeline of " + std::to_string(snap->model->submodels.size()) + " models: pick one in the list above."
                                            : "No op graph: a " + snap->model->kind + " model has no program.";
    const ImVec2 ts = ImGui::CalcTextSize(msg.c_str());
    dl->AddText({canvas_min_.x + (avail.x - ts.x) / 2, canvas_min_.y + (avail.y - ts.y) / 2}, ImGui::GetColorU32(ImGuiCol_TextDisabled), msg.c_str());
    ImGui::EndChild();
    return;
  }
  if (zoom_request_ > 0) {  // scripted zoom keeps the view centre
    const ImVec2 c = to_world({(canvas_min_.x + canvas_max_.x) / 2, (canvas_min_.y + canvas_max_.y) / 2});
    zoom_ = zoom_request_;
    zoom_request_ = 0;
    center_on({c.x, c.y, 0, 0}, false);
  }
  if (initial_view_ > 0) { initial_view(*g); --initial_view_; fit_requested_ = false; }
  if (fit_requested_) { fit(*g); fit_requested_ = false; }

  const int32_t selected_node = visible_node_for(doc, *g);
  if (seen_focus_ != doc.focus_serial()) {
    seen_focus_ = doc.focus_serial();
    if (selected_node >= 0) center_on(g->nodes[static_cast<size_t>(selected_node)].rect, true);
  }

  // --- input: zoom at cursor, pan by dragging, click to select, F to fit ---
  ImGuiIO& io = ImGui::GetIO();
  if (hovered && io.MouseWheel != 0) {
    const ImVec2 before = to_world(io.MousePos);
    zoom_ = std::clamp(zoom_ * std::pow(1.18f, io.MouseWheel), 1e-4f, 4.0f);
    offset_ = {before.x - (io.MousePos.x - origin_.x) / zoom_, before.y - (io.MousePos.y - origin_.y) / zoom_};
  }
  for (int button : {0, 1, 2})
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(button, 2.0f)) {
      offset_.x -= io.MouseDelta.x / zoom_;
      offset_.y -= io.MouseDelta.y / zoom_;
    }
  const bool in_minimap = minimap_ && io.MousePos.x >= minimap_rect_.x && io.MousePos.x <= minimap_rect_.z &&
                          io.MousePos.y >= minimap_rect_.y && io.MousePos.y <= minimap_rect_.w;
  if (hovered && !in_minimap && ImGui::IsMouseReleased(0) && ImGui::GetMouseDragDelta(0, 0).x * ImGui::GetMouseDragDelta(0, 0).x + ImGui::GetMouseDragDelta(0, 0).y * ImGui::GetMouseDragDelta(0, 0).y < 9) {
    const int32_t hit = hit_test(*g, to_world(io.MousePos));
    const bool is_op = hit >= 0 && g->nodes[static_cast<size_t>(hit)].kind == layout::NodeKind::Op;
    const layout::LayoutNode* hn = is_op ? &g->nodes[static_cast<size_t>(hit)] : nullptr;
    // The [-]/[+] box in a control-flow node's title bar collapses / expands its blocks.
    const ImVec2 ta = hn ? to_screen(hn->rect.x, hn->rect.y) : ImVec2{};
    const float box = ImGui::GetFontSize() + 6;
    if (hn && (hn->compound || hn->collapsed) && io.MousePos.x >= ta.x && io.MousePos.x <= ta.x + box + 4 && io.MousePos.y >= ta.y &&
        io.MousePos.y <= ta.y + box + 4) {
      doc.set_collapsed(doc.selection().function, hn->id, !hn->collapsed);
    } else {
      doc.select(doc.selection().function, is_op ? hn->id : ir::kNone);
      seen_focus_ = doc.focus_serial();  // don't move the view under the cursor
    }
  }
  if (ImGui::IsWindowFocused() && !io.WantTextInput && ImGui::IsKeyPressed('F', false)) fit(*g);

  // --- draw ---
  dl->PushClipRect(canvas_min_, canvas_max_, true);
  const ir::Function* fn = doc.current_function();
  for (const auto& grp : g->groups) {
    const ImVec2 a = to_screen(grp.rect.x, grp.rect.y), b = to_screen(grp.rect.right(), grp.rect.bottom());
    if (b.x < canvas_min_.x || a.x > canvas_max_.x || b.y < canvas_min_.y || a.y > canvas_max_.y) continue;
    dl->AddRectFilled(a, b, palette().group_fill, 4);
    dl->AddRect(a, b, palette().group_border, 4);
    // The block's name (e.g. "cond_0/block1") in its top-left corner when there is room.
    if (fn && b.x - a.x > ImGui::GetFontSize() * 5 && 9.0f * zoom_ >= ImGui::GetFontSize() && grp.block >= 0 && static_cast<size_t>(grp.block) < fn->blocks.size()) {
      const std::string name = fn->block_path(grp.block);
      const ImVec4 clip{a.x + 2, a.y, b.x - 2, b.y};
      dl->AddText(nullptr, 0, {a.x + 4, a.y + 1}, palette().group_label, name.c_str(), nullptr, 0, &clip);
    }
  }
  const bool dots = g->nodes.empty() || zoom_ * 44.0f < 3.0f;  // node height below ~3 px
  refresh_overlay(doc, *g);
  draw_edges(dl, *g, selected_node, dots);
  draw_nodes(dl, doc, *g, selected_node, dots);
  if (!overlay_mark_.empty())  // e.g. the first op whose divergence crosses the threshold
    for (size_t i = 0; i < g->nodes.size() && i < overlay_mark_.size(); ++i)
      if (overlay_mark_[i]) {
        const auto& r = g->nodes[i].rect;
        dl->AddRect(to_screen(r.x - 6, r.y - 6), to_screen(r.right() + 6, r.bottom() + 6), IM_COL32(255, 40, 40, 255), 6, 0, 3.0f);
      }
  if (legend_ && is_overlay_mode(color_mode_) && !overlay_fill_.empty()) overlay_of(color_mode_)->draw_legend(dl, {canvas_min_.x + 8, canvas_min_.y + 8});
  else if (legend_) draw_legend(dl, doc);
  if (minimap_) draw_minimap(dl, *g);
  dl->PopClipRect();

  if (hovered && !in_minimap && !ImGui::IsMouseDragging(0)) {
    const int32_t hit = hit_test(*g, to_world(io.MousePos));
    if (hit >= 0) draw_tooltip(doc, *g, hit);
  }
  ImGui::EndChild();
}

bool GraphView::mode_available(const Document& doc, ColorMode m, std::string* why) const {
  if (!is_overlay_mode(m)) return cache_.colors.available(m, why);
  if (why) *why = "no overlay for this mode in this window";
  const GraphOverlay* o = overlay_of(m);
  return o && o->available(doc.selection().function, why);
}

int32_t GraphView::visible_node_for(const Document& doc, const layout::GraphLayout& g) const {
  const ir::Function* fn = doc.current_function();
  ir::OpId op = doc.selection().op;
  for (int guard = 0; fn && op >= 0 && static_cast<size_t>(op) < fn->ops.size() && guard < 256; ++guard) {
    const int32_t node = g.node_for_op(op);
    if (node >= 0) return node;
    // Hidden inside a collapsed block: the enclosing control-flow op stands for it.
    const ir::BlockId parent = fn->op(op).parent;
    if (parent < 0 || static_cast<size_t>(parent) >= fn->blocks.size()) return -1;
    op = fn->block(parent).parent_op;
  }
  return -1;
}

void GraphView::refresh_overlay(const Document& doc, const layout::GraphLayout& g) {
  overlay_fill_.clear();
  overlay_mark_.clear();
  const int32_t f = doc.selection().function;
  const GraphOverlay* overlay = overlay_of(color_mode_);
  if (!overlay || !overlay->available(f, nullptr)) return;
  overlay_fill_.assign(g.nodes.size(), palette().io_node);
  overlay_mark_.assign(g.nodes.size(), 0);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (g.nodes[i].kind == layout::NodeKind::Op) {
      overlay_fill_[i] = overlay->op_color(f, g.nodes[i].id);
      overlay_mark_[i] = overlay->op_marked(f, g.nodes[i].id);
    }
}

void GraphView::Draw(Document& doc, bool* open) {
  if (!ImGui::Begin(title_.c_str(), open)) { ImGui::End(); return; }
  if (cache_.generation != doc.generation() || cache_.function != doc.selection().function) rebuild_cache(doc);
  if (!doc.has_model()) {
    ImGui::TextDisabled("No model open.");
    ImGui::End();
    return;
  }
  draw_toolbar(doc);
  draw_canvas(doc);
  ImGui::End();
}

}  // namespace mlscope::gui
