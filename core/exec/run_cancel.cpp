#include "core/exec/run_cancel.h"

namespace mlscope::exec {

namespace {
thread_local const std::atomic<bool>* t_cancel = nullptr;
}  // namespace

ScopedRunCancel::ScopedRunCancel(const std::atomic<bool>* flag) : previous_(t_cancel) { t_cancel = flag; }

ScopedRunCancel::~ScopedRunCancel() { t_cancel = previous_; }

bool run_cancel_requested() { return t_cancel && t_cancel->load(std::memory_order_relaxed); }

const std::atomic<bool>* current_run_cancel_flag() { return t_cancel; }

}  // namespace mlscope::exec
