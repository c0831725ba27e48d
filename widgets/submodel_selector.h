// Pipeline models: a combo listing the file's model and every (nested) sub-model; picking one
// shows its program in every view (Document::select_submodel).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "widgets/session.h"

namespace mlscope::gui {

/// Draws the combo when the opened file has sub-models (nothing otherwise).
void draw_submodel_selector(Document& doc);

/// Sub-model by name ("model1"), kind ("glmRegressor"), index ("1"), nested "a/b", or "/" (the
/// file's model) → submodel path.
std::optional<std::vector<int>> find_submodel(const ir::Model& root, const std::string& spec);

/// Display name of the model at `path` ("pipelineRegressor" for the root, else its name).
std::string submodel_label(const ir::Model& root, const std::vector<int>& path);

}  // namespace mlscope::gui
