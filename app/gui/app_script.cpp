// The script verbs of the app and its views (the table of widgets/script_verbs.h); the compare
// and hazards parts register theirs beside their own code.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "app/gui/app.h"
#include "widgets/submodel_selector.h"
#include "widgets/theme.h"

namespace mlscope::gui {

void App::add_script_verbs() {
  auto& v = verbs_;
  // --- the document ---
  v.add("open", true, "open PATH", [this](const std::string& a) { open(a); return std::string(); });
  v.add("recording", true, "recording FILE|none", [this](const std::string& a) { doc_.set_recording(a == "none" ? "" : a); return std::string(); });
  // Selects op `name` of the document's current function; "" or why not.
  auto select_in = [](Document& doc, const std::string& name, const char* which) {
    const ir::Function* fn = doc.current_function();
    const ir::OpId op = fn ? fn->find_op(name) : ir::kNone;
    if (op == ir::kNone) return std::string(which) + " has no op named '" + name + "'";
    doc.select(doc.selection().function, op);
    return std::string();
  };
  v.add("select", true, "select OP_NAME", [this, select_in](const std::string& a) { return select_in(doc_, a, "the model"); });
  // --- model B's graph (File > Compare with model) ---
  v.add("select-b", true, "select-b OP_NAME", [this, select_in](const std::string& a) { return select_in(doc_b_, a, "model B"); });
  v.add("dump-model-b", true, "dump-model-b FILE", [this](const std::string& a) {
    const ir::Function* fn = doc_b_.current_function();
    const ir::OpId op = doc_b_.selection().op;
    nlohmann::json j{{"path", doc_b_.path()}, {"open", doc_b_.has_model()}, {"graph_b_shown", show_graph_b_},
                     {"selected_op", fn && op != ir::kNone ? nlohmann::json(fn->op(op).name) : nlohmann::json(nullptr)}};
    std::ofstream out(a);
    out << j.dump(2) << "\n";
    return out ? std::string() : "cannot write " + a;
  });
  v.add("function", true, "function NAME", [this](const std::string& a) {
    const ir::Model* m = doc_.snapshot() ? doc_.snapshot()->model.get() : nullptr;
    const ir::Function* fn = m ? m->function(a) : nullptr;
    if (!fn) return "no function named '" + a + "'";
    doc_.select_function(static_cast<int32_t>(fn - m->functions.data()));
    return std::string();
  });
  v.add("constants", true, "constants on|off", [this](const std::string& a) { doc_.set_show_constants(a == "on"); return std::string(); });
  v.add("submodel", true, "submodel NAME|INDEX|A/B|/", [this](const std::string& a) {
    const ModelSnapshot* snap = doc_.snapshot();
    auto path = snap && snap->root ? find_submodel(*snap->root, a) : std::nullopt;
    if (!path) return "no sub-model '" + a + "'";
    doc_.select_submodel(*path);
    return std::string();
  });
  for (const char* verb : {"collapse", "expand"})
    v.add(verb, true, std::string(verb) + " OP_NAME", [this, collapse = std::string(verb) == "collapse"](const std::string& a) {
      const ir::Function* fn = doc_.current_function();
      const ir::OpId op = fn ? fn->find_op(a) : ir::kNone;
      if (op == ir::kNone || fn->op(op).blocks.empty()) return "no control-flow op named '" + a + "'";
      doc_.set_collapsed(doc_.selection().function, op, collapse);
      return std::string();
    });
  // --- the graph ---
  v.add("color-mode", true, "color-mode op-type|device|lineage|cost|divergence|hazards", [this](const std::string& a) {
    ColorMode mode;
    if (!parse_color_mode(a, mode)) return "unknown color mode '" + a + "'";
    graph_.set_color_mode(mode);
    return std::string();
  });
  v.add("search", true, "search TEXT", [this](const std::string& a) { graph_.search(doc_, a); return std::string(); });
  v.add("fit", false, "fit", [this](const std::string&) { graph_.request_fit(); return std::string(); });
  v.add("zoom", true, "zoom FACTOR", [this](const std::string& a) {
    graph_.set_zoom(std::clamp(std::strtof(a.c_str(), nullptr), 1e-4f, 4.0f));
    return std::string();
  });
  v.add("print-graph", false, "print-graph", [this](const std::string&) {
    // The current graph's layout figures (tests, and the README's layout numbers).
    const ModelSnapshot* snap = doc_.snapshot();
    const layout::GraphLayout* g = doc_.current_layout();
    int collapsed = 0, compound = 0;
    if (g)
      for (const auto& n : g->nodes) { collapsed += n.collapsed; compound += n.compound; }
    std::printf("graph: kind=%s functions=%zu nodes=%zu edges=%zu groups=%zu compound=%d collapsed=%d crossings=%lld layout_ms=%.1f analysis_ms=%.1f\n",
                snap ? snap->model->kind.c_str() : "-", snap ? snap->model->functions.size() : 0, g ? g->nodes.size() : 0,
                g ? g->edges.size() : 0, g ? g->groups.size() : 0, compound, collapsed, g ? static_cast<long long>(g->crossings) : 0LL,
                snap ? snap->layout_ms : 0.0, snap ? snap->analysis_ms : 0.0);
    std::fflush(stdout);
    return std::string();
  });
  // --- the op table ---
  v.add("table-filter", true, "table-filter TEXT|-", [this](const std::string& a) { table_.set_text_filter(a == "-" ? "" : a); return std::string(); });
  v.add("table-type", true, "table-type TYPE|all", [this](const std::string& a) { table_.set_type_filter(a == "all" ? "" : a); return std::string(); });
  v.add("table-device", true, "table-device cpu|gpu|ane|none|all", [this](const std::string& a) {
    int d = 0;
    if (!OpTable::parse_device(a, d)) return "unknown device '" + a + "' (cpu, gpu, ane, none, all)";
    table_.set_device_filter(d);
    return std::string();
  });
  v.add("print-table", false, "print-table", [this](const std::string&) {
    // One line per row as the table shows them (after the last frame's filtering).
    const ir::Function* fn = doc_.current_function();
    std::printf("table: %zu rows\n", table_.rows().size());
    if (fn)
      for (ir::OpId o : table_.rows()) std::printf("table-row: %s %s\n", fn->op(o).type.c_str(), fn->op(o).name.c_str());
    std::fflush(stdout);
    return std::string();
  });
  // --- the windows ---
  v.add("panel", true, "panel NAME [TAB] | graph | none", [this](const std::string& a) {
    const auto [name, tab] = split_first_word(a);
    if (name == "none" || name == "graph") {  // close what sits over the graph
      for (Panel& p : panels_)
        if (p.covers_graph) *p.open = false;
      if (name == "graph") ImGui::SetWindowFocus("Graph");
      return std::string();
    }
    std::string names;
    for (Panel& p : panels_) {
      if (p.key == name) {
        *p.open = true;
        ImGui::SetWindowFocus(p.title.c_str());
        if (!tab.empty() && p.show_tab) p.show_tab(tab);
        return std::string();
      }
      names += p.key + ", ";
    }
    return "unknown panel '" + name + "' (" + names + "graph, none)";
  });
  v.add("theme", true, "theme dark|light", [this](const std::string& a) { apply_theme(a == "light" ? Theme::Light : Theme::Dark, scale_); return std::string(); });
  // --- the script itself ---
  v.add("wait", true, "wait FRAMES", [this](const std::string& a) { script_.wait_frames(std::max(0, std::atoi(a.c_str()))); return std::string(); });
  v.add("screenshot", true, "screenshot PATH", [this](const std::string& a) {
    pending_screenshot_ = a;
    screenshot_countdown_ = 1;
    return std::string();
  });
  v.add("measure", true, "measure FRAMES [LABEL]", [this](const std::string& a) {  // UI build + draw-list time per frame
    const auto [n, label] = split_first_word(a);
    measure_left_ = std::max(1, std::atoi(n.c_str()));
    measure_label_ = label;
    measure_ui_ms_.clear();
    measure_gl_ms_.clear();
    return std::string();
  });
  v.add("frame-times", true, "frame-times N [LABEL]", [this](const std::string& a) {  // intervals between frames
    const auto [n, label] = split_first_word(a);
    frame_left_ = std::max(1, std::atoi(n.c_str()));
    frame_label_ = label;
    frame_ms_.clear();
    return std::string();
  });
  v.add("quit", false, "quit", [this](const std::string&) { quit_ = true; return std::string(); });
  compare_.add_script_verbs(v, doc_);
  hazards_.add_script_verbs(v, doc_, graph_);
}

}  // namespace mlscope::gui
