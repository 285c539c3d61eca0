// ftb/refcount_gil.h: reference counts of the global-lock variant (CPython's default build).
//
// Every object is touched only by the thread holding the global lock, so counts are plain 64-bit
// integers changed with plain loads and stores: no locked instruction anywhere
// (tests/runtime/check_incref_asm.py checks the compiled code).
//
// Immortality follows PEP 683 as CPython 3.14 implements it on 64-bit targets
// (Include/refcount.h): immortal objects start at _Py_IMMORTAL_INITIAL_REFCNT = 3 << 30; an object
// is immortal when its low 32 bits, read as int32, are negative; incref skips at or above the
// initial value and decref skips immortal objects, so their counts never change.
//
// Header: ob_refcnt (8) + ob_type (8) = 16 bytes, exactly CPython's PyObject.
#pragma once

#include <cstdint>
#include <string_view>

#include "ftb/base.h"
#include "ftb/mutex.h"

FTB_NAMESPACE_BEGIN

struct Object;
struct ThreadState;
[[gnu::noinline]] void Dealloc(Object* op) noexcept;
namespace internal {
void CheckAttachedForRefcount() noexcept;  // debug builds only: the thread must be attached
}

struct GilPolicy {
  static constexpr std::string_view kName = "gil";
  static constexpr bool kHasOwnerThread = false;
  static constexpr bool kPerObjectLocks = false;
  static constexpr bool kGlobalLockAlwaysOn = true;
  static constexpr bool kLockFreeReads = false;
  using Lock = NullMutex;

  static constexpr std::uint64_t kImmortalInitialRefcnt = std::uint64_t{3} << 30;

  struct Header {
    std::uint64_t refcnt;
    [[no_unique_address]] NullMutex mutex;
  };

  static constexpr Header ImmortalHeader() { return Header{kImmortalInitialRefcnt, {}}; }
  static void InitHeader(Header& h) { h.refcnt = 1; }
  static bool IsImmortal(const Header& h) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(h.refcnt)) < 0;
  }
  static std::int64_t RefcountOf(const Header& h) { return static_cast<std::int64_t>(h.refcnt); }

  // Thread hooks (brc needs them; nothing to do here).
  static void OnThreadStart(ThreadState*) noexcept {}
  static void OnThreadExit(ThreadState*) noexcept {}
  static void OnExplicitMerge(ThreadState*) noexcept {}

  static void Incref(Header& h) {
#ifdef FTB_DEBUG_CHECKS
    internal::CheckAttachedForRefcount();
#endif
    std::uint64_t cur = h.refcnt;
    if (cur >= kImmortalInitialRefcnt) return;  // immortal: never written
    h.refcnt = cur + 1;
  }

  static void Decref(Header& h, Object* op) {
#ifdef FTB_DEBUG_CHECKS
    internal::CheckAttachedForRefcount();
#endif
    if (IsImmortal(h)) return;
    FTB_DCHECK(h.refcnt != 0, "decref below zero: the object was already freed");
    if (--h.refcnt == 0) Dealloc(op);
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
};
static_assert(sizeof(GilPolicy::Header) == 8);

FTB_NAMESPACE_END
