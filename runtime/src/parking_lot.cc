// Compiled once (not per variant): the parking lot of parking_lot.h.
#include "parking_lot.h"

#include <condition_variable>
#include <cstdint>

#include "ftb/std_mutex.h"

namespace ftb::parking_lot {
namespace {

constexpr std::size_t kBuckets = 257;  // CPython's NUM_BUCKETS

struct Waiter {
  // Guarded by the lock of the bucket of the address waited on (chosen at run time: a comment).
  const void* address = nullptr;
  void* park_arg = nullptr;
  Waiter* next = nullptr;
  // The wake-up itself: a flag and a condition variable of the waiter's own.
  StdMutex mu;
  std::condition_variable cv;
  bool woken FTB_GUARDED_BY(mu) = false;
};

struct alignas(kCacheLine) Bucket {
  StdMutex mu;
  Waiter* head FTB_GUARDED_BY(mu) = nullptr;  // FIFO: push at tail, pop at head
  Waiter* tail FTB_GUARDED_BY(mu) = nullptr;
};

Bucket g_buckets[kBuckets];

Bucket& BucketFor(const void* address) {
  return g_buckets[reinterpret_cast<std::uintptr_t>(address) % kBuckets];
}

FTB_TLS_MODEL constinit thread_local const ThreadHooks* tls_hooks = nullptr;

}  // namespace

void SetThreadHooks(const ThreadHooks* hooks) noexcept { tls_hooks = hooks; }

void CountEvent(Event event) noexcept {
  if (const ThreadHooks* hooks = tls_hooks) hooks->count(event);
}

ParkResult Park(const void* address, unsigned char expected, void* park_arg, bool detach) {
  thread_local Waiter waiter;
  Bucket& bucket = BucketFor(address);
  {
    StdLock lock(bucket.mu);
    auto current = std::atomic_ref<unsigned char>(*static_cast<unsigned char*>(const_cast<void*>(address)))
                       .load(std::memory_order_relaxed);
    if (current != expected) return ParkResult::kAgain;
    waiter.address = address;
    waiter.park_arg = park_arg;
    waiter.next = nullptr;
    {
      StdLock wl(waiter.mu);
      waiter.woken = false;
    }
    if (bucket.tail != nullptr)
      bucket.tail->next = &waiter;
    else
      bucket.head = &waiter;
    bucket.tail = &waiter;
  }
  const ThreadHooks* hooks = tls_hooks;
  bool detached = detach && hooks != nullptr && hooks->before_park();
  if (hooks != nullptr) hooks->count(Event::kPark);
  {
    StdLock wl(waiter.mu);
    while (!waiter.woken) waiter.cv.wait(wl.native());
  }
  if (detached) hooks->after_park();
  return ParkResult::kOk;
}

void Unpark(const void* address, UnparkCallback callback, void* arg) {
  Bucket& bucket = BucketFor(address);
  Waiter* found = nullptr;
  {
    StdLock lock(bucket.mu);
    Waiter* prev = nullptr;
    for (Waiter* w = bucket.head; w != nullptr; prev = w, w = w->next) {
      if (w->address != address) continue;
      found = w;
      if (prev != nullptr)
        prev->next = w->next;
      else
        bucket.head = w->next;
      if (bucket.tail == w) bucket.tail = prev;
      break;
    }
    bool has_more = false;
    if (found != nullptr) {
      // found was the first waiter on this address, so any other comes after it.
      for (Waiter* w = found->next; w != nullptr && !has_more; w = w->next) has_more = w->address == address;
    }
    callback(arg, found != nullptr ? found->park_arg : nullptr, has_more);
  }
  if (found != nullptr) {
    StdLock wl(found->mu);
    found->woken = true;
    found->cv.notify_one();
  }
}

}  // namespace ftb::parking_lot
