#include "app/gui/core_services.h"

#include "core/format/mil_printer.h"
#include "core/format/open.h"

namespace mlscope::gui {

CoreServices make_core_services() {
  CoreServices s;
  s.open = [](const std::string& path) { return format::open(path); };
  s.print = [](const ir::Model& model) {
    ProgramText t;
    if (model.functions.empty()) {
      t.error = model.submodels.empty() ? "this model kind has no program" : "pipeline: open a sub-model to see its program";
      return t;
    }
    format::MilText mil = format::print_mil_text(model);
    t.text = std::move(mil.text);
    t.op_line = std::move(mil.op_line);
    return t;
  };
  return s;
}

}  // namespace mlscope::gui
