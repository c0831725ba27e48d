#include "core/session/weight_stats.h"

namespace mlscope::session {

template <typename Compute>
const analysis::TensorHistogram* WeightStats::get(const Document& doc, int32_t op, int64_t slot, Compute compute) {
  const ModelSnapshot* snap = doc.snapshot();
  const int32_t f = doc.selection().function;
  if (!snap || f < 0 || static_cast<size_t>(f) >= snap->model->functions.size()) return nullptr;
  if (generation_ != doc.generation()) {  // a new model: drop the finished entries of the old one
    std::erase_if(cache_, [](const auto& kv) { return kv.second.result.has_value(); });
    generation_ = doc.generation();
  }
  const Key key{doc.generation(), f, op, slot};
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    it = cache_.emplace(key, Entry{}).first;
    Entry* e = &it->second;  // map nodes stay put; an entry is erased only once its task published
    e->task = std::make_unique<Task>();
    std::shared_ptr<const ir::Model> model = snap->model;  // kept alive by the work
    e->task->start("weight statistics", [e, model, f, compute](TaskContext&) -> Task::Publish {
      auto h = std::make_shared<analysis::TensorHistogram>(compute(model->functions[static_cast<size_t>(f)]));
      return [e, h] { e->result = std::move(*h); };
    });
  }
  it->second.task->poll();
  return it->second.result ? &*it->second.result : nullptr;
}

const analysis::TensorHistogram* WeightStats::value(const Document& doc, ir::ValueId v) {
  return get(doc, -1, v, [v](const ir::Function& fn) { return analysis::value_histogram(fn, v); });
}

const analysis::TensorHistogram* WeightStats::attribute(const Document& doc, ir::OpId o, size_t attr) {
  return get(doc, o, static_cast<int64_t>(attr), [o, attr](const ir::Function& fn) {
    const ir::Op& op = fn.op(o);
    const auto& c = op.attributes[attr].value;
    analysis::TensorHistogram none;
    none.error = "no value";
    if (!c) return none;
    analysis::TensorHistogram h = analysis::constant_histogram(*c, op.name);
    h.producer_type = "attribute " + op.attributes[attr].name;
    return h;
  });
}

bool WeightStats::idle() const {
  for (const auto& [k, e] : cache_)
    if (e.task && e.task->busy() && !e.task->ended()) return false;
  return true;
}

}  // namespace mlscope::session
