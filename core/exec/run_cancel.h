// The cancel flag of the run executing on this thread. The interpreter checks cancellation
// between ops; kernels whose single op can take hundreds of milliseconds (conv over a large
// image) also check it between their chunks, so Stop takes effect within one chunk.
#pragma once

#include <atomic>

namespace mlscope::exec {

/// Makes `flag` the current thread's run cancel flag while alive (restores the previous one).
class ScopedRunCancel {
 public:
  explicit ScopedRunCancel(const std::atomic<bool>* flag);
  ~ScopedRunCancel();
  ScopedRunCancel(const ScopedRunCancel&) = delete;
  ScopedRunCancel& operator=(const ScopedRunCancel&) = delete;

 private:
  const std::atomic<bool>* previous_;
};

/// True when the run on this thread has been asked to stop.
bool run_cancel_requested();
/// The current thread's flag (null when none), for handing to helper threads.
const std::atomic<bool>* current_run_cancel_flag();

}  // namespace mlscope::exec
