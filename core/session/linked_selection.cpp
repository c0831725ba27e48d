#include "core/session/linked_selection.h"

namespace mlscope::session {

namespace {

// Index of the function named `name` in the document's model (-1 if absent).
int32_t function_index(const Document& d, const std::string& name) {
  const ModelSnapshot* s = d.snapshot();
  if (!s) return -1;
  for (size_t i = 0; i < s->model->functions.size(); ++i)
    if (s->model->functions[i].name == name) return static_cast<int32_t>(i);
  return -1;
}

}  // namespace

void LinkedSelection::sync(Document& a, Document& b, const compare::ModelMatch* match) {
  if (!match || !a.snapshot() || !b.snapshot()) return;
  const int32_t fa = function_index(a, match->a->name), fb = function_index(b, match->b->name);
  if (fa < 0 || fb < 0) return;
  auto same = [](const Selection& x, const Selection& y) { return x.function == y.function && x.op == y.op; };
  if (!same(a.selection(), seen_a_)) {
    seen_a_ = a.selection();
    if (seen_a_.function == fa && seen_a_.op != ir::kNone)
      if (const compare::OpPair* p = match->pair_of_a(seen_a_.op)) b.select(fb, p->b);
    seen_b_ = b.selection();  // our own echo is not a change on B's side
  } else if (!same(b.selection(), seen_b_)) {
    seen_b_ = b.selection();
    if (seen_b_.function == fb && seen_b_.op != ir::kNone)
      if (const compare::OpPair* p = match->pair_of_b(seen_b_.op)) a.select(fa, p->a);
    seen_a_ = a.selection();
  }
}

}  // namespace mlscope::session
