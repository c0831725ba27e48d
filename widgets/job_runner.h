// JobRunner: one background job at a time for the comparison views (runs, drift, sweep,
// divergence), so no backend ever runs on the UI thread.
//
// The work function runs on a worker thread and returns a `publish` closure; poll() (UI thread,
// once per frame) joins a finished worker and calls that closure there, so results reach the views
// without locks. Errors become a message. Stop sets the cancel flag the backends check between
// ops; the time from stop() to the worker's end is kept as the measured cancel latency.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace mlscope::gui {

class JobContext {
 public:
  const std::atomic<bool>& cancel_flag() const { return cancel_; }
  bool cancelled() const { return cancel_.load(); }
  void set_progress(float fraction, const std::string& stage);

 private:
  friend class JobRunner;
  std::atomic<bool> cancel_{false};
  std::atomic<float> fraction_{0};
  mutable std::mutex mu_;
  std::string stage_;
};

class JobRunner {
 public:
  using Publish = std::function<void()>;
  using Work = std::function<Publish(JobContext&)>;

  ~JobRunner();
  /// Starts `work` unless a job is running (returns false then). `low_priority` lowers the worker's
  /// (and the threads it starts) scheduling priority so the UI keeps its frame rate.
  bool start(std::string title, Work work, bool low_priority = true);
  void stop();
  /// UI thread: publishes a finished job. Returns true when a job finished this call.
  bool poll();

  bool busy() const { return worker_ != nullptr; }
  const std::string& title() const { return title_; }
  float fraction() const;
  std::string stage() const;
  bool stopping() const { return ctx_ && ctx_->cancelled(); }
  /// Last finished job: error text ("" if none), whether it was cancelled, seconds it ran.
  const std::string& last_error() const { return last_error_; }
  bool last_cancelled() const { return last_cancelled_; }
  double last_seconds() const { return last_seconds_; }
  /// Milliseconds from stop() to the worker returning (-1 if the last job was not stopped).
  double last_cancel_latency_ms() const { return last_cancel_ms_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Shared {
    std::atomic<bool> finished{false};
    Publish publish;
    std::string error;
    Clock::time_point end;
  };
  std::unique_ptr<std::thread> worker_;
  std::shared_ptr<JobContext> ctx_;
  std::shared_ptr<Shared> shared_;
  std::string title_, last_error_;
  bool last_cancelled_ = false;
  double last_seconds_ = 0, last_cancel_ms_ = -1;
  Clock::time_point started_, stop_requested_;
};

}  // namespace mlscope::gui
