// ftb/mutex.h: the 1-byte per-object lock, modelled on CPython's PyMutex (Include/cpython/pylock.h,
// Python/lock.c), itself modelled on WebKit's WTF::Lock.
//
// Contract and cost model:
//   - One byte: bit 0 = locked, bit 1 = has parked waiters. It lives in every object header of the
//     free-threaded variants, so it must stay one byte (static_assert below).
//   - lock()/unlock() fast paths are one byte-wide compare-and-swap each, like a spinlock.
//   - The slow path spins up to 40 times (yielding) while nobody is parked, then sets the
//     has-parked bit and parks the thread in a global parking lot (257 buckets keyed by address,
//     FIFO wake-up), like std::mutex without its size.
//   - Barging: an unlocked mutex is up for grabs even if threads are parked. A waiter that has
//     waited more than 1 ms gets the lock handed off directly on unlock (eventual fairness).
//   - A thread that parks while attached to the runtime detaches first (releasing its critical
//     sections and, if enabled, the global lock) and re-attaches after: blocking on an object lock
//     can never deadlock against the global lock or against nested critical sections.
//
// Variant-independent and compiled once (the ftb_primitives library, with the parking lot): the
// lock knows nothing of thread states. The runtime hooks into its slow path per thread (counting
// slow paths, parks and hand-offs, and the detach above: runtime/src/parking_lot.h), so the lock
// benchmarks use it without a runtime.
//
// NullMutex is the global-lock variant's per-object lock: every call compiles to nothing and
// [[no_unique_address]] makes it take no space in the header (oneTBB's null_mutex).
#pragma once

#include <atomic>
#include <cstdint>

#include "ftb/base.h"

namespace ftb {

class FTB_CAPABILITY("mutex") Mutex {
 public:
  static constexpr std::uint8_t kUnlocked = 0;
  static constexpr std::uint8_t kLocked = 1;
  static constexpr std::uint8_t kHasParked = 2;

  constexpr Mutex() = default;

  void lock() FTB_ACQUIRE() {
    std::uint8_t expected = kUnlocked;
    // acquire: what the previous holder wrote under the lock is visible to us.
    if (!Bits().compare_exchange_strong(expected, kLocked, std::memory_order_acquire,
                                        std::memory_order_relaxed)) [[unlikely]]
      LockSlow();
  }

  // PyMutex_LockFast: one compare-and-swap from unlocked; false, changing nothing, when the lock
  // is held or has parked waiters (the caller then takes its slow path).
  bool LockFast() FTB_TRY_ACQUIRE(true) {
    std::uint8_t expected = kUnlocked;
    return Bits().compare_exchange_strong(expected, kLocked, std::memory_order_acquire, std::memory_order_relaxed);
  }

  bool try_lock() FTB_TRY_ACQUIRE(true) {
    std::uint8_t v = Bits().load(std::memory_order_relaxed);
    while ((v & kLocked) == 0) {
      if (Bits().compare_exchange_weak(v, v | kLocked, std::memory_order_acquire,
                                       std::memory_order_relaxed))
        return true;
    }
    return false;
  }

  void unlock() FTB_RELEASE() {
    std::uint8_t expected = kLocked;
    // release: our writes under the lock are visible to the next holder.
    if (!Bits().compare_exchange_strong(expected, kUnlocked, std::memory_order_release,
                                        std::memory_order_relaxed)) [[unlikely]]
      UnlockSlow();
  }

  bool IsLocked() const {
    return (std::atomic_ref<std::uint8_t>(const_cast<std::uint8_t&>(bits_))
                .load(std::memory_order_relaxed) &
            kLocked) != 0;
  }

 private:
  std::atomic_ref<std::uint8_t> Bits() { return std::atomic_ref<std::uint8_t>(bits_); }
  [[gnu::noinline]] void LockSlow();
  [[gnu::noinline]] void UnlockSlow();

  // A plain byte accessed through std::atomic_ref, so the header that holds it stays a trivially
  // copyable aggregate that can be constant-initialised (immortal static objects).
  std::uint8_t bits_ = kUnlocked;
};
static_assert(sizeof(Mutex) == 1, "the per-object lock must stay one byte (PyMutex)");
static_assert(std::atomic_ref<std::uint8_t>::required_alignment == 1);

class FTB_CAPABILITY("mutex") NullMutex {
 public:
  constexpr void lock() FTB_ACQUIRE() {}
  constexpr bool LockFast() FTB_TRY_ACQUIRE(true) { return true; }
  constexpr bool try_lock() FTB_TRY_ACQUIRE(true) { return true; }
  constexpr void unlock() FTB_RELEASE() {}
  constexpr bool IsLocked() const { return false; }
};

}  // namespace ftb
