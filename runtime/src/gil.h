// gil.h (internal): what the global lock (gil.cc) shares with attach/detach (thread_state.cc) and
// the legacy-module switch (modules.cc).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>

#include "ftb/environment.h"
#include "ftb/std_mutex.h"
#include "ftb/thread_state.h"

FTB_NAMESPACE_BEGIN
namespace internal {

// Whether the lock is switched on (atomic and brc only; GilEnabled() reads it).
extern std::atomic<bool> g_gil_enabled;

// CPython's Python/ceval_gil.c: a flag under a mutex, a condition variable to wait for it, and a
// second pair that implements FORCE_SWITCHING.
class GlobalLock {
 public:
  // CPython's take_gil: wait on the condition variable for one interval at a time; a wait that
  // timed out with no switch in the meantime sets the holder's drop request.
  void Take(ThreadState* ts);
  // CPython's drop_gil. With a pending drop request (and not a final release), wait until another
  // thread has taken the lock, so that this one cannot immediately take it back.
  void Drop(ThreadState* ts, bool final_release);

  std::atomic<std::int64_t> interval_us{kDefaultSwitchInterval.count()};

 private:
  StdMutex mutex_;
  std::condition_variable cond_;
  StdMutex switch_mutex_;
  std::condition_variable switch_cond_;
  bool locked_ FTB_GUARDED_BY(mutex_) = false;
  std::uint64_t switch_number_ FTB_GUARDED_BY(mutex_) = 0;
  // Written under mutex_ and switch_mutex_, read under either (not expressible as an annotation).
  ThreadState* last_holder_ = nullptr;
};

// The process's global lock (one per variant).
GlobalLock& Gil();

}  // namespace internal
FTB_NAMESPACE_END
