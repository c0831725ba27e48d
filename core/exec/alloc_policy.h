// Process-wide allocator setting for the interpreter (glibc only; no-op elsewhere).
#pragma once

namespace mlscope::exec {

/// Every op allocates activation-sized buffers (MBs) and frees its inputs after their last use.
/// glibc serves such blocks with fresh mmap()s and unmaps them on free, so each op page-faults
/// its whole output again (measured: ~30% of the seed network's run). This keeps blocks up to
/// 32 MB (glibc's maximum) on the heap for reuse; the heap is still trimmed when more than
/// 256 MB sit free at its top. Called once (idempotent) when an Interpreter is made.
void reuse_activation_memory();

}  // namespace mlscope::exec
