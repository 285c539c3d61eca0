// gil.h (internal): what the global lock (gil.cc) shares with attach/detach (thread_state.cc) and
// the legacy-module switch (modules.cc).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "ftb/environment.h"
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
  std::mutex mutex_;
  std::condition_variable cond_;
  std::mutex switch_mutex_;
  std::condition_variable switch_cond_;
  bool locked_ = false;                // guarded by mutex_
  std::uint64_t switch_number_ = 0;    // guarded by mutex_
  ThreadState* last_holder_ = nullptr;  // written under mutex_ and switch_mutex_
};

// The process's global lock (one per variant).
GlobalLock& Gil();

}  // namespace internal
FTB_NAMESPACE_END
