// The global lock (CPython's Python/ceval_gil.c): taking and dropping it, the switch interval,
// and whether it is enabled. Attach and detach (thread_state.cc) take and drop it; a legacy
// module (modules.cc) switches it on.
#include "gil.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

FTB_NAMESPACE_BEGIN

namespace internal {

std::atomic<bool> g_gil_enabled{false};  // atomic and brc only

void GlobalLock::Take(ThreadState* ts) {
  StdLock lock(mutex_);
  bool waited = false;
  std::chrono::steady_clock::time_point wait_start;
  while (locked_) {
    if (!waited) {
      waited = true;
      wait_start = std::chrono::steady_clock::now();
    }
    std::uint64_t saved_switch_number = switch_number_;
    auto interval = std::chrono::microseconds(std::max<std::int64_t>(1, interval_us.load(std::memory_order_relaxed)));
    bool timed_out = cond_.wait_for(lock.native(), interval) == std::cv_status::timeout;
    if (timed_out && locked_ && switch_number_ == saved_switch_number && last_holder_ != nullptr) {
      // The holder cannot drop the lock (and so cannot exit) while we hold mutex_.
      last_holder_->eval_breaker.fetch_or(kGilDropRequestBit, std::memory_order_relaxed);
      ts->counters.gil_drop_requests.Add();
    }
  }
  {
    // FORCE_SWITCHING: last_holder_ changes under switch_mutex_, and a thread that dropped the
    // lock on request waits on switch_cond_ until it does.
    StdLock switch_lock(switch_mutex_);
    locked_ = true;
    if (last_holder_ != ts) {
      last_holder_ = ts;
      ++switch_number_;
      ts->counters.gil_switches.Add();
    }
    switch_cond_.notify_one();
  }
  ts->holds_gil = true;
  ts->eval_breaker.fetch_and(~kGilDropRequestBit, std::memory_order_relaxed);
  lock.unlock();
  if (waited)
    ts->counters.gil_wait_ns.Add(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - wait_start).count()));
}

void GlobalLock::Drop(ThreadState* ts, bool final_release) {
  {
    StdLock lock(mutex_);
    locked_ = false;
    ts->holds_gil = false;
    if (final_release) {
      StdLock switch_lock(switch_mutex_);
      if (last_holder_ == ts) last_holder_ = nullptr;  // the state is about to be deleted
    }
    cond_.notify_one();
  }
  if (!final_release && (ts->eval_breaker.load(std::memory_order_relaxed) & kGilDropRequestBit) != 0) {
    StdLock switch_lock(switch_mutex_);
    if (last_holder_ == ts) {
      ts->eval_breaker.fetch_and(~kGilDropRequestBit, std::memory_order_relaxed);
      // One wait, as CPython: a spurious wake-up only ends the forced switch early.
      switch_cond_.wait(switch_lock.native());
    }
  }
}

GlobalLock& Gil() {
  static GlobalLock gil;
  return gil;
}

}  // namespace internal

// ---- the global lock's public face ----

bool GilEnabled() noexcept {
  if constexpr (Policy::kGlobalLockAlwaysOn) {
    return true;
  } else {
    return internal::g_gil_enabled.load(std::memory_order_acquire);
  }
}

void SetSwitchInterval(std::chrono::microseconds interval) {
  if (interval.count() <= 0)
    throw std::invalid_argument("switch interval must be greater than 0 (got " + std::to_string(interval.count()) + " us)");
  internal::Gil().interval_us.store(interval.count(), std::memory_order_relaxed);
}

std::chrono::microseconds SwitchInterval() noexcept {
  return std::chrono::microseconds(internal::Gil().interval_us.load(std::memory_order_relaxed));
}

FTB_NAMESPACE_END
