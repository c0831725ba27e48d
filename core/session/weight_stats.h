// WeightStats: histogram + min/max/mean/std of compile-time tensors (a const, a decoded constexpr
// chain, a NeuralNetwork layer's weight attribute) for the inspector. Computed by
// core/analysis/tensor_histogram (bounded cost) as one Task per tensor, cached per
// (model generation, function, op, value or attribute).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <tuple>

#include "core/analysis/tensor_histogram.h"
#include "core/session/document.h"
#include "core/session/task.h"

namespace mlscope::session {

class WeightStats {
 public:
  /// Statistics of value `v` of the current function; nullptr while they are computed (the
  /// first call starts that).
  const analysis::TensorHistogram* value(const Document& doc, ir::ValueId v);
  /// Same for tensor attribute `attr` of op `o` (NeuralNetwork layer weights are attributes).
  const analysis::TensorHistogram* attribute(const Document& doc, ir::OpId o, size_t attr);
  /// True when every requested computation has finished (scripts wait on this).
  bool idle() const;

 private:
  /// generation, function, op (-1 for a value), value id or attribute index
  using Key = std::tuple<uint64_t, int32_t, int32_t, int64_t>;
  struct Entry {
    std::unique_ptr<Task> task;
    std::optional<analysis::TensorHistogram> result;
  };
  template <typename Compute>
  const analysis::TensorHistogram* get(const Document& doc, int32_t op, int64_t slot, Compute compute);

  std::map<Key, Entry> cache_;
  uint64_t generation_ = ~0ull;
};

}  // namespace mlscope::session
