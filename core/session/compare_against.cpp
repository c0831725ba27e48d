// Compare with another model: B opened and matched to the open model on a job, then run as a
// backend of it (core/compare/other_model_backend.h), so every comparison view shows A and B.
#include <algorithm>

#include "core/format/open.h"
#include "core/session/compare_session.h"

namespace mlscope::session {

bool CompareSession::set_against(const std::string& path, compare::MatchMode mode) {
  if (!model_) {
    status_ = "open a model first";
    return false;
  }
  compare::BackendSpec base = compare::backend_spec("fp32");
  if (const BackendChoice* ref = find(reference); ref && ref->spec.emulated() && ref->spec.name != against_backend_ && ref->spec.name != "what-if")
    base = ref->spec;
  auto a = model_;
  return jobs_.start("Opening model B", [=, this](TaskContext& ctx) -> Task::Publish {
    ctx.progress({0, 2, "Reading " + path});
    auto b = std::make_shared<const ir::Model>(format::open(path));
    ctx.throw_if_cancelled();
    ctx.progress({1, 2, "Matching ops"});
    compare::ModelMatchOptions o;
    o.mode = mode;
    auto match = std::make_shared<const compare::ModelMatch>(compare::match_models(*a, *b, o));
    auto report = std::make_shared<compare::TwoModelReport>(compare::summarize_match(*a, *b, *match));
    return [=, this] {
      if (model_ != a) return;  // another model was opened meanwhile
      clear_against();
      against_model_ = b;
      against_match_ = match;
      against_report_ = *report;
      BackendChoice c;
      c.spec = compare::other_model_backend_spec(base, b, match);
      c.selected = true;
      against_backend_ = c.spec.name;
      backends_.push_back(std::move(c));
      if (const BackendChoice* ref = find(reference); !ref || ref->spec.name == against_backend_) reference = base.name;
      if (const BackendChoice* r = find(reference); !r) reference = backends_.front().spec.name;
      status_ = "model B: " + std::to_string(report->by_name + report->by_structure) + " of " + std::to_string(report->a_compute_ops) +
                " ops matched";
    };
  });
}

const compare::WeightPairHistograms* CompareSession::against_weight_histograms(size_t index) {
  if (!against_report_ || index >= against_report_->weights.size()) return nullptr;
  HistogramEntry& e = against_histograms_[index];
  if (e.result) return e.result.get();
  if (e.task) {
    if (e.task->poll() && !e.result) {  // failed or cancelled: say so instead of waiting forever
      auto h = std::make_shared<compare::WeightPairHistograms>();
      h->note = e.task->last_error().empty() ? "not computed" : e.task->last_error();
      e.result = h;
    }
    return e.result.get();
  }
  const compare::WeightDiff w = against_report_->weights[index];
  auto a = model_;
  auto b = against_model_;
  auto match = against_match_;
  e.task = std::make_unique<Task>();
  e.task->start("Weight histograms", [a, b, match, w, &e](TaskContext&) -> Task::Publish {
    auto h = std::make_shared<compare::WeightPairHistograms>();
    if (!w.compared) {
      h->a_op = w.a_op;
      h->param = w.param;
      h->note = "not compared: " + w.note;
    } else {
      *h = compare::weight_pair_histograms(*a, *match->a, match->a->find_op(w.a_op), *b, *match->b, match->b->find_op(w.b_op), w.param);
    }
    return [h, &e] { e.result = h; };
  });
  return nullptr;
}

bool CompareSession::weight_histograms_idle() const {
  for (const auto& [i, e] : against_histograms_)
    if (e.task && e.task->busy()) return false;
  return true;
}

void CompareSession::clear_against() {
  if (!against_backend_.empty())
    backends_.erase(std::remove_if(backends_.begin(), backends_.end(), [&](const BackendChoice& c) { return c.spec.name == against_backend_; }),
                    backends_.end());
  // B's cached runs and a divergence against it belong to that B only.
  if (against_model_) {
    const std::string mark = "model " + against_model_->path + " under ";
    for (auto it = cache_.begin(); it != cache_.end();) it = it->first.find(mark) != std::string::npos ? cache_.erase(it) : std::next(it);
  }
  if (divergence_ && divergence_->report.other == against_backend_) divergence_.reset();
  against_model_.reset();
  against_match_.reset();
  against_report_.reset();
  against_histograms_.clear();
  against_backend_.clear();
}

}  // namespace mlscope::session
