#include "app/gui/core_services.h"

#include "core/analysis/placement_estimator.h"
#include "core/format/mil_printer.h"
#include "core/format/open.h"
#include "core/recording/recording_json.h"
#include "core/recording/recording_match.h"

namespace mlscope::gui {

CoreServices make_core_services() {
  CoreServices s;
  s.open = [](const std::string& path) { return format::open(path); };
  s.print = [](const ir::Model& model) {
    ProgramText t;
    if (model.functions.empty()) {
      t.error = model.submodels.empty() ? "this model kind has no program" : "pipeline: pick a sub-model in the Graph toolbar to see its program";
      return t;
    }
    format::MilText mil = format::print_mil_text(model);
    t.text = std::move(mil.text);
    t.op_line = std::move(mil.op_line);
    return t;
  };
  s.place = [](const ir::Model& model, const std::string& path, const std::string& recording) {
    if (!recording.empty()) return recording::placement_from_recording(recording::load_recording_file(recording), model, path);
    return analysis::estimate_placement(model);
  };
  return s;
}

}  // namespace mlscope::gui
