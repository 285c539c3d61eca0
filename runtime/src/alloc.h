// alloc.h (internal): the one allocator of every variant.
//
// mimalloc everywhere, so that the allocator is never what differs between variants, except in
// sanitizer builds: ASan and TSan only see allocations made through the C library's malloc (which
// they intercept), so there the runtime uses it, and a use-after-free or a race through reused
// memory is caught instead of hidden inside mimalloc's pages.
#pragma once

#include <cstddef>
#include <cstdlib>

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define FTB_SYSTEM_ALLOCATOR 1
#else
#include <mimalloc.h>
#endif

namespace ftb::internal_alloc {

inline void* Allocate(std::size_t size) noexcept {
#ifdef FTB_SYSTEM_ALLOCATOR
  return std::malloc(size);
#else
  return mi_malloc(size);
#endif
}

inline void Free(void* p) noexcept {
#ifdef FTB_SYSTEM_ALLOCATOR
  std::free(p);
#else
  mi_free(p);
#endif
}

}  // namespace ftb::internal_alloc
