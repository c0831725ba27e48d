// Quantization playground: build a what-if (weights int8/int4 per-tensor/per-channel/per-block,
// palettization n-bit, activations int8 per-tensor calibrated on K seeded inputs, or bypassing a
// quantized program's quantization) as a spec string, run it as the backend "what-if" beside
// the original, and read a short walkthrough in plain words. The what-if itself is applied by
// core/compare/what_if.h inside the interpreter; this panel only composes the spec and shows results.
#pragma once

#include <string>

#include "widgets/session.h"

namespace mlscope::gui {

class PlaygroundPanel {
 public:
  void Draw(CompareSession& session, bool* open);
  /// Script verb `what-if SPEC`: adds/updates the what-if backend and runs it beside the reference.
  std::string script_what_if(CompareSession& session, const std::string& spec);
  /// The spec the controls describe ("weights=int8:per_channel,activations=int8:per_tensor").
  std::string spec_from_controls() const;

 private:
  void draw_controls(CompareSession& s);
  void draw_results(CompareSession& s);
  void draw_walkthrough();
  /// Shows a spec given by a script in the controls.
  void controls_from_spec(const std::string& text);

  int weights_ = 1;       ///< 0 none, 1 int8, 2 int4
  int granularity_ = 1;   ///< 0 per_tensor, 1 per_channel, 2 per_block
  int block_ = 32;
  int palette_bits_ = 0;  ///< 0 off, else n-bit palettization
  bool activations_ = false;
  int calibration_ = 8;
  bool bypass_ = false;
  char spec_buf_[256] = {};
  std::string error_;
  int walk_step_ = 0;
};

}  // namespace mlscope::gui
