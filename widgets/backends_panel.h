// Backends panel: choose the backends (built-in emulated profiles with their numeric rules shown,
// a derived user profile with editable rules, recorded compute units from a recording file), the
// reference, and the input (the recording's, a seed, an .npy/.npz or image file); Run / Stop
// with progress. All work goes through CompareSession's worker.
#pragma once

#include "widgets/session.h"
#include "widgets/image_thumbnail.h"

namespace mlscope::gui {

class BackendsPanel {
 public:
  void Draw(CompareSession& session, bool* open);

 private:
  void draw_backends(CompareSession& s);
  void draw_input(CompareSession& s);
  void draw_run(CompareSession& s);
  char recording_buf_[512] = {};
  char file_buf_[512] = {};
  int base_profile_ = 0;
  std::string recording_error_;
  ImageThumbnail thumbnail_;
};

/// Editable (or read-only) view of one profile's default numeric rules.
bool edit_numerics(exec::OpNumerics& n, bool editable);

}  // namespace mlscope::gui
