// A backend's output seen as numbers: tensors as their elements (C order), classifier
// dictionaries as their scores ordered by key, strings as text (compared for equality only).
#pragma once

#include <string>
#include <vector>

#include "core/exec/tensor.h"

namespace mlscope::compare {

struct FlatValue {
  enum class Kind : uint8_t { Numeric, Text, Unsupported };
  Kind kind = Kind::Unsupported;
  exec::Dims shape;                 ///< tensor shape; {n} for a dictionary
  std::vector<double> values;       ///< Numeric
  std::vector<std::string> labels;  ///< dictionary keys (as text) in value order
  std::vector<std::string> text;    ///< Text
  bool from_dictionary = false;
  std::string description;          ///< exec::describe() of the original value
};

/// Dictionaries are sorted by key so two backends' probabilities line up class by class.
FlatValue flatten(const exec::RunValue& v);

/// True for a score vector: a dictionary, or a numeric tensor with ≥ 2 elements whose dims are
/// all 1 except one (e.g. logits [1, 2] or [1000]).
bool is_classification_like(const FlatValue& v);

}  // namespace mlscope::compare
