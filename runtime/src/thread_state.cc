// Thread states, attach and detach, the registry of thread states, stop-the-world, the eval
// breaker, counters and live objects. The global lock is in gil.cc, critical sections in
// critical_section.cc, modules and the legacy-extension safety net in modules.cc.
#include "ftb/thread_state.h"

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>

#include "gil.h"
#include "internal.h"
#include "parking_lot.h"

FTB_NAMESPACE_BEGIN

FTB_TLS_MODEL constinit thread_local ThreadState* tls_thread_state = nullptr;

namespace internal {
namespace {

struct Registry {
  StdMutex mu;
  std::condition_variable cv;  // stop-the-world progress and restart
  // The list, through ThreadState::registry_next (also guarded by mu).
  ThreadState* head FTB_GUARDED_BY(mu) = nullptr;
  bool stop_requested FTB_GUARDED_BY(mu) = false;
  std::uint64_t next_id FTB_GUARDED_BY(mu) = 1;  // 0 is "unowned" in brc's ob_tid
  ThreadCounters retired FTB_GUARDED_BY(mu);      // what exited threads counted
  ObjectTally retired_objects FTB_GUARDED_BY(mu);  // what exited threads counted
};

Registry& GetRegistry() {
  static Registry registry;
  return registry;
}

void AddCounters(ThreadCounters& into, const ThreadCounters& from) {
#define FTB_ADD_COUNTER(name, doc) into.name.Add(from.name.Load());
  FTB_COUNTER_FIELDS(FTB_ADD_COUNTER)
#undef FTB_ADD_COUNTER
}

}  // namespace

// ---- stop-the-world (CPython's _PyEval_StopTheWorld), used to switch the global lock on ----

void StopTheWorld(ThreadState* self) {
  Registry& reg = GetRegistry();
  StdLock lock(reg.mu);
  reg.stop_requested = true;
  for (;;) {
    bool all_stopped = true;
    for (ThreadState* ts = reg.head; ts != nullptr; ts = ts->registry_next) {
      if (ts == self) continue;
      ThreadStatus status = ThreadStatus::kDetached;
      if (ts->status.compare_exchange_strong(status, ThreadStatus::kSuspended)) continue;
      if (status == ThreadStatus::kAttached) {
        ts->eval_breaker.fetch_or(kPleaseStopBit, std::memory_order_relaxed);
        all_stopped = false;
      }
    }
    if (all_stopped) return;
    reg.cv.wait_for(lock.native(), std::chrono::milliseconds(1));
  }
}

void StartTheWorld() {
  Registry& reg = GetRegistry();
  {
    StdLock lock(reg.mu);
    reg.stop_requested = false;
    for (ThreadState* ts = reg.head; ts != nullptr; ts = ts->registry_next) {
      ThreadStatus status = ThreadStatus::kSuspended;
      ts->status.compare_exchange_strong(status, ThreadStatus::kDetached);
    }
  }
  reg.cv.notify_all();
}

namespace {

void WaitWhileSuspended(ThreadState* ts) {
  Registry& reg = GetRegistry();
  StdLock lock(reg.mu);
  reg.cv.wait(lock.native(), [ts] { return ts->status.load() != ThreadStatus::kSuspended; });
}

// Detach; with for_stop, park as kSuspended if a stop-the-world is (still) requested.
void DetachImpl(ThreadState* ts, bool for_stop, bool final_release) {
  FTB_DCHECK(ts->status.load(std::memory_order_relaxed) == ThreadStatus::kAttached,
             "detach of a thread state that is not attached");
  if (ts->critical_section != 0) SuspendCriticalSections(ts);
  if constexpr (Policy::kLockFreeReads) QsbrDetach(ts);
  if (for_stop) {
    Registry& reg = GetRegistry();
    {
      StdLock lock(reg.mu);
      ts->status.store(reg.stop_requested ? ThreadStatus::kSuspended : ThreadStatus::kDetached);
    }
    reg.cv.notify_all();
  } else {
    // release: what we did while attached happens-before a stop-the-world that suspends us.
    ts->status.store(ThreadStatus::kDetached, std::memory_order_release);
  }
  if (ts->holds_gil) Gil().Drop(ts, final_release);
}

// The lock primitives' hooks (parking_lot.h), installed on a thread while it has a thread state:
// count lock events in its counters; a thread parked while attached detaches (releasing the
// global lock and its critical sections) and re-attaches once woken.
void CountLockEvent(parking_lot::Event event) noexcept {
  ThreadState* ts = tls_thread_state;
  if (ts == nullptr) return;
  switch (event) {
    case parking_lot::Event::kSlowPath: ts->counters.lock_slow_paths.Add(); break;
    case parking_lot::Event::kPark: ts->counters.lock_parks.Add(); break;
    case parking_lot::Event::kHandoff: ts->counters.lock_handoffs.Add(); break;
  }
}

bool DetachBeforePark() noexcept {
  ThreadState* ts = tls_thread_state;
  if (ts == nullptr || ts->status.load(std::memory_order_relaxed) != ThreadStatus::kAttached) return false;
  Detach(ts);
  return true;
}

void AttachAfterPark() noexcept { Attach(tls_thread_state); }

constexpr parking_lot::ThreadHooks kParkingHooks{CountLockEvent, DetachBeforePark, AttachAfterPark};

}  // namespace

StdMutex& RegistryMutex() noexcept { return GetRegistry().mu; }
// The analysis cannot tell that RegistryMutex() is GetRegistry().mu; callers are checked instead.
ThreadState* RegistryHeadLocked() noexcept FTB_NO_THREAD_SAFETY_ANALYSIS { return GetRegistry().head; }

void CheckAttachedForRefcount() noexcept {
  ThreadState* ts = tls_thread_state;
  FTB_CHECK(ts != nullptr && ts->status.load(std::memory_order_relaxed) == ThreadStatus::kAttached,
            "object touched without an attached thread state (use ftb::ThreadAttach, and do not "
            "touch objects inside AllowThreads)");
}

void StopTheWorldForCollector(ThreadState* self) noexcept { StopTheWorld(self); }
void StartTheWorldForCollector() noexcept { StartTheWorld(); }

}  // namespace internal

