// ftb/refcount_atomic.h: the naive free-threaded design: one atomic count per object.
//
// No global lock; every incref and decref is an atomic read-modify-write (`lock xadd` on x86-64),
// which is what early attempts at removing CPython's GIL did (Greg Stein's 1999 patch, the
// Gilectomy). The cost is one locked instruction per reference-count change on every thread, and
// cache-line ping-pong when threads share an object.
//
// Memory orders, the same reasoning as std::shared_ptr:
//   - incref is relaxed: a new reference is only ever made from an existing one, which already
//     keeps the object alive; nothing else is published by it.
//   - decref is acq_rel: release so that every write a thread made to the object before dropping
//     its reference happens-before the free; acquire so that the thread that frees sees them all.
//     (std::shared_ptr's release + acquire fence on the last reference is equivalent; on x86-64
//     `lock xadd` is a full barrier either way, and ThreadSanitizer does not model fences.)
//   - the immortality check is a relaxed load: an immortal count never changes.
//
// Immortal objects hold kImmortalRefcnt (1 << 62) and are skipped by both operations, so shared
// constants never bounce between cores here either.
//
// Header: ob_flags (2) + ob_mutex (1) + ob_gc_bits (1) + padding (4) + refcnt (8) + ob_type (8)
// = 24 bytes: CPython's free-threaded header without ob_tid and the split count (32 bytes).
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

struct AtomicPolicy {
  static constexpr std::string_view kName = "atomic";
  static constexpr bool kHasOwnerThread = false;
  static constexpr bool kPerObjectLocks = true;
  static constexpr bool kGlobalLockAlwaysOn = false;
  // Reads of list and dict items take the object's lock (the simple design, kept on purpose so
  // that the two free-threaded variants show both approaches).
  static constexpr bool kLockFreeReads = false;
  using Lock = Mutex;

  static constexpr std::int64_t kImmortalRefcnt = std::int64_t{1} << 62;

  struct Header {
    std::uint16_t flags;
    Mutex mutex;
    std::uint8_t gc_bits;
    std::uint32_t padding;
    std::int64_t refcnt;
  };

  static constexpr Header ImmortalHeader() { return Header{0, {}, 0, 0, kImmortalRefcnt}; }
  static void InitHeader(Header& h) { h.refcnt = 1; }
  static bool IsImmortal(const Header& h) { return Count(h).load(std::memory_order_relaxed) >= kImmortalRefcnt; }
  static std::int64_t RefcountOf(const Header& h) { return Count(h).load(std::memory_order_relaxed); }

  // Thread hooks (brc needs them; nothing to do here).
  static void OnThreadStart(ThreadState*) noexcept {}
  static void OnThreadExit(ThreadState*) noexcept {}
  static void OnExplicitMerge(ThreadState*) noexcept {}

  static void Incref(Header& h) {
#ifdef FTB_DEBUG_CHECKS
    internal::CheckAttachedForRefcount();
#endif
    auto count = Count(h);
    if (count.load(std::memory_order_relaxed) >= kImmortalRefcnt) return;
    count.fetch_add(1, std::memory_order_relaxed);
  }

  static void Decref(Header& h, Object* op) {
#ifdef FTB_DEBUG_CHECKS
    internal::CheckAttachedForRefcount();
#endif
    auto count = Count(h);
    if (count.load(std::memory_order_relaxed) >= kImmortalRefcnt) return;
    std::int64_t previous = count.fetch_sub(1, std::memory_order_acq_rel);  // see the header comment
    FTB_DCHECK(previous > 0, "decref below zero: the object was already freed");
    if (previous == 1) Dealloc(op);
  }

  // The lock-free read protocol is brc's; these keep the shared code variant-agnostic.
  static std::uint8_t LoadGcBits(const Header&) { return 0; }
  static void OrGcBits(Header&, std::uint8_t) {}
  static void SetMaybeWeakref(Header&) noexcept {}
  static bool IsOwnedByCurrentThread(const Header&) { return false; }
  static bool TryIncref(Header& h) {
    Incref(h);
    return true;
  }
  static bool TryIncrefFast(Header& h) { return TryIncref(h); }

 private:
  static std::atomic_ref<std::int64_t> Count(const Header& h) {
    return std::atomic_ref<std::int64_t>(const_cast<std::int64_t&>(h.refcnt));
  }
};
static_assert(sizeof(AtomicPolicy::Header) == 16);

FTB_NAMESPACE_END
