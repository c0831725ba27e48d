// --script FILE: a few verbs that drive the real GUI for tests, one per line ('#' comments):
//   recording FILE|none (for the next open) | open PATH | select OP_NAME | function NAME | color-mode op-type|device|lineage|cost|divergence|hazards
//   search TEXT | fit | zoom FACTOR | constants on|off | theme dark|light | wait FRAMES
//   screenshot PATH | measure FRAMES [LABEL] | quit
//   table-filter TEXT|- | table-device cpu|gpu|ane|none|all | table-type TYPE|all | print-table | print-graph
//   submodel NAME|INDEX|A/B|/ | collapse OP_NAME | expand OP_NAME
// Comparison (widgets/compare_ui.cpp): backends fp32,gpu,recorded:cpu_only | reference NAME |
//   load-recording FILE | input recording|seed:N|FILE | run | wait-runs | stop | drift N |
//   sweep N | divergence [OTHER] | divergence-focus | select-sweep-input I | panel backends|compare [TAB]|sweep|playground|graph|none |
//   export-plot PNG | export-csv FILE | export-json FILE | dump-state FILE | frame-times N [LABEL] | what-if SPEC
// fp16 hazards (widgets/hazards_panel.cpp): hazards [PROFILE [INPUT]] | wait-hazards | select-hazard I |
//   dump-hazards FILE
// Each command waits until a running load has finished and then lets a few frames settle.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mlscope::gui {

struct ScriptCommand {
  std::string verb, arg;
  int line = 0;
};

class Script {
 public:
  /// Reads and checks the file; on a bad line returns an error "FILE:LINE: message".
  static std::optional<std::string> load(const std::string& path, Script& out);
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
