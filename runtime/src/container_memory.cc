// The arrays of the containers (a list's items, a dict's keys table): freeing one that was
// replaced, after a grace period when lock-free readers may still be reading it (brc).
#include "alloc.h"

#include "internal.h"

FTB_NAMESPACE_BEGIN

namespace internal {
void FreeArray(Object* container, void* array) noexcept {
  if constexpr (Policy::kLockFreeReads) {
    if ((GcBits(container) & kGcShared) != 0 || !Policy::IsOwnedByCurrentThread(container->hdr)) {
      QsbrRetire(tls_thread_state, array);
      return;
    }
  }
  internal_alloc::Free(array);
}
}  // namespace internal

FTB_NAMESPACE_END
