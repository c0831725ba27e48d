// Histogram + min/max/mean/std of a compile-time tensor (const / decoded constexpr chain) in the
// inspector. The numbers come from core/analysis/tensor_histogram (bounded cost), computed on a
// background thread once per (model, function, value) and cached.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <tuple>

#include "core/analysis/tensor_histogram.h"
#include "widgets/document.h"

namespace mlscope::gui {

class WeightHistogram {
 public:
  ~WeightHistogram();
  /// Draws the statistics of value `v` of the current function (starts the computation if needed).
  void Draw(const Document& doc, ir::ValueId v);
  /// Same for tensor attribute `attr` of op `o` (NeuralNetwork layer weights are attributes).
  void DrawAttribute(const Document& doc, ir::OpId o, size_t attr);
  /// True when every requested histogram has finished (scripts wait on this).
  bool idle() const;

 private:
  /// generation, function, op (-1 for a value), value id or attribute index
  using Key = std::tuple<uint64_t, int32_t, int32_t, int64_t>;
  using Task = std::function<analysis::TensorHistogram(const ir::Function&)>;
  void draw_entry(const Document& doc, int32_t op, int64_t slot, Task task);
  struct Entry {
    std::shared_future<analysis::TensorHistogram> result;
  };
  std::map<Key, Entry> cache_;
  uint64_t generation_ = ~0ull;
};

}  // namespace mlscope::gui
