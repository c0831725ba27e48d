#include "core/exec/parallel.h"

#include "core/exec/run_cancel.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace mlscope::exec {

namespace {
int hardware_threads() {
  static const int n = std::max(1, int(std::thread::hardware_concurrency()));
  return n;
}
thread_local int t_cap = 0;  // 0: no cap set on this thread
}  // namespace

int kernel_threads() {
  return t_cap > 0 ? std::min(t_cap, hardware_threads()) : hardware_threads();
}

ScopedKernelThreads::ScopedKernelThreads(int threads) : previous_(t_cap) {
  t_cap = std::max(1, threads);
}
ScopedKernelThreads::~ScopedKernelThreads() { t_cap = previous_; }

namespace {

// Where a parallel_for caller waits for the chunks it handed over.
struct Done {
  std::mutex mu;
  std::condition_variable cv;
  int remaining = 0;
};

// One chunk of a parallel_for handed to a pool worker.
struct Chunk {
  const std::function<void(uint64_t, uint64_t)>* body = nullptr;
  uint64_t begin = 0, end = 0;
  CancelToken cancel;  // the caller's run, so Stop reaches the worker
  std::exception_ptr* error = nullptr;
  Done* done = nullptr;
};

// Persistent helper threads (hardware threads - 1): starting a thread per call cost ~65 us on
// this VM, paid by every elementwise op. A chunk is handed over only to a worker that is idle
// right now; otherwise its caller runs it, so nested or concurrent callers (two lockstep runs,
// a sweep) never wait on a busy pool.
class Workers {
 public:
  static Workers& get() {
    static Workers* w = new Workers(hardware_threads() - 1);  // leaked on purpose: lives until exit
    return *w;
  }

  bool try_hand_over(const Chunk& c) {
    std::lock_guard<std::mutex> lk(mu_);
    if (idle_ <= int(queue_.size())) return false;
    queue_.push_back(c);
    cv_.notify_one();
    return true;
  }

 private:
  explicit Workers(int n) {
    for (int i = 0; i < n; ++i) std::thread([this] { loop(); }).detach();
  }

  void loop() {
    std::unique_lock<std::mutex> lk(mu_);
    ++idle_;
    for (;;) {
      cv_.wait(lk, [&] { return !queue_.empty(); });
      const Chunk c = queue_.front();
      queue_.pop_front();
      --idle_;
      lk.unlock();
      run(c);
      lk.lock();
      ++idle_;
    }
  }

  static void run(const Chunk& c) {
    {
      ScopedRunCancel same_run(c.cancel);
      try {
        (*c.body)(c.begin, c.end);
      } catch (...) {
        *c.error = std::current_exception();
      }
    }
    std::lock_guard<std::mutex> lk(c.done->mu);
    if (--c.done->remaining == 0) c.done->cv.notify_all();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Chunk> queue_;
  int idle_ = 0;  // workers waiting for a chunk (queued chunks are already promised to them)
};

}  // namespace

void parallel_for(uint64_t n, const std::function<void(uint64_t, uint64_t)>& body,
                  uint64_t min_chunk) {
  const uint64_t by_size = std::max<uint64_t>(1, n / std::max<uint64_t>(1, min_chunk));
  const int threads = int(std::min<uint64_t>(uint64_t(kernel_threads()), by_size));
  if (threads <= 1) {
    body(0, n);
    return;
  }
  // The chunks depend only on n and the thread count, never on who runs them.
  const uint64_t chunk = (n + uint64_t(threads) - 1) / uint64_t(threads);
  auto begin = [&](int t) { return std::min(n, uint64_t(t) * chunk); };
  auto end = [&](int t) { return std::min(n, begin(t) + chunk); };
  std::vector<std::exception_ptr> errors(static_cast<size_t>(threads));
  Done done;
  std::vector<int> mine = {0};
  for (int t = 1; t < threads; ++t) {
    {
      std::lock_guard<std::mutex> lk(done.mu);
      ++done.remaining;
    }
    if (!Workers::get().try_hand_over({&body, begin(t), end(t), current_run_cancel(), &errors[size_t(t)], &done})) {
      std::lock_guard<std::mutex> lk(done.mu);
      --done.remaining;
      mine.push_back(t);
    }
  }
  for (int t : mine) {
    try {
      body(begin(t), end(t));
    } catch (...) {
      errors[size_t(t)] = std::current_exception();
    }
  }
  {
    std::unique_lock<std::mutex> lk(done.mu);
    done.cv.wait(lk, [&] { return done.remaining == 0; });
  }
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace mlscope::exec