// ---- attach / detach ----

void Attach(ThreadState* ts) noexcept {
  for (;;) {
    if (GilEnabled() && !ts->holds_gil) internal::Gil().Take(ts);
    ThreadStatus expected = ThreadStatus::kDetached;
    // acquire: see what a stop-the-world requester did before restarting us.
    if (ts->status.compare_exchange_strong(expected, ThreadStatus::kAttached, std::memory_order_acquire)) {
      if (GilEnabled() && !ts->holds_gil) {
        // The lock was switched on between our check and the attach: detach, take it, retry.
        ts->status.store(ThreadStatus::kDetached, std::memory_order_release);
        continue;
      }
      break;
    }
    FTB_CHECK(expected == ThreadStatus::kSuspended, "attach of a thread state that is already attached");
    internal::WaitWhileSuspended(ts);
  }
  if constexpr (Policy::kLockFreeReads) internal::QsbrAttach(ts);
  if (ts->critical_section != 0) ResumeCriticalSection(ts);
}

void Detach(ThreadState* ts) noexcept { internal::DetachImpl(ts, /*for_stop=*/false, /*final_release=*/false); }

void HandleEvalBreaker(ThreadState* ts) noexcept {
  std::uint32_t bits = ts->eval_breaker.load(std::memory_order_relaxed);
  if ((bits & kPleaseStopBit) != 0) {
    ts->eval_breaker.fetch_and(~kPleaseStopBit, std::memory_order_relaxed);
    internal::DetachImpl(ts, /*for_stop=*/true, /*final_release=*/false);
    Attach(ts);
  }
  if ((bits & kGilDropRequestBit) != 0) {
    if (ts->holds_gil) {
      // Give another thread a chance (CPython's handling of _PY_GIL_DROP_REQUEST_BIT).
      Detach(ts);
      Attach(ts);
    } else {
      ts->eval_breaker.fetch_and(~kGilDropRequestBit, std::memory_order_relaxed);
    }
  }
  if ((bits & kExplicitMergeBit) != 0) {
    ts->eval_breaker.fetch_and(~kExplicitMergeBit, std::memory_order_relaxed);
    Policy::OnExplicitMerge(ts);
  }
}

