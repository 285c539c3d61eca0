// ftb/refcount_brc.h: biased reference counting, as CPython's free-threaded build does it
// (Include/refcount.h, Objects/object.c, Python/brc.c; Choi, Shull and Torrellas, PACT 2018).
//
// Each object is owned by the thread that created it (ob_tid). The owner changes its own count,
// ob_ref_local, with plain loads and stores: no locked instruction. Every other thread changes
// ob_ref_shared atomically. The true count is ob_ref_local + (ob_ref_shared >> 2).
//
//   ob_ref_shared:  [ count (62 bits, signed) | state (2 bits) ]
//   state: 0 INIT, 1 MAYBE_WEAKREF, 2 QUEUED, 3 MERGED; states only move upward.
//
//   - Owner's local count reaches zero: if ob_ref_shared == 0 the object is freed at once (the
//     common case, no atomics). Otherwise ob_tid is cleared first, then the state is CAS'd to
//     MERGED, and the object is freed if the merged count is zero.
//   - A non-owner decref that would take the shared part below zero (shared is 0 or
//     MAYBE_WEAKREF) instead sets QUEUED *without* decrementing, and pushes the object onto its
//     owner's queue; the queue holds that reference. The owner merges at its next eval-breaker
//     check (count = local + shared - 1, ownership dropped, freed at zero). If the owner has
//     exited, the queuing thread merges itself. Queues are drained at thread exit.
//   - An object is freed only from INIT (by its owner) or MERGED. ob_ref_shared may be negative;
//     only the sum must stay >= 0.
//
// Immortal objects have ob_ref_local == UINT32_MAX and are never written.
//
// Thread identity. CPython reads the thread-pointer register (_Py_ThreadId). ftbench gives each
// thread state a process-unique id instead, kept in a constant-initialised local-exec
// thread_local (one fs-relative operand, the same cost): ids are never reused, so an object
// owned by an exited thread can never be mistaken for one owned by a new thread that happens to
// get the same TLS block.
//
// The owner paths are always inlined, as CPython's static inline Py_INCREF/Py_DECREF are (g++
// would otherwise call them out of line from the eval loop, by size, where it inlines gil's).
// The non-owner paths are out of line (IncrefShared, DecrefShared, MergeZeroLocal). CPython
// inlines the shared incref; keeping it out of line costs a call on a path that already pays a
// locked instruction, and it lets tests/runtime/check_incref_asm.py prove that the inlined owner
// path contains no locked instruction.
//
// Header: ob_tid (8) + ob_flags (2) + ob_mutex (1) + ob_gc_bits (1) + ob_ref_local (4)
// + ob_ref_shared (8) + ob_type (8) = 32 bytes, exactly CPython's free-threaded PyObject.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "ftb/base.h"
#include "ftb/mutex.h"

FTB_NAMESPACE_BEGIN

struct Object;
struct ThreadState;
[[gnu::noinline]] void Dealloc(Object* op) noexcept;
namespace internal {
void CheckAttachedForRefcount() noexcept;
}

// The id of the calling thread's attached thread state, or kNoThreadId. 0 means "unowned" in
// ob_tid, so no thread ever has id 0 (a detached thread must never pass the ownership test).
inline constexpr std::uintptr_t kNoThreadId = ~std::uintptr_t{0};
FTB_TLS_MODEL extern constinit thread_local std::uintptr_t tls_thread_id;

struct BrcPolicy {
  static constexpr std::string_view kName = "brc";
  static constexpr bool kHasOwnerThread = true;
  static constexpr bool kPerObjectLocks = true;
  static constexpr bool kGlobalLockAlwaysOn = false;
  static constexpr bool kLockFreeReads = true;
  using Lock = Mutex;

  static constexpr int kSharedShift = 2;  // _Py_REF_SHARED_SHIFT
  static constexpr std::int64_t kSharedFlagMask = 0x3;
  static constexpr std::int64_t kStateInit = 0;
  static constexpr std::int64_t kStateMaybeWeakref = 1;
  static constexpr std::int64_t kStateQueued = 2;
  static constexpr std::int64_t kStateMerged = 3;
  static constexpr std::uint32_t kImmortalLocal = UINT32_MAX;  // _Py_IMMORTAL_REFCNT_LOCAL

  struct Header {
    std::uintptr_t tid;
    std::uint16_t flags;
    Mutex mutex;
    std::uint8_t gc_bits;
    std::uint32_t ref_local;
    std::int64_t ref_shared;
  };

  static constexpr Header ImmortalHeader() { return Header{0, 0, {}, 0, kImmortalLocal, 0}; }
  static void InitHeader(Header& h) {
    h.tid = tls_thread_id;
    h.ref_local = 1;
    h.ref_shared = 0;
  }
  static bool IsImmortal(const Header& h) { return Local(h).load(std::memory_order_relaxed) == kImmortalLocal; }
  static std::int64_t RefcountOf(const Header& h) {
    return std::int64_t{Local(h).load(std::memory_order_relaxed)} +
           (Shared(h).load(std::memory_order_relaxed) >> kSharedShift);
  }
  static bool IsOwnedByCurrentThread(const Header& h) {
    // relaxed: only the owner ever stores its own id; other threads may clear it to 0 (merge),
    // which can only make the test fail, never succeed wrongly.
    return Tid(h).load(std::memory_order_relaxed) == tls_thread_id;
  }

