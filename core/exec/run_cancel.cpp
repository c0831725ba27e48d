#include "core/exec/run_cancel.h"

namespace mlscope::exec {

namespace {
thread_local CancelToken t_cancel;
}  // namespace

ScopedRunCancel::ScopedRunCancel(CancelToken token) : previous_(t_cancel) { t_cancel = token; }

ScopedRunCancel::~ScopedRunCancel() { t_cancel = previous_; }

bool run_cancel_requested() { return t_cancel.requested(); }

CancelToken current_run_cancel() { return t_cancel; }

}  // namespace mlscope::exec
