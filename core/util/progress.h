// Progress: the one signature long core work reports through. `done` of `total` units (ops,
// inputs, backends — fractional when parts are averaged) and what is running now. Called from
// worker threads; the receiver must be thread-safe (session::TaskContext::reporter() is).
#pragma once

#include <algorithm>
#include <functional>
#include <string_view>

namespace mlscope {

struct Progress {
  double done = 0;
  double total = 0;
  std::string_view stage;  ///< valid during the call only ("conv_3", "12 / 100 inputs")

  /// In [0, 1]; 0 while the total is unknown.
  float fraction() const { return total > 0 ? static_cast<float>(std::clamp(done / total, 0.0, 1.0)) : 0.0f; }
};

using ProgressFn = std::function<void(const Progress&)>;

}  // namespace mlscope
