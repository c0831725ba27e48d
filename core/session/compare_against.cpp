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
  if (const BackendChoice* ref = find(reference); ref && ref->spec.emulated() && ref->spec.name.rfind("B:", 0) != 0 && ref->spec.name != "what-if")
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
    // The weights' histograms for the Model B window (decoded again, one pair at a time).
    auto histograms = std::make_shared<std::vector<compare::WeightPairHistograms>>();
    for (const compare::WeightDiff& w : report->weights) {
      ctx.throw_if_cancelled();
      if (!w.compared) {
        histograms->push_back({w.a_op, w.param, 0, 0, 0, {}, {}, 0, 0, {}, 0, "not compared: " + w.note});
        continue;
      }
      histograms->push_back(compare::weight_pair_histograms(*a, *match->a, match->a->find_op(w.a_op), *b, *match->b,
                                                            match->b->find_op(w.b_op), w.param));
    }
    return [=, this] {
      if (model_ != a) return;  // another model was opened meanwhile
      clear_against();
      against_model_ = b;
      against_match_ = match;
      against_report_ = *report;
      against_histograms_ = std::move(*histograms);
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
