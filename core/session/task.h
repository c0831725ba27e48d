// Task: the one kind of background job. The GUI's open/relayout, comparison runs, drift, sweeps,
// divergence, hazards and weight histograms, and the CLI's long `compare` passes all run as a Task.
//
// The work function runs on the task's own thread (the thread pools underneath — parallel_for,
// sweep workers — are core's and stay there) and returns a `publish` closure; poll() on the
// owner's thread (the UI thread, once per frame) joins a finished worker and calls that closure
// there, so results reach their readers without locks. Progress has core's one signature
// (mlscope::Progress); cancel is one CancelToken handed to core calls (RunOptions::cancel, ...),
// checked between ops and inside long kernels. A cancelled task ends as `Cancelled` — its own outcome, not
// an error — whether the work returned a partial result (published) or threw.
#pragma once

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/util/cancel.h"
#include "core/util/progress.h"

namespace mlscope::session {

enum class TaskOutcome { None, Succeeded, Failed, Cancelled };
const char* task_outcome_name(TaskOutcome o);

/// Thrown by TaskContext::throw_if_cancelled(); ends the task as Cancelled.
struct TaskCancelled {};

/// What a work function sees: the cancel token to hand to core calls, and progress.
class TaskContext {
 public:
  CancelToken cancel_token() const { return CancelToken(cancel_); }
  bool cancelled() const { return cancel_.load(std::memory_order_relaxed); }
  void throw_if_cancelled() const {
    if (cancelled()) throw TaskCancelled{};
  }
  /// Thread-safe; the stage says what runs ("fp32", "12 / 100 inputs").
  void progress(const Progress& p);
  /// progress() as a core callback, for RunOptions::progress and the like.
  ProgressFn reporter() {
    return [this](const Progress& p) { progress(p); };
  }

 private:
  friend class Task;
  std::atomic<bool> cancel_{false};
  std::atomic<float> fraction_{0};
  mutable std::mutex mu_;
  std::string stage_;
};

class Task {
 public:
  using Publish = std::function<void()>;
  using Work = std::function<Publish(TaskContext&)>;
  struct Options {
    /// Lowers the worker's scheduling priority (and that of the threads it starts) so the UI
    /// keeps its frame rate while it runs.
    bool low_priority = true;
  };

  Task() = default;
  ~Task();  ///< cancels what runs and joins every thread
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;

  /// Starts `work` unless one runs (returns false then).
  bool start(std::string title, Work work, Options options);
  bool start(std::string title, Work work) { return start(std::move(title), std::move(work), Options{}); }
  /// Cancels the running work (it is never published; its thread is joined later) and starts
  /// `work` at once: for jobs that replace each other (opening another model).
  void restart(std::string title, Work work, Options options);
  /// Asks the running work to stop.
  void cancel();
  /// Cancels the running work without waiting for it or publishing it (joined later).
  void abandon();
  /// Owner's thread: publishes a finished job. True when one finished this call.
  bool poll();
  /// Blocks until the running work ends and publishes it (the CLI). While it waits, `interrupt`
  /// (a signal handler's flag) means cancel, and `on_progress` is called when progress moves
  /// (done = the fraction, total = 1).
  TaskOutcome wait(CancelToken interrupt = {}, const ProgressFn& on_progress = {});

  /// True from start() until poll() has published the result.
  bool busy() const { return running_ != nullptr; }
  /// True when the work has returned and waits for poll() to publish it.
  bool ended() const { return running_ && running_->finished; }
  const std::string& title() const { return title_; }
  float fraction() const;
  std::string stage() const;
  bool stopping() const { return running_ && running_->ctx.cancelled(); }

  // --- the last finished job ---
  TaskOutcome last_outcome() const { return last_outcome_; }
  bool last_cancelled() const { return last_outcome_ == TaskOutcome::Cancelled; }
  /// Why it failed ("" unless Failed).
  const std::string& last_error() const { return last_error_; }
  /// The exception that failed it (null unless Failed): the CLI rethrows it as it was.
  std::exception_ptr last_exception() const { return last_exception_; }
  double last_seconds() const { return last_seconds_; }
  /// Milliseconds from cancel() to the worker returning (-1 when it was not cancelled).
  double last_cancel_latency_ms() const { return last_cancel_ms_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Running {
    TaskContext ctx;
    std::thread thread;
    std::atomic<bool> finished{false};
    Publish publish;
    std::string error;
    std::exception_ptr exception;
    bool threw_cancelled = false;
    Clock::time_point started, stop_requested, end;
  };
  void reap_abandoned();

  std::unique_ptr<Running> running_;
  std::vector<std::unique_ptr<Running>> abandoned_;
  std::string title_, last_error_;
  std::exception_ptr last_exception_;
  TaskOutcome last_outcome_ = TaskOutcome::None;
  double last_seconds_ = 0, last_cancel_ms_ = -1;
};

}  // namespace mlscope::session
