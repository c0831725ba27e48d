// Recycles large tensor buffers between ops. A 64 x 224 x 224 activation is 12.8 MB; allocating
// it fresh for every op meant fresh pages from the kernel (faulted and zeroed by the OS, then
// zeroed again by std::vector) — on the seed network that cost more than its convolutions. Freed
// buffers wait here, bounded in total size, for the next op that needs about the same size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace mlscope::exec {

struct BufferPoolStats {
  uint64_t reused = 0;        ///< buffers handed out again instead of allocated
  uint64_t allocated = 0;     ///< pooled-size requests that needed a new allocation
  uint64_t pooled_bytes = 0;  ///< bytes waiting in the pool now
};

/// A float buffer of exactly n elements whose contents are unspecified (recycled when possible).
/// Callers must write every element.
std::vector<float> take_float_buffer(size_t n);
/// The same for integer storage.
std::vector<int64_t> take_int_buffer(size_t n);
/// The same for one-byte storage (int8 / uint8 codes).
std::vector<uint8_t> take_byte_buffer(size_t n);

/// Hands a scratch buffer back for reuse (instead of freeing it).
void return_float_buffer(std::vector<float>&& v);

/// Shared storage that returns its buffer to the pool when the last owner lets go.
std::shared_ptr<std::vector<float>> pooled_storage(std::vector<float>&& v);
std::shared_ptr<std::vector<int64_t>> pooled_storage(std::vector<int64_t>&& v);
std::shared_ptr<std::vector<uint8_t>> pooled_storage(std::vector<uint8_t>&& v);

/// Frees every pooled buffer (the pool refills on demand).
void release_pooled_buffers();
BufferPoolStats buffer_pool_stats();

}  // namespace mlscope::exec
