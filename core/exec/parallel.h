// Splits memory-bound elementwise kernels (activations, quantize/dequantize over a 64 x 224 x 224
// activation) across the machine's cores. Each element is computed independently, so the split
// never changes a result bit. Callers that already run one interpreter per core (sweeps,
// lockstep divergence) cap this thread's kernels to one thread.
#pragma once

#include <cstdint>
#include <functional>

namespace mlscope::exec {

/// Calls body(begin, end) over contiguous chunks covering [0, n), on up to kernel_threads()
/// threads; small ranges (under `min_chunk` elements per thread) run inline.
void parallel_for(uint64_t n, const std::function<void(uint64_t, uint64_t)>& body,
                  uint64_t min_chunk = uint64_t(1) << 16);

/// Threads elementwise kernels may use on this thread (default: hardware concurrency).
int kernel_threads();

/// Caps kernel_threads() for the current thread while alive (restores the previous cap).
class ScopedKernelThreads {
 public:
  explicit ScopedKernelThreads(int threads);
  ~ScopedKernelThreads();
  ScopedKernelThreads(const ScopedKernelThreads&) = delete;
  ScopedKernelThreads& operator=(const ScopedKernelThreads&) = delete;

 private:
  int previous_;
};

}  // namespace mlscope::exec
