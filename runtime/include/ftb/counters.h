// ftb/counters.h: cheap per-thread runtime counters, summed on read.
//
// Each thread increments only its own counters, with a relaxed load and store (a plain add on
// x86-64, no locked instruction); readers sum every registered thread plus what exited threads
// left behind. The harness snapshots them before and after a cell and reports the difference.
#pragma once

#include <atomic>
#include <cstdint>

#include "ftb/variant.h"

FTB_NAMESPACE_BEGIN

// One single-writer counter.
class Counter {
 public:
  void Add(std::uint64_t n = 1) noexcept {
    std::atomic_ref<std::uint64_t> v(value_);
    v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t Load() const noexcept {
    return std::atomic_ref<std::uint64_t>(const_cast<std::uint64_t&>(value_))
        .load(std::memory_order_relaxed);
  }

 private:
  std::uint64_t value_ = 0;
};

#define FTB_COUNTER_FIELDS(X)                                                        \
  X(shared_refcount_ops, "brc: increfs and decrefs by a thread that is not the owner") \
  X(queued_objects, "brc: objects queued to their owner for a merge")               \
  X(merges, "brc: objects whose two counts were merged")                            \
  X(lock_slow_paths, "per-object lock: lock calls that missed the fast path")       \
  X(lock_parks, "per-object lock: times a thread parked")                           \
  X(lock_handoffs, "per-object lock: direct hand-offs to a waiter (1 ms fairness)") \
  X(gil_switches, "global lock: changes of holder")                                 \
  X(gil_drop_requests, "global lock: drop requests set after a timed-out wait")     \
  X(gil_wait_ns, "global lock: nanoseconds spent waiting to take it")               \
  X(deferred_frees, "brc: objects and arrays freed after a QSBR grace period")

struct ThreadCounters {
#define FTB_DECLARE_COUNTER(name, doc) Counter name;
  FTB_COUNTER_FIELDS(FTB_DECLARE_COUNTER)
#undef FTB_DECLARE_COUNTER
};

// A plain snapshot of the summed counters.
struct CounterSnapshot {
#define FTB_DECLARE_FIELD(name, doc) std::uint64_t name = 0;
  FTB_COUNTER_FIELDS(FTB_DECLARE_FIELD)
#undef FTB_DECLARE_FIELD
};

CounterSnapshot ReadCounters() noexcept;

FTB_NAMESPACE_END
