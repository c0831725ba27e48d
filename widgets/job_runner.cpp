#include "widgets/job_runner.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <exception>

namespace mlscope::gui {

void JobContext::set_progress(float fraction, const std::string& stage) {
  fraction_ = fraction;
  std::lock_guard<std::mutex> lock(mu_);
  stage_ = stage;
}

JobRunner::~JobRunner() {
  if (!worker_) return;
  stop();
  worker_->join();
}

bool JobRunner::start(std::string title, Work work, bool low_priority) {
  if (worker_) return false;
  title_ = std::move(title);
  ctx_ = std::make_shared<JobContext>();
  shared_ = std::make_shared<Shared>();
  started_ = Clock::now();
  stop_requested_ = {};
  worker_ = std::make_unique<std::thread>([ctx = ctx_, shared = shared_, work = std::move(work), low_priority] {
    // Linux nice values are per thread and inherited by threads this one starts (sweep workers).
    if (low_priority) setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 0);
    try {
      shared->publish = work(*ctx);
    } catch (const std::exception& e) {
      shared->error = e.what();
    } catch (...) {
      shared->error = "unknown error";
    }
    shared->end = Clock::now();
    shared->finished = true;
  });
  return true;
}

void JobRunner::stop() {
  if (!worker_ || !ctx_ || ctx_->cancelled()) return;
  stop_requested_ = Clock::now();
  ctx_->cancel_ = true;
}

bool JobRunner::poll() {
  if (!worker_ || !shared_->finished) return false;
  worker_->join();
  worker_.reset();
  last_cancelled_ = ctx_->cancelled();
  last_error_ = shared_->error;
  last_seconds_ = std::chrono::duration<double>(shared_->end - started_).count();
  last_cancel_ms_ = last_cancelled_ ? std::chrono::duration<double, std::milli>(shared_->end - stop_requested_).count() : -1;
  // A cancelled run's "cancelled" error is the expected outcome, not a failure to report.
  if (last_cancelled_ && !last_error_.empty()) last_error_.clear();
  if (shared_->publish) shared_->publish();
  shared_.reset();
  ctx_.reset();
  return true;
}

float JobRunner::fraction() const { return ctx_ ? ctx_->fraction_.load() : 0.0f; }

std::string JobRunner::stage() const {
  if (!ctx_) return {};
  std::lock_guard<std::mutex> lock(ctx_->mu_);
  return ctx_->stage_;
}

}  // namespace mlscope::gui
