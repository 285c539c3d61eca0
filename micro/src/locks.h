// locks.h: the five locks of the lock benchmarks, each behind the same small interface.
//
//   concept BenchLock: lock(), unlock(), and a kName used in the benchmark name.
//
//   ftb_mutex       the runtime's 1-byte parking lock (CPython's PyMutex), from ftb_primitives
//   std_mutex       glibc's pthread mutex: one CAS to lock, futex wait at once when contended
//   tbb_spin_mutex  oneTBB: test-and-set with exponential pause backoff, then yield
//   tbb_queuing     oneTBB: MCS queue lock, FIFO; each waiter spins on its own node
//   ttas_spinlock   ours: test-and-test-and-set with pause/yield backoff (below)
//
// Each lock sits on its own cache line in the benchmarks, so none pays for false sharing. In the
// runtime the 1-byte lock shares its line with the object header it guards; that is the point of
// it being one byte, and it is not what these benchmarks measure.
//
// The 1-byte lock is variant-independent (the ftb_primitives library, which ftb_micro_locks links
// alone, without a runtime): the lock benchmarks are not per variant. Their threads have no thread
// state, so a parked waiter only parks (nothing to detach, nothing counted).
#pragma once

#include <sched.h>
#include <x86intrin.h>

#include <atomic>
#include <concepts>
#include <mutex>
#include <oneapi/tbb/queuing_mutex.h>
#include <oneapi/tbb/spin_mutex.h>
#include <string_view>

#include "ftb/mutex.h"

namespace ftb::micro {

template <class L>
concept BenchLock = requires(L& l) {
  { L::kName } -> std::convertible_to<std::string_view>;
  l.lock();
  l.unlock();
};

// The runtime's per-object lock. Its size is the design constraint: it lives in every object header.
static_assert(sizeof(::ftb::Mutex) == 1, "the runtime's per-object lock must be one byte (PyMutex)");

class FtbMutexLock {
 public:
  static constexpr std::string_view kName = "ftb_mutex";
  // An adapter: the capability is taken in one call and released in another.
  void lock() FTB_NO_THREAD_SAFETY_ANALYSIS { m_.lock(); }
  void unlock() FTB_NO_THREAD_SAFETY_ANALYSIS { m_.unlock(); }

 private:
  ::ftb::Mutex m_;
};

class StdMutexLock {
 public:
  static constexpr std::string_view kName = "std_mutex";
  void lock() { m_.lock(); }
  void unlock() { m_.unlock(); }

 private:
  std::mutex m_;
};

class TbbSpinMutexLock {
 public:
  static constexpr std::string_view kName = "tbb_spin_mutex";
  void lock() { m_.lock(); }
  void unlock() { m_.unlock(); }

 private:
  tbb::spin_mutex m_;
};

// tbb::queuing_mutex is an MCS lock: the waiter's queue node lives in a scoped_lock on the
// acquirer's stack. To fit lock()/unlock(), each thread keeps its node in a thread_local (one per
// thread is enough: no benchmark holds two of these at once). The TLS access is a %fs-relative
// address, a couple of cycles.
class TbbQueuingMutexLock {
 public:
  static constexpr std::string_view kName = "tbb_queuing_mutex";
  void lock() { Node().acquire(m_); }
  void unlock() { Node().release(); }

 private:
  static tbb::queuing_mutex::scoped_lock& Node() {
    thread_local tbb::queuing_mutex::scoped_lock node;
    return node;
  }
  tbb::queuing_mutex m_;
};

// Test-and-test-and-set spinlock. The fast path is one exchange. A waiter spins on a plain load
// (the line stays shared in its cache until the owner writes it), with exponential pause backoff
// up to 16 pauses, then yields the CPU: oneTBB's atomic_backoff (LOOPS_BEFORE_YIELD = 16), which
// matters here because with more threads than cores a pure spinner burns the time slice the lock
// holder needs to finish.
class TtasSpinLock {
 public:
  static constexpr std::string_view kName = "ttas_spinlock";
  void lock() {
    // acquire: what the previous holder wrote under the lock is visible to us.
    if (!locked_.exchange(true, std::memory_order_acquire)) [[likely]]
      return;
    LockSlow();
  }
  void unlock() {
    // release: our writes under the lock are visible to the next holder.
    locked_.store(false, std::memory_order_release);
  }

 private:
  static constexpr int kPausesBeforeYield = 16;  // oneTBB's atomic_backoff::LOOPS_BEFORE_YIELD

  [[gnu::noinline]] void LockSlow() {
    int pauses = 1;
    for (;;) {
      // relaxed: only a hint; the exchange below is what acquires.
      while (locked_.load(std::memory_order_relaxed)) {
        if (pauses <= kPausesBeforeYield) {
          for (int i = 0; i < pauses; ++i) _mm_pause();
          pauses *= 2;
        } else {
          sched_yield();
        }
      }
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
    }
  }

  std::atomic<bool> locked_{false};
};

static_assert(BenchLock<FtbMutexLock> && BenchLock<StdMutexLock> && BenchLock<TbbSpinMutexLock> &&
              BenchLock<TbbQueuingMutexLock> && BenchLock<TtasSpinLock>);

}  // namespace ftb::micro
