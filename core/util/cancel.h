// CancelToken: the one way a caller asks long core work to stop. The caller owns an
// std::atomic<bool> and sets it from any thread; the work holds a token that reads it. A
// default token is never cancelled. Every core option struct that can be stopped (RunOptions,
// SweepOptions, HazardRunOptions, CalibrationControl, LayoutOptions) carries one.
#pragma once

#include <atomic>

namespace mlscope {

class CancelToken {
 public:
  CancelToken() = default;
  CancelToken(const std::atomic<bool>& flag) : flag_(&flag) {}  // NOLINT: implicit on purpose
  // A temporary flag would dangle (std::atomic<bool> converts from bool implicitly).
  CancelToken(bool) = delete;
  CancelToken(std::atomic<bool>&&) = delete;

  bool requested() const { return flag_ && flag_->load(std::memory_order_relaxed); }
  /// False for the default token: nobody can cancel this work.
  bool can_cancel() const { return flag_ != nullptr; }

 private:
  const std::atomic<bool>* flag_ = nullptr;
};

}  // namespace mlscope
