// The cancel flag of the run executing on this thread. The interpreter checks cancellation
// between ops; kernels whose single op can take hundreds of milliseconds (conv over a large
// image) also check it between their chunks, so Stop takes effect within one chunk.
#pragma once

#include "core/util/cancel.h"

namespace mlscope::exec {

/// Makes `token` the current thread's run cancel token while alive (restores the previous one).
class ScopedRunCancel {
 public:
  explicit ScopedRunCancel(CancelToken token);
  ~ScopedRunCancel();
  ScopedRunCancel(const ScopedRunCancel&) = delete;
  ScopedRunCancel& operator=(const ScopedRunCancel&) = delete;

 private:
  CancelToken previous_;
};

/// True when the run on this thread has been asked to stop.
bool run_cancel_requested();
/// The current thread's token (a default token when none), for handing to helper threads.
CancelToken current_run_cancel();

}  // namespace mlscope::exec
