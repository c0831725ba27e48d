// What `compare A --against B` reports beyond the comparison of its two backends (A under one
// profile, B under another — compare/other_model_backend.h): how the ops were matched, what is
// left unmatched on either side, B's compression plumbing, and per-op divergence with B's op
// named beside A's.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/compare/backend_catalog.h"
#include "core/compare/divergence.h"
#include "core/compare/model_match.h"
#include "core/compare/weight_diff.h"

namespace mlscope::compare {

struct UnmatchedOp {
  std::string name, type;
};

struct TwoModelReport {
  std::string a_path, b_path;
  MatchMode mode = MatchMode::Auto;
  size_t a_compute_ops = 0, b_compute_ops = 0, by_name = 0, by_structure = 0;
  std::vector<std::pair<std::string, std::string>> inputs, outputs;  ///< (A name, B name)
  std::vector<UnmatchedOp> unmatched_a, unmatched_b;
  std::map<std::string, int64_t> plumbing_a, plumbing_b;  ///< op type → count
  std::vector<WeightDiff> weights;  ///< every weight of every matched op (compare/weight_diff.h)
  WeightTotals weight_totals;
  std::vector<std::string> notes;
};

/// The match in report form, with the weights of every matched op compared (decoded one pair
/// at a time).
TwoModelReport summarize_match(const ir::Model& a, const ir::Model& b, const ModelMatch& m);

/// B under `inner` as a backend of A, named "B:<inner name>" (compare/other_model_backend.h).
BackendSpec other_model_backend_spec(const BackendSpec& inner, std::shared_ptr<const ir::Model> b,
                                     std::shared_ptr<const ModelMatch> match);

/// Options for the per-op divergence of A against B: only values with a counterpart are compared.
DivergenceOptions two_model_divergence_options(DivergenceOptions base, const ModelMatch& m);
/// Fills OpDivergence::other_name with B's op for every matched op.
void name_counterparts(DivergenceReport& d, const ModelMatch& m);

nlohmann::json two_model_json(const TwoModelReport& r);
std::string two_model_text(const TwoModelReport& r);

}  // namespace mlscope::compare
