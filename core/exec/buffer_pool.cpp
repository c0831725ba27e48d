#include "core/exec/buffer_pool.h"

#include <algorithm>
#include <mutex>

namespace mlscope::exec {

namespace {

// Below this size malloc's own free lists already recycle without page faults.
constexpr size_t kMinPooledBytes = size_t(256) << 10;
// Upper bound on idle bytes: a few large activations (also the cap on RSS the pool can add).
constexpr size_t kMaxPooledBytes = size_t(96) << 20;

class Pool {
 public:
  template <typename T>
  std::vector<T> take(std::vector<std::vector<T>>& list, size_t n) {
    if (n * sizeof(T) >= kMinPooledBytes) {
      std::unique_lock<std::mutex> lock(mutex_);
      // Smallest buffer holding n elements without wasting more than half of it. Capacity, not
      // size, is what a buffer holds: one taken for fewer elements serves larger requests again
      // (im2col tiles of neighbouring convs differ by a few percent).
      size_t best = list.size();
      for (size_t i = 0; i < list.size(); ++i)
        if (list[i].capacity() >= n && list[i].capacity() <= 2 * n &&
            (best == list.size() || list[i].capacity() < list[best].capacity()))
          best = i;
      if (best != list.size()) {
        std::vector<T> v = std::move(list[best]);
        list.erase(list.begin() + std::ptrdiff_t(best));
        bytes_ -= v.capacity() * sizeof(T);
        ++stats_.reused;
        v.resize(n);  // within capacity: no allocation (growing zeroes only the elements added)
        outstanding_ += v.capacity() * sizeof(T);
        return v;
      }
      ++stats_.allocated;
      // Nothing fits. Idle buffers may stay only while live + idle bytes stay within 1.5 x the
      // highest live demand seen: the pool adds at most half the live peak to the process. A
      // tighter bound (1 x) made the seed network evict and fault in ~10 buffers per run, its
      // activations, im2col tiles and codes of every size not fitting beside its peak at once.
      // The smallest go first: evicting fewer bytes means fewer pages to fault back in later.
      const size_t want = n * sizeof(T);
      high_water_ = std::max(high_water_, outstanding_ + want);
      // Erased in place, not sorted: the list keeps the order buffers were returned in (give
      // evicts by it), and of equal sizes the one returned first goes first.
      std::vector<std::vector<T>> evicted;
      while (!list.empty() && outstanding_ + want + bytes_ > high_water_ + high_water_ / 2) {
        auto smallest = std::min_element(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.capacity() < b.capacity(); });
        bytes_ -= smallest->capacity() * sizeof(T);
        evicted.push_back(std::move(*smallest));
        list.erase(smallest);
      }
      outstanding_ += want;
      lock.unlock();
      evicted.clear();
      return std::vector<T>(n);
    }
    return std::vector<T>(n);
  }

  template <typename T>
  void give(std::vector<std::vector<T>>& list, std::vector<T>&& v) {
    const size_t b = v.capacity() * sizeof(T);
    if (b < kMinPooledBytes || b > kMaxPooledBytes) return;  // v is freed by the caller
    std::vector<std::vector<T>> evicted;  // freed outside the lock
    std::lock_guard<std::mutex> lock(mutex_);
    outstanding_ -= std::min(outstanding_, b);
    // At the cap, the buffer just returned stays and the longest idle of its kind go: a pool
    // filled by one large job (divergence keeping every value) would otherwise turn away the
    // buffers of every later run. Lists are appended to, so the front has waited longest.
    size_t i = 0;
    while (i < list.size() && bytes_ + b > kMaxPooledBytes) {
      bytes_ -= list[i].capacity() * sizeof(T);
      evicted.push_back(std::move(list[i++]));
    }
    list.erase(list.begin(), list.begin() + std::ptrdiff_t(i));
    if (bytes_ + b > kMaxPooledBytes) return;  // the other kinds fill the pool
    bytes_ += b;
    list.push_back(std::move(v));
  }

  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    floats.clear();
    ints.clear();
    bytes.clear();
    bytes_ = 0;
    high_water_ = outstanding_;
  }

  BufferPoolStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    BufferPoolStats s = stats_;
    s.pooled_bytes = bytes_;
    return s;
  }

  std::vector<std::vector<float>> floats;
  std::vector<std::vector<int64_t>> ints;
  std::vector<std::vector<uint8_t>> bytes;

 private:
  std::mutex mutex_;
  size_t bytes_ = 0;        // idle, in the lists
  size_t outstanding_ = 0;  // handed out by take() and not yet given back
  size_t high_water_ = 0;   // most outstanding bytes so far (idle never pushes past 1.5x it)
  BufferPoolStats stats_;
};

// Leaked on purpose: tensors held in static storage may be destroyed after any pool object.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

template <typename T>
std::shared_ptr<std::vector<T>> wrap(std::vector<T>&& v, std::vector<std::vector<T>> Pool::*list) {
  auto* owned = new std::vector<T>(std::move(v));
  return std::shared_ptr<std::vector<T>>(owned, [list](std::vector<T>* p) {
    pool().give(pool().*list, std::move(*p));
    delete p;
  });
}

}  // namespace

std::vector<float> take_float_buffer(size_t n) { return pool().take(pool().floats, n); }
std::vector<int64_t> take_int_buffer(size_t n) { return pool().take(pool().ints, n); }
std::vector<uint8_t> take_byte_buffer(size_t n) { return pool().take(pool().bytes, n); }
void return_float_buffer(std::vector<float>&& v) { pool().give(pool().floats, std::move(v)); }
std::shared_ptr<std::vector<float>> pooled_storage(std::vector<float>&& v) {
  return wrap(std::move(v), &Pool::floats);
}
std::shared_ptr<std::vector<int64_t>> pooled_storage(std::vector<int64_t>&& v) {
  return wrap(std::move(v), &Pool::ints);
}
std::shared_ptr<std::vector<uint8_t>> pooled_storage(std::vector<uint8_t>&& v) {
  return wrap(std::move(v), &Pool::bytes);
}
void release_pooled_buffers() { pool().clear(); }
BufferPoolStats buffer_pool_stats() { return pool().stats(); }

}  // namespace mlscope::exec
