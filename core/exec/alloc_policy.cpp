#include "core/exec/alloc_policy.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mlscope::exec {

void reuse_activation_memory() {
#if defined(__GLIBC__)
  static const bool done = [] {
    constexpr int kLimit = 256 << 20;
    mallopt(M_MMAP_THRESHOLD, kLimit);
    mallopt(M_TRIM_THRESHOLD, kLimit);
    return true;
  }();
  (void)done;
#endif
}

}  // namespace mlscope::exec
