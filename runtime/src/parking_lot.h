// parking_lot.h (internal): CPython's parking lot (Python/parking_lot.c), WebKit's ParkingLot.
//
// Threads wait on an address. 257 buckets keyed by the address, each with its own lock and a FIFO
// queue of waiters, so unrelated addresses rarely share a bucket and a bucket lock is held only
// for a queue operation. 257 is CPython's NUM_BUCKETS (a prime, so addresses spread evenly).
//
// Variant-independent, like the 1-byte mutex built on it (ftb_primitives): neither knows thread
// states. The runtime installs per-thread hooks instead (SetThreadHooks), which count lock events
// and detach an attached thread while it is parked; a thread without hooks (a lock benchmark's)
// just parks.
#pragma once

#include <cstddef>

#include "ftb/base.h"

namespace ftb::parking_lot {

enum class ParkResult { kOk, kAgain };

// What a lock's slow path reports (the runtime counts them: ftb/counters.h).
enum class Event { kSlowPath, kPark, kHandoff };

struct ThreadHooks {
  // Counts an event of the calling thread.
  void (*count)(Event event) noexcept;
  // Around a park that asked to detach: before_park runs before the thread waits and returns
  // whether after_park must run once it has been woken. The runtime detaches an attached thread
  // state (releasing the global lock and its critical sections) and re-attaches it.
  bool (*before_park)() noexcept;
  void (*after_park)() noexcept;
};

// Installs the calling thread's hooks (null: none). The runtime installs them while the thread
// has a thread state; `hooks` must outlive that.
void SetThreadHooks(const ThreadHooks* hooks) noexcept;

// Reports an event to the calling thread's hooks, if it has any.
void CountEvent(Event event) noexcept;

// Parks the calling thread on `address` if the byte there still equals `expected` (checked under
// the bucket lock, so a wake-up cannot be missed). `park_arg` is handed to the unpark callback.
// With `detach`, the thread's before_park and after_park hooks run around the wait.
ParkResult Park(const void* address, unsigned char expected, void* park_arg, bool detach);

// Wakes the first thread parked on `address`. `callback(arg, park_arg, has_more_waiters)` runs
// under the bucket lock before the thread is woken (park_arg is null when nobody was parked).
using UnparkCallback = void (*)(void* arg, void* park_arg, bool has_more_waiters);
void Unpark(const void* address, UnparkCallback callback, void* arg);

}  // namespace ftb::parking_lot
