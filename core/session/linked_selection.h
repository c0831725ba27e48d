// Selection linked across the documents of model A and model B: selecting an op in one selects
// (and centres) its matched op in the other (compare/model_match.h). An op without a partner
// leaves the other side's selection alone. Both documents read the same files the match was
// made from, so op ids agree.
#pragma once

#include "core/compare/model_match.h"
#include "core/session/document.h"

namespace mlscope::session {

class LinkedSelection {
 public:
  /// Once per frame, after both documents were polled. `match` null: nothing is linked.
  void sync(Document& a, Document& b, const compare::ModelMatch* match);

 private:
  // The selections last seen on each side (a change is what gets mirrored).
  Selection seen_a_{-1, ir::kNone}, seen_b_{-1, ir::kNone};
};

}  // namespace mlscope::session
