// Matching the ops of two models: the original (A) against its compressed or re-converted
// version (B). Compute ops (analysis::is_real_op) are paired by output value name (converters keep names through
// compression) or by structure — same kind (compare/op_equivalence.h), same output shapes, fed
// by the counterparts of the same producers — when names differ (another converter, another
// format). B's compression plumbing (constexpr_*, quantize, dequantize, cast) is recognised and
// counted, never matched; compute ops left without a partner are listed on both sides.
//
// One pass over A in program order: every producer is matched before its consumers, and the
// structural candidates of an op are the B consumers of one producer's counterpart, so the cost
// is linear in ops (times the fan-out of a value).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/ir/model.h"

namespace mlscope::compare {

enum class MatchMode { Name, Structure, Auto };  ///< Auto: by name, by structure where names fail
std::string_view match_mode_name(MatchMode m);  ///< "name", "structure", "auto"
std::optional<MatchMode> match_mode_from_name(std::string_view s);

struct ModelMatchOptions {
  MatchMode mode = MatchMode::Auto;
  std::string function_a, function_b;  ///< "" = each model's main function
  /// Input/output pairs whose names differ (A name, B name); the rest pair by equal name.
  std::vector<std::pair<std::string, std::string>> io_map;
};

struct OpPair {
  ir::OpId a = ir::kNone, b = ir::kNone;
  bool by_name = false;  ///< else by structure
};

struct ModelMatch {
  const ir::Function* a = nullptr;
  const ir::Function* b = nullptr;
  MatchMode mode = MatchMode::Auto;
  std::vector<std::pair<std::string, std::string>> inputs, outputs;  ///< (A name, B name)
  std::vector<OpPair> ops;                                           ///< A's program order
  std::vector<ir::OpId> unmatched_a, unmatched_b;                    ///< compute ops, program order
  std::map<std::string, int64_t> plumbing_a, plumbing_b;             ///< op type → count
  size_t by_name = 0, by_structure = 0;
  /// A value name of every B value that has a counterpart (matched ops' outputs, function inputs).
  std::unordered_map<std::string, std::string> a_value_of_b;
  std::vector<std::string> notes;  ///< e.g. an output compared across float widths

  const OpPair* pair_of_a(ir::OpId a) const;
  const OpPair* pair_of_b(ir::OpId b) const;

 private:
  friend ModelMatch match_models(const ir::Model&, const ir::Model&, const ModelMatchOptions&);
  std::vector<int32_t> index_of_a_, index_of_b_;  // op id → index into ops (-1 = none)
};

/// The result points into both models' functions: they must outlive it.
/// Throws mlscope::Error naming B's file when the two interfaces differ: an input or output
/// without a counterpart (listing the other side's names), or a shape or non-float dtype
/// mismatch. Float outputs of different widths (fp16 vs fp32) are compared, with a note.
ModelMatch match_models(const ir::Model& a, const ir::Model& b, const ModelMatchOptions& options = {});

}  // namespace mlscope::compare
