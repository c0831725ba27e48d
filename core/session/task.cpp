#include "core/session/task.h"

#include <exception>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace mlscope::session {

const char* task_outcome_name(TaskOutcome o) {
  switch (o) {
    case TaskOutcome::None: return "none";
    case TaskOutcome::Succeeded: return "succeeded";
    case TaskOutcome::Failed: return "failed";
    case TaskOutcome::Cancelled: return "cancelled";
  }
  return "none";
}

void TaskContext::progress(const Progress& p) {
  fraction_ = p.fraction();
  std::lock_guard<std::mutex> lock(mu_);
  stage_.assign(p.stage);
}

Task::~Task() {
  abandon();
  for (auto& r : abandoned_)
    if (r->thread.joinable()) r->thread.join();
}

bool Task::start(std::string title, Work work, Options options) {
  reap_abandoned();
  if (running_) return false;
  title_ = std::move(title);
  running_ = std::make_unique<Running>();
  Running* r = running_.get();
  r->started = Clock::now();
  r->thread = std::thread([r, work = std::move(work), options] {
#ifdef __linux__
    // Linux nice values are per thread and inherited by the threads this one starts (sweep workers).
    if (options.low_priority) setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 0);
#else
    (void)options;
#endif
    try {
      r->publish = work(r->ctx);
    } catch (const TaskCancelled&) {
      r->threw_cancelled = true;
    } catch (const std::exception& e) {
      r->error = e.what();
      r->exception = std::current_exception();
    } catch (...) {
      r->error = "unknown error";
      r->exception = std::current_exception();
    }
    r->end = Clock::now();
    r->finished = true;
  });
  return true;
}

void Task::restart(std::string title, Work work, Options options) {
  abandon();
  start(std::move(title), std::move(work), options);
}

void Task::cancel() {
  if (!running_ || running_->ctx.cancelled()) return;
  running_->stop_requested = Clock::now();
  running_->ctx.cancel_ = true;
}

void Task::abandon() {
  if (!running_) return;
  running_->ctx.cancel_ = true;
  abandoned_.push_back(std::move(running_));
  running_.reset();
}

void Task::reap_abandoned() {
  std::erase_if(abandoned_, [](const std::unique_ptr<Running>& r) {
    if (!r->finished) return false;
    if (r->thread.joinable()) r->thread.join();
    return true;
  });
}

bool Task::poll() {
  reap_abandoned();
  if (!running_ || !running_->finished) return false;
  std::unique_ptr<Running> r = std::move(running_);
  running_.reset();
  r->thread.join();
  const bool cancelled = r->ctx.cancelled() || r->threw_cancelled;
  last_seconds_ = std::chrono::duration<double>(r->end - r->started).count();
  last_cancel_ms_ = cancelled && r->stop_requested != Clock::time_point{}
                        ? std::chrono::duration<double, std::milli>(r->end - r->stop_requested).count()
                        : -1;
  // A cancelled run usually ends in the kernels' "cancelled" error: the expected outcome of a
  // cancel, not a failure to report.
  last_outcome_ = cancelled ? TaskOutcome::Cancelled : r->error.empty() ? TaskOutcome::Succeeded : TaskOutcome::Failed;
  last_error_ = last_outcome_ == TaskOutcome::Failed ? r->error : std::string();
  last_exception_ = last_outcome_ == TaskOutcome::Failed ? r->exception : nullptr;
  if (r->publish) r->publish();
  return true;
}

TaskOutcome Task::wait(CancelToken interrupt, const ProgressFn& on_progress) {
  float shown = -1;
  while (running_ && !running_->finished) {
    if (interrupt.requested()) cancel();
    if (on_progress && fraction() != shown) {
      shown = fraction();
      const std::string now = stage();
      on_progress({shown, 1.0, now});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  poll();
  return last_outcome_;
}

float Task::fraction() const { return running_ ? running_->ctx.fraction_.load() : 0.0f; }

std::string Task::stage() const {
  if (!running_) return {};
  std::lock_guard<std::mutex> lock(running_->ctx.mu_);
  return running_->ctx.stage_;
}

}  // namespace mlscope::session
