// Slow paths of the 1-byte mutex, following CPython's Python/lock.c. Compiled once (not per
// variant): what the runtime adds (counting, detaching a parked thread) comes through the parking
// lot's per-thread hooks.
#include <sched.h>

#include <chrono>

#include "ftb/mutex.h"
#include "parking_lot.h"

namespace ftb {
namespace {

// CPython's MAX_SPIN_COUNT: spin (yielding) this many times while nobody is parked.
constexpr int kMaxSpinCount = 40;
// CPython's TIME_TO_BE_FAIR_NS: a waiter parked longer than this gets the lock handed off.
constexpr std::chrono::nanoseconds kTimeToBeFair = std::chrono::milliseconds(1);

struct MutexWaiter {
  std::chrono::steady_clock::time_point time_to_be_fair;
  bool handed_off = false;
};

// Runs under the parking-lot bucket lock when unlocking with parked waiters (CPython's
// mutex_unpark): hand the lock off to a waiter that has waited too long, else release it and let
// the woken thread compete (barging).
void MutexUnparkCallback(void* arg, void* park_arg, bool has_more_waiters) {
  auto* bits = static_cast<std::uint8_t*>(arg);
  std::uint8_t v = 0;
  if (auto* waiter = static_cast<MutexWaiter*>(park_arg)) {
    bool should_be_fair = std::chrono::steady_clock::now() > waiter->time_to_be_fair;
    waiter->handed_off = should_be_fair;
    if (should_be_fair) {
      v |= Mutex::kLocked;
      parking_lot::CountEvent(parking_lot::Event::kHandoff);
    }
    if (has_more_waiters) v |= Mutex::kHasParked;
  }
  // release: our critical section happens-before the next owner's (handed off or barging).
  std::atomic_ref<std::uint8_t>(*bits).store(v, std::memory_order_release);
}

}  // namespace

void Mutex::LockSlow() {
  parking_lot::CountEvent(parking_lot::Event::kSlowPath);
  MutexWaiter waiter{std::chrono::steady_clock::now() + kTimeToBeFair};
  std::uint8_t v = Bits().load(std::memory_order_relaxed);
  int spin_count = 0;
  for (;;) {
    if ((v & kLocked) == 0) {
      if (Bits().compare_exchange_weak(v, v | kLocked, std::memory_order_acquire,
                                       std::memory_order_relaxed))
        return;
      continue;
    }
    if ((v & kHasParked) == 0 && spin_count < kMaxSpinCount) {
      sched_yield();
      ++spin_count;
      v = Bits().load(std::memory_order_relaxed);
      continue;
    }
    std::uint8_t expected = v;
    if ((v & kHasParked) == 0) {
      // We are the first waiter: announce that someone is parked.
      expected = v | kHasParked;
      if (!Bits().compare_exchange_weak(v, expected, std::memory_order_relaxed)) continue;
    }
    parking_lot::Park(&bits_, expected, &waiter, /*detach=*/true);
    if (waiter.handed_off) {
      // The unlocker kept the locked bit set for us; its critical section happens-before ours
      // through the parking lot's wake-up (a mutex and condition variable).
      FTB_DCHECK(IsLocked(), "a handed-off mutex must be locked");
      return;
    }
    v = Bits().load(std::memory_order_relaxed);
  }
}

void Mutex::UnlockSlow() {
  std::uint8_t v = Bits().load(std::memory_order_relaxed);
  for (;;) {
    FTB_CHECK((v & kLocked) != 0, "unlock of a mutex that is not locked");
    if ((v & kHasParked) != 0) {
      parking_lot::Unpark(&bits_, MutexUnparkCallback, &bits_);
      return;
    }
    if (Bits().compare_exchange_weak(v, kUnlocked, std::memory_order_release,
                                     std::memory_order_relaxed))
      return;
  }
}

}  // namespace ftb