ThreadAttach::ThreadAttach() {
  FTB_CHECK(tls_thread_state == nullptr, "this thread already has a thread state (one ThreadAttach per thread)");
  GilMode gil_mode = GilModeFromEnvironment();  // validated in every variant (throws if bad)
  if constexpr (!Policy::kGlobalLockAlwaysOn) {
    if (gil_mode == GilMode::kForcedOn) internal::g_gil_enabled.store(true);
  }
  ts_ = new ThreadState;
  {
    internal::Registry& reg = internal::GetRegistry();
    StdLock lock(reg.mu);
    ts_->id = reg.next_id++;
    ts_->registry_next = reg.head;
    reg.head = ts_;
  }
  tls_thread_state = ts_;
  parking_lot::SetThreadHooks(&internal::kParkingHooks);
  Policy::OnThreadStart(ts_);
  Attach(ts_);
  // CPython 3.13t: the first extra thread makes the deferred objects immortal (ftb/mechanisms.h).
  if constexpr (Policy::kHasOwnerThread) {
    if (CurrentMechanisms().immortalize_on_thread) internal::ImmortalizeOnThreadStart(ts_);
  }
}

ThreadAttach::~ThreadAttach() {
  FTB_CHECK(ts_->critical_section == 0, "thread exit inside a critical section");
  Policy::OnThreadExit(ts_);  // brc: merge what was queued to us (needs us attached)
  if constexpr (Policy::kLockFreeReads) internal::QsbrThreadExit(ts_);
  internal::DetachImpl(ts_, /*for_stop=*/false, /*final_release=*/true);
  {
    internal::Registry& reg = internal::GetRegistry();
    StdLock lock(reg.mu);
    for (ThreadState** p = &reg.head; *p != nullptr; p = &(*p)->registry_next) {
      if (*p == ts_) {
        *p = ts_->registry_next;
        break;
      }
    }
    internal::AddCounters(reg.retired, ts_->counters);
    for (int k = 0; k < kKindCount; ++k) {
      reg.retired_objects.allocs[k] += ts_->objects.allocs[k];
      reg.retired_objects.frees[k] += ts_->objects.frees[k];
      reg.retired_objects.alloc_bytes[k] += ts_->objects.alloc_bytes[k];
      reg.retired_objects.free_bytes[k] += ts_->objects.free_bytes[k];
    }
  }
  parking_lot::SetThreadHooks(nullptr);
  tls_thread_state = nullptr;
  delete ts_;
}

// ---- counters and live objects ----

CounterSnapshot ReadCounters() noexcept {
  internal::Registry& reg = internal::GetRegistry();
  StdLock lock(reg.mu);
  ThreadCounters sum;
  internal::AddCounters(sum, reg.retired);
  for (ThreadState* ts = reg.head; ts != nullptr; ts = ts->registry_next) internal::AddCounters(sum, ts->counters);
  CounterSnapshot snapshot;
#define FTB_COPY_COUNTER(name, doc) snapshot.name = sum.name.Load();
  FTB_COUNTER_FIELDS(FTB_COPY_COUNTER)
#undef FTB_COPY_COUNTER
  return snapshot;
}

std::array<ObjectMemory, kKindCount> ReadObjectMemory() noexcept {
  internal::Registry& reg = internal::GetRegistry();
  StdLock lock(reg.mu);
  std::array<ObjectMemory, kKindCount> sum{};
  auto add = [&](const ObjectTally& t) {
    auto load = [](const std::int64_t& v) {
      return std::atomic_ref<std::int64_t>(const_cast<std::int64_t&>(v)).load(std::memory_order_relaxed);
    };
    for (int k = 0; k < kKindCount; ++k) {
      std::int64_t allocs = load(t.allocs[k]), alloc_bytes = load(t.alloc_bytes[k]);
      sum[k].allocated_objects += allocs;
      sum[k].allocated_bytes += alloc_bytes;
      sum[k].live_objects += allocs - load(t.frees[k]);
      sum[k].live_bytes += alloc_bytes - load(t.free_bytes[k]);
    }
  };
  add(reg.retired_objects);
  for (ThreadState* ts = reg.head; ts != nullptr; ts = ts->registry_next) add(ts->objects);
  return sum;
}

std::int64_t LiveObjects(Kind kind) noexcept { return ReadObjectMemory()[static_cast<int>(kind)].live_objects; }

std::int64_t LiveObjectsTotal() noexcept {
  std::int64_t total = 0;
  for (const ObjectMemory& m : ReadObjectMemory()) total += m.live_objects;
  return total;
}

std::int64_t LiveBytes(Kind kind) noexcept { return ReadObjectMemory()[static_cast<int>(kind)].live_bytes; }

std::int64_t LiveBytesTotal() noexcept {
  std::int64_t total = 0;
  for (const ObjectMemory& m : ReadObjectMemory()) total += m.live_bytes;
  return total;
}

FTB_NAMESPACE_END
