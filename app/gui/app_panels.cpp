// The window list: every window of the app in drawing order, with its menu entry, the key its
// open state is saved under and its name for `panel NAME`.
#include <imgui.h>

#include "app/gui/app.h"

namespace mlscope::gui {

void App::add_panels() {
  panels_.push_back({"Model", "View", "Model", "model", &show_model_, true, false, [this](bool* open) { model_panel_.Draw(doc_, open); }, {}});
  panels_.push_back({"Inspector", "View", "Inspector", "inspector", &show_inspector_, true, false,
                     [this](bool* open) { inspector_.Draw(doc_, open); }, {}});
  panels_.push_back({"Graph", "View", "Graph", "graph", &show_graph_, true, false, [this](bool* open) { graph_.Draw(doc_, open); }, {}});
  panels_.push_back({"Graph B", "View", "Graph of model B", "graph-b", &show_graph_b_, false, false,
                     [this](bool* open) {
                       if (place_graph_b_) {
                         const GraphArea g = default_graph_area();
                         ImGui::SetNextWindowPos({g.pos.x + g.size.x * 0.5f, g.pos.y});
                         ImGui::SetNextWindowSize({g.size.x * 0.5f, g.size.y});
                         place_graph_b_ = false;
                       }
                       if (compare_session_.against_model()) graph_b_.Draw(doc_b_, open);
                       else *open = false;  // nothing to show without a model B
                     },
                     {}});
  panels_.push_back({"Ops", "View", "Ops", "ops", &show_table_, true, false, [this](bool* open) { table_.Draw(doc_, open); }, {}});
  panels_.push_back({"MIL text", "View", "MIL text", "mil", &show_mil_, true, false, [this](bool* open) { mil_.Draw(doc_, open); }, {}});
  compare_.add_panels(panels_, doc_);
  hazards_.add_panels(panels_, doc_);
}

}  // namespace mlscope::gui
