// --script FILE: verbs that drive the real GUI for tests and demos, one per line ('#' comments).
// The verbs live in one table (widgets/script_verbs.h) filled beside the code they drive:
//   the app and its views (app/gui/app_script.cpp): recording FILE|none | open PATH | select OP |
//     function NAME | color-mode MODE | search TEXT | fit | zoom F | constants on|off |
//     theme dark|light | wait FRAMES | screenshot PATH | measure FRAMES [LABEL] |
//     frame-times N [LABEL] | panel NAME [TAB] | quit | table-filter TEXT|- | table-device D |
//     table-type TYPE|all | print-table | print-graph | submodel NAME | collapse OP | expand OP
//   comparison (widgets/compare_ui.cpp): backends | reference | load-recording | input | run |
//     wait-runs | stop | drift N | sweep N | divergence [OTHER] | divergence-focus |
//     select-sweep-input I | export-plot PNG | export-csv FILE | export-json FILE | dump-state FILE |
//     what-if SPEC | class-axis auto|none|AXIS | position [OUTPUT] N
//   fp16 hazards (widgets/hazards_panel.cpp): hazards [PROFILE [INPUT]] | wait-hazards |
//     select-hazard I | dump-hazards FILE
// Each command waits until a running load has finished and then lets a few frames settle.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "widgets/script_verbs.h"

namespace mlscope::gui {

struct ScriptCommand {
  std::string verb, arg;
  int line = 0;
};

class Script {
 public:
  /// Reads the file and checks every line against `verbs`; on a bad line returns an error
  /// "FILE:LINE: message".
  static std::optional<std::string> load(const std::string& path, const ScriptVerbs& verbs, Script& out);
  bool done() const { return next_ >= commands_.size(); }
  /// The next command if the script may advance this frame (not busy, no frames to wait).
  const ScriptCommand* poll(bool document_busy);
  void wait_frames(int n) { wait_ = std::max(wait_, n); }

 private:
  std::vector<ScriptCommand> commands_;
  size_t next_ = 0;
  int wait_ = 0;
};

}  // namespace mlscope::gui
