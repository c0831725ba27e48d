// Script verbs for the op table, pipelines and control-flow groups (kept apart from app.cpp).
#include <cstdio>

#include "app/gui/app.h"
#include "widgets/submodel_selector.h"

namespace mlscope::gui {

bool App::run_view_verb(const ScriptCommand& c, std::string& error) {
  const std::string& a = c.arg;
  if (c.verb == "table-filter") table_.set_text_filter(a == "-" ? "" : a);
  else if (c.verb == "table-type") table_.set_type_filter(a == "all" ? "" : a);
  else if (c.verb == "table-device") {
    int d = 0;
    if (!OpTable::parse_device(a, d)) error = "unknown device '" + a + "' (cpu, gpu, ane, none, all)";
    else table_.set_device_filter(d);
  } else if (c.verb == "print-table") {
    // One line per row as the table shows them (after the last frame's filtering).
    const ir::Function* fn = doc_.current_function();
    std::printf("table: %zu rows\n", table_.rows().size());
    if (fn)
      for (ir::OpId o : table_.rows()) std::printf("table-row: %s %s\n", fn->op(o).type.c_str(), fn->op(o).name.c_str());
    std::fflush(stdout);
  } else if (c.verb == "print-graph") {
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
  } else if (c.verb == "submodel") {
    const ModelSnapshot* snap = doc_.snapshot();
    auto path = snap && snap->root ? find_submodel(*snap->root, a) : std::nullopt;
    if (!path) error = "no sub-model '" + a + "'";
    else doc_.select_submodel(*path);
  } else if (c.verb == "collapse" || c.verb == "expand") {
    const ir::Function* fn = doc_.current_function();
    const ir::OpId op = fn ? fn->find_op(a) : ir::kNone;
    if (op == ir::kNone || fn->op(op).blocks.empty()) error = "no control-flow op named '" + a + "'";
    else doc_.set_collapsed(doc_.selection().function, op, c.verb == "collapse");
  } else {
    return false;
  }
  return true;
}

}  // namespace mlscope::gui
