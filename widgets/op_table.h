// Op table window: every op of the current function, sortable and filterable (text + op type),
// rows clipped over an index vector, selection shared with the graph through the Document.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "widgets/document.h"

namespace mlscope::gui {

class OpTable {
 public:
  void Draw(Document& doc, bool* open);

 private:
  void rebuild(const Document& doc);

  char filter_[128] = {};
  std::string type_filter_;  ///< "" = every type
  bool show_constants_ = false;
  // Presentation cache, rebuilt when the model, function, filter or sort changes.
  std::vector<ir::OpId> rows_;
  std::vector<std::string> types_;  ///< distinct op types for the type filter
  uint64_t built_generation_ = ~0ull;
  int32_t built_function_ = -1;
  std::string built_filter_, built_type_;
  bool built_constants_ = false;
  int sort_column_ = 0;
  bool sort_ascending_ = true, sort_dirty_ = true;
  uint64_t seen_focus_ = 0;
};

}  // namespace mlscope::gui
