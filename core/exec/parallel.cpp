#include "core/exec/parallel.h"

#include "core/exec/run_cancel.h"

#include <algorithm>
#include <exception>
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

void parallel_for(uint64_t n, const std::function<void(uint64_t, uint64_t)>& body,
                  uint64_t min_chunk) {
  const uint64_t by_size = std::max<uint64_t>(1, n / std::max<uint64_t>(1, min_chunk));
  const int threads = int(std::min<uint64_t>(uint64_t(kernel_threads()), by_size));
  if (threads <= 1) {
    body(0, n);
    return;
  }
  const uint64_t chunk = (n + uint64_t(threads) - 1) / uint64_t(threads);
  std::vector<std::thread> helpers;
  std::vector<std::exception_ptr> errors(static_cast<size_t>(threads));
  for (int t = 1; t < threads; ++t) {
    const uint64_t b = std::min(n, uint64_t(t) * chunk), e = std::min(n, b + chunk);
    helpers.emplace_back([&, t, b, e, cancel = current_run_cancel_flag()] {
      ScopedRunCancel same_run(cancel);  // Stop reaches helper threads too
      try {
        body(b, e);
      } catch (...) {
        errors[size_t(t)] = std::current_exception();
      }
    });
  }
  try {
    body(0, std::min(n, chunk));
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (auto& h : helpers) h.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace mlscope::exec
