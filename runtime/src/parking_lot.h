// parking_lot.h (internal): CPython's parking lot (Python/parking_lot.c), WebKit's ParkingLot.
//
// Threads wait on an address. 257 buckets keyed by the address, each with its own lock and a FIFO
// queue of waiters, so unrelated addresses rarely share a bucket and a bucket lock is held only
// for a queue operation. 257 is CPython's NUM_BUCKETS (a prime, so addresses spread evenly).
#pragma once

#include <cstddef>

#include "ftb/variant.h"

FTB_NAMESPACE_BEGIN
namespace internal {

enum class ParkResult { kOk, kAgain };

// Parks the calling thread on `address` if the byte there still equals `expected` (checked under
// the bucket lock, so a wake-up cannot be missed). `park_arg` is handed to the unpark callback.
// With `detach`, an attached caller detaches while parked (releasing the global lock and its
// critical sections) and re-attaches before returning.
ParkResult Park(const void* address, unsigned char expected, void* park_arg, bool detach);

// Wakes the first thread parked on `address`. `callback(arg, park_arg, has_more_waiters)` runs
// under the bucket lock before the thread is woken (park_arg is null when nobody was parked).
using UnparkCallback = void (*)(void* arg, void* park_arg, bool has_more_waiters);
void Unpark(const void* address, UnparkCallback callback, void* arg);

}  // namespace internal
FTB_NAMESPACE_END