  FTB_ALWAYS_INLINE static void Incref(Header& h) {
#ifdef FTB_DEBUG_CHECKS
    internal::CheckAttachedForRefcount();
#endif
    std::uint32_t local = Local(h).load(std::memory_order_relaxed);
    std::uint32_t new_local = local + 1;
    if (new_local == 0) return;  // immortal
    if (IsOwnedByCurrentThread(h)) [[likely]] {
      // relaxed store, a plain mov: only the owner writes ob_ref_local.
      Local(h).store(new_local, std::memory_order_relaxed);
    } else {
      IncrefShared(h);
    }
  }

  FTB_ALWAYS_INLINE static void Decref(Header& h, Object* op) {
#ifdef FTB_DEBUG_CHECKS
    internal::CheckAttachedForRefcount();
#endif
    std::uint32_t local = Local(h).load(std::memory_order_relaxed);
    if (local == kImmortalLocal) return;
    if (IsOwnedByCurrentThread(h)) [[likely]] {
      FTB_DCHECK(local != 0, "decref below zero: the owner's count is already zero");
      --local;
      Local(h).store(local, std::memory_order_relaxed);
      if (local == 0) MergeZeroLocal(op);
    } else {
      DecrefShared(op);
    }
  }

  // Thread hooks (runtime/src/policy_brc.cc): take the thread's id and join its BRC bucket;
  // leave it and merge what was queued (thread exit); merge what was queued (eval breaker).
  static void OnThreadStart(ThreadState* ts) noexcept;
  static void OnThreadExit(ThreadState* ts) noexcept;
  static void OnExplicitMerge(ThreadState* ts) noexcept;

  // Out-of-line paths (runtime/src/policy_brc.cc).
  [[gnu::noinline]] static void IncrefShared(Header& h) noexcept;
  [[gnu::noinline]] static void DecrefShared(Object* op) noexcept;
  [[gnu::noinline]] static void MergeZeroLocal(Object* op) noexcept;
  // Lock-free readers: take a reference only if the object is not being freed (CPython's
  // _Py_TryIncrefFast + _Py_TryIncRefShared). Returns false when the caller must fall back to the
  // locked path.
  FTB_ALWAYS_INLINE static bool TryIncref(Header& h) noexcept {
    if (TryIncrefFast(h)) return true;
    return TryIncrefShared(h);
  }
  // CPython's _Py_TryIncrefFast: a reference to an immortal object or one this thread owns, which
  // no other thread can free meanwhile (a non-owner's decref never frees: it queues the object to
  // its owner), so a lock-free reader needs no re-check of where it loaded it from (as
  // _Py_TryIncrefCompare). False, changing nothing, for any other object.
  FTB_ALWAYS_INLINE static bool TryIncrefFast(Header& h) noexcept {
    std::uint32_t local = Local(h).load(std::memory_order_relaxed);
    if (local + 1 == 0) return true;  // immortal
    if (IsOwnedByCurrentThread(h)) {
      Local(h).store(local + 1, std::memory_order_relaxed);
      return true;
    }
    return false;
  }
  [[gnu::noinline]] static bool TryIncrefShared(Header& h) noexcept;

  // CPython's _PyObject_SetMaybeWeakref: move a zero shared count from INIT to MAYBE_WEAKREF, so
  // that a lock-free reader's TryIncrefShared (which refuses 0) can take a reference. A writer
  // that publishes an object to lock-free readers must call it (see CPython's _Py_XGetRef).
  static void SetMaybeWeakref(Header& h) noexcept {
    if (Local(h).load(std::memory_order_relaxed) == kImmortalLocal) return;
    auto shared = Shared(h);
    std::int64_t s = shared.load(std::memory_order_relaxed);
    while ((s & kSharedFlagMask) == kStateInit) {
      if (shared.compare_exchange_weak(s, s | kStateMaybeWeakref, std::memory_order_relaxed)) return;
    }
  }

  // gc_bits: written rarely (once per object and bit), read by any thread.
  static std::uint8_t LoadGcBits(const Header& h) {
    return std::atomic_ref<std::uint8_t>(const_cast<std::uint8_t&>(h.gc_bits)).load(std::memory_order_acquire);
  }
  static void OrGcBits(Header& h, std::uint8_t bits) {
    std::atomic_ref<std::uint8_t> ref(h.gc_bits);
    if ((ref.load(std::memory_order_relaxed) & bits) != bits) ref.fetch_or(bits, std::memory_order_release);
  }

  static std::atomic_ref<std::uintptr_t> Tid(const Header& h) {
    return std::atomic_ref<std::uintptr_t>(const_cast<std::uintptr_t&>(h.tid));
  }
  static std::atomic_ref<std::uint32_t> Local(const Header& h) {
    return std::atomic_ref<std::uint32_t>(const_cast<std::uint32_t&>(h.ref_local));
  }
  static std::atomic_ref<std::int64_t> Shared(const Header& h) {
    return std::atomic_ref<std::int64_t>(const_cast<std::int64_t&>(h.ref_shared));
  }
};
static_assert(sizeof(BrcPolicy::Header) == 24);

FTB_NAMESPACE_END
