// Op table window: every op of the current function with type, opset, name, output type, device,
// quantization lineage kind and estimated cost; sortable; filterable by text, device and op type;
// rows clipped over an index vector; selection shared with the graph through the Document.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "widgets/session.h"

namespace mlscope::gui {

class OpTable {
 public:
  /// Device filter values: analysis::Device index, kNoDevice (const/none), or kAnyDevice.
  static constexpr int kAnyDevice = -2, kNoDevice = -1;

  void Draw(Document& doc, bool* open);

  // --- scripted control (tests) ---
  void set_text_filter(const std::string& text);
  void set_type_filter(const std::string& type) { type_filter_ = type; }
  void set_device_filter(int device) { device_filter_ = device; }
  /// "cpu", "gpu", "ane" / "neural_engine", "none", "all" → device filter value; false if unknown.
  static bool parse_device(const std::string& text, int& out);
  /// Rows after filtering (as of the last Draw) and their op ids in display order.
  const std::vector<ir::OpId>& rows() const { return rows_; }

 private:
  void rebuild(const Document& doc);
  int device_of(const Document& doc, ir::OpId o) const;

  char filter_[128] = {};
  std::string type_filter_;  ///< "" = every type
  int device_filter_ = kAnyDevice;
  bool show_constants_ = false;
  // Presentation cache, rebuilt when the model, function, filter or sort changes.
  std::vector<ir::OpId> rows_;
  std::vector<std::string> types_;  ///< distinct op types for the type filter
  uint64_t built_generation_ = ~0ull;
  int32_t built_function_ = -1;
  std::string built_filter_, built_type_;
  int built_device_ = kAnyDevice;
  bool built_constants_ = false;
  int sort_column_ = 0;
  bool sort_ascending_ = true, sort_dirty_ = true;
  uint64_t seen_focus_ = 0;
};

}  // namespace mlscope::gui
