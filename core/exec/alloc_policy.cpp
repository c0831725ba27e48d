#include "core/exec/alloc_policy.h"

#include <cstdlib>  // defines __GLIBC__ on glibc systems

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mlscope::exec {

void reuse_activation_memory() {
#if defined(__GLIBC__)
  static const bool done = [] {
    // glibc refuses mmap thresholds above 32 MB on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX).
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    return true;
  }();
  (void)done;
#endif
}

}  // namespace mlscope::exec
