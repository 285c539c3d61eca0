// Thread states, attach and detach, the global lock (CPython's Python/ceval_gil.c), stop-the-world,
// the eval breaker, critical sections (Python/critical_section.c), counters and modules.
#include "ftb/thread_state.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "internal.h"

FTB_NAMESPACE_BEGIN

FTB_TLS_MODEL constinit thread_local ThreadState* tls_thread_state = nullptr;

namespace internal {
namespace {

struct Registry {
  std::mutex mu;
  std::condition_variable cv;  // stop-the-world progress and restart
  ThreadState* head = nullptr;
  bool stop_requested = false;
  std::uint64_t next_id = 1;  // 0 is "unowned" in brc's ob_tid
  ThreadCounters retired;     // what exited threads counted
  ObjectTally retired_objects;  // what exited threads counted
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

// FTBENCH_GIL, CPython's PYTHON_GIL: unset = default, "0" = never enable the global lock in the
// free-threaded variants, "1" = enable it from the start. The gil variant validates it and
// otherwise ignores it (its lock is always on).
enum class GilMode { kDefault, kForcedOff, kForcedOn };

GilMode GilModeFromEnv() {
  static const GilMode mode = [] {
    const char* value = std::getenv("FTBENCH_GIL");
    if (value == nullptr || *value == '\0') return GilMode::kDefault;
    if (std::strcmp(value, "0") == 0) return GilMode::kForcedOff;
    if (std::strcmp(value, "1") == 0) return GilMode::kForcedOn;
    std::fprintf(stderr, "ftbench: error: FTBENCH_GIL must be 0 or 1, got '%s'\n", value);
    std::exit(2);
  }();
  return mode;
}

std::atomic<bool> g_gil_enabled{false};  // atomic and brc only

// ---- the global lock ----

class GlobalLock {
 public:
  // CPython's take_gil: wait on the condition variable for one interval at a time; a wait that
  // timed out with no switch in the meantime sets the holder's drop request.
  void Take(ThreadState* ts) {
    std::unique_lock lock(mutex_);
    bool waited = false;
    std::chrono::steady_clock::time_point wait_start;
    while (locked_) {
      if (!waited) {
        waited = true;
        wait_start = std::chrono::steady_clock::now();
      }
      std::uint64_t saved_switch_number = switch_number_;
      auto interval = std::chrono::microseconds(std::max<std::int64_t>(1, interval_us.load(std::memory_order_relaxed)));
      bool timed_out = cond_.wait_for(lock, interval) == std::cv_status::timeout;
      if (timed_out && locked_ && switch_number_ == saved_switch_number && last_holder_ != nullptr) {
        // The holder cannot drop the lock (and so cannot exit) while we hold mutex_.
        last_holder_->eval_breaker.fetch_or(kGilDropRequestBit, std::memory_order_relaxed);
        ts->counters.gil_drop_requests.Add();
      }
    }
    {
      // FORCE_SWITCHING: last_holder_ changes under switch_mutex_, and a thread that dropped the
      // lock on request waits on switch_cond_ until it does.
      std::lock_guard switch_lock(switch_mutex_);
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

  // CPython's drop_gil. With a pending drop request (and not a final release), wait until another
  // thread has taken the lock, so that this one cannot immediately take it back.
  void Drop(ThreadState* ts, bool final_release) {
    {
      std::lock_guard lock(mutex_);
      locked_ = false;
      ts->holds_gil = false;
      if (final_release) {
        std::lock_guard switch_lock(switch_mutex_);
        if (last_holder_ == ts) last_holder_ = nullptr;  // the state is about to be deleted
      }
      cond_.notify_one();
    }
    if (!final_release && (ts->eval_breaker.load(std::memory_order_relaxed) & kGilDropRequestBit) != 0) {
      std::unique_lock switch_lock(switch_mutex_);
      if (last_holder_ == ts) {
        ts->eval_breaker.fetch_and(~kGilDropRequestBit, std::memory_order_relaxed);
        // One wait, as CPython: a spurious wake-up only ends the forced switch early.
        switch_cond_.wait(switch_lock);
      }
    }
  }

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

GlobalLock& Gil() {
  static GlobalLock gil;
  return gil;
}

// ---- stop-the-world (CPython's _PyEval_StopTheWorld), used to switch the global lock on ----

void StopTheWorld(ThreadState* self) {
  Registry& reg = GetRegistry();
  std::unique_lock lock(reg.mu);
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
    reg.cv.wait_for(lock, std::chrono::milliseconds(1));
  }
}

void StartTheWorld() {
  Registry& reg = GetRegistry();
  {
    std::lock_guard lock(reg.mu);
    reg.stop_requested = false;
    for (ThreadState* ts = reg.head; ts != nullptr; ts = ts->registry_next) {
      ThreadStatus status = ThreadStatus::kSuspended;
      ts->status.compare_exchange_strong(status, ThreadStatus::kDetached);
    }
  }
  reg.cv.notify_all();
}

void WaitWhileSuspended(ThreadState* ts) {
  Registry& reg = GetRegistry();
  std::unique_lock lock(reg.mu);
  reg.cv.wait(lock, [ts] { return ts->status.load() != ThreadStatus::kSuspended; });
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
      std::lock_guard lock(reg.mu);
      ts->status.store(reg.stop_requested ? ThreadStatus::kSuspended : ThreadStatus::kDetached);
    }
    reg.cv.notify_all();
  } else {
    // release: what we did while attached happens-before a stop-the-world that suspends us.
    ts->status.store(ThreadStatus::kDetached, std::memory_order_release);
  }
  if (ts->holds_gil) Gil().Drop(ts, final_release);
}

}  // namespace

std::mutex& RegistryMutex() noexcept { return GetRegistry().mu; }
ThreadState* RegistryHeadLocked() noexcept { return GetRegistry().head; }

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
  internal::GilMode gil_mode = internal::GilModeFromEnv();  // validated in every variant
  if constexpr (!Policy::kGlobalLockAlwaysOn) {
    if (gil_mode == internal::GilMode::kForcedOn) internal::g_gil_enabled.store(true);
  }
  ts_ = new ThreadState;
  {
    internal::Registry& reg = internal::GetRegistry();
    std::lock_guard lock(reg.mu);
    ts_->id = reg.next_id++;
    ts_->registry_next = reg.head;
    reg.head = ts_;
  }
  tls_thread_state = ts_;
  Policy::OnThreadStart(ts_);
  Attach(ts_);
}

ThreadAttach::~ThreadAttach() {
  FTB_CHECK(ts_->critical_section == 0, "thread exit inside a critical section");
  Policy::OnThreadExit(ts_);  // brc: merge what was queued to us (needs us attached)
  if constexpr (Policy::kLockFreeReads) internal::QsbrThreadExit(ts_);
  internal::DetachImpl(ts_, /*for_stop=*/false, /*final_release=*/true);
  {
    internal::Registry& reg = internal::GetRegistry();
    std::lock_guard lock(reg.mu);
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
  tls_thread_state = nullptr;
  delete ts_;
}

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

// ---- critical sections ----

namespace {
constexpr std::uintptr_t kCsInactive = 1;
constexpr std::uintptr_t kCsTwoMutexes = 2;
constexpr std::uintptr_t kCsMask = 3;

CriticalSection* Untag(std::uintptr_t tagged) { return reinterpret_cast<CriticalSection*>(tagged & ~kCsMask); }
bool IsActive(std::uintptr_t tagged) { return tagged != 0 && (tagged & kCsInactive) == 0; }
}  // namespace

void CriticalSection::Begin(ObjectMutex* m) noexcept {
  ThreadState* ts = tls_thread_state;
  FTB_DCHECK(ts != nullptr, "critical section without an attached thread state");
  if (m->try_lock()) {
    mutex_ = m;
    prev_ = ts->critical_section;
    ts->critical_section = reinterpret_cast<std::uintptr_t>(this);
    return;
  }
  // Re-entering the innermost section's object: skip (CPython's recursive fast path).
  if (ts->critical_section != 0 && Untag(ts->critical_section)->mutex_ == m) {
    mutex_ = nullptr;
    prev_ = 0;
    return;
  }
  mutex_ = nullptr;  // not held yet: a suspend while we park must not unlock it
  prev_ = ts->critical_section;
  ts->critical_section = reinterpret_cast<std::uintptr_t>(this);
  m->lock();
  mutex_ = m;
}

void CriticalSection::Begin2(ObjectMutex* a, ObjectMutex* b) noexcept {
  if (a == b) {
    Begin(a);
    return;
  }
  if (reinterpret_cast<std::uintptr_t>(b) < reinterpret_cast<std::uintptr_t>(a)) std::swap(a, b);
  ThreadState* ts = tls_thread_state;
  FTB_DCHECK(ts != nullptr, "critical section without an attached thread state");
  bool a_locked = a->try_lock();
  if (a_locked && b->try_lock()) {
    mutex_ = a;
    mutex2_ = b;
    prev_ = ts->critical_section;
    ts->critical_section = reinterpret_cast<std::uintptr_t>(this) | kCsTwoMutexes;
    return;
  }
  mutex_ = nullptr;
  mutex2_ = nullptr;
  prev_ = ts->critical_section;
  ts->critical_section = reinterpret_cast<std::uintptr_t>(this) | kCsTwoMutexes;
  if (!a_locked) a->lock();
  b->lock();
  mutex_ = a;
  mutex2_ = b;
}

void CriticalSection::End() noexcept {
  if (mutex_ == nullptr) return;  // re-entered section: nothing was pushed
  if (mutex2_ != nullptr) mutex2_->unlock();
  mutex_->unlock();
  ThreadState* ts = tls_thread_state;
  ts->critical_section = prev_;
  if ((prev_ & kCsInactive) != 0) ResumeCriticalSection(ts);
}

void SuspendCriticalSections(ThreadState* ts) noexcept {
  std::uintptr_t* tag = &ts->critical_section;
  while (IsActive(*tag)) {
    CriticalSection* c = Untag(*tag);
    if (c->mutex_ != nullptr) c->mutex_->unlock();
    if ((*tag & kCsTwoMutexes) != 0 && c->mutex2_ != nullptr) c->mutex2_->unlock();
    *tag |= kCsInactive;
    tag = &c->prev_;
  }
}

void ResumeCriticalSection(ThreadState* ts) noexcept {
  std::uintptr_t tag = ts->critical_section;
  CriticalSection* c = Untag(tag);
  FTB_DCHECK(!IsActive(tag), "resume of an active critical section");
  ObjectMutex* m1 = std::exchange(c->mutex_, nullptr);
  ObjectMutex* m2 = nullptr;
  if ((tag & kCsTwoMutexes) != 0) m2 = std::exchange(c->mutex2_, nullptr);
  if (m1 != nullptr) m1->lock();
  if (m2 != nullptr) m2->lock();
  c->mutex_ = m1;
  c->mutex2_ = m2;
  ts->critical_section &= ~kCsInactive;
}

// ---- counters and live objects ----

CounterSnapshot ReadCounters() noexcept {
  internal::Registry& reg = internal::GetRegistry();
  std::lock_guard lock(reg.mu);
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
  std::lock_guard lock(reg.mu);
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

// ---- modules ----

namespace {
struct ModuleEntry {
  std::string name;
  bool gil_not_used;
};
struct ModuleTable {
  std::mutex mu;
  std::vector<ModuleEntry> modules;
};
ModuleTable& Modules() {
  static ModuleTable table;
  return table;
}

void EnableGilForLegacyModule(std::string_view name) {
  if constexpr (Policy::kGlobalLockAlwaysOn) {
    return;
  } else {
    if (internal::GilModeFromEnv() == internal::GilMode::kForcedOff || GilEnabled()) return;
    ThreadState* ts = tls_thread_state;
    FTB_CHECK(ts != nullptr && ts->status.load() == ThreadStatus::kAttached,
              "ImportModule needs an attached thread state");
    std::fprintf(stderr,
                 "ftbench: RuntimeWarning: the global lock has been enabled to load module '%.*s', which "
                 "has not declared that it can run safely without it. To keep it disabled, set "
                 "FTBENCH_GIL=0.\n",
                 static_cast<int>(name.size()), name.data());
    // CPython's _PyEval_EnableGILPermanent: detach, stop every other thread, switch, restart,
    // re-attach (taking the lock like everybody else).
    Detach(ts);
    internal::StopTheWorld(ts);
    internal::g_gil_enabled.store(true, std::memory_order_release);
    internal::StartTheWorld();
    Attach(ts);
  }
}
}  // namespace

void RegisterModule(const ModuleDef& def) {
  ModuleTable& table = Modules();
  std::lock_guard lock(table.mu);
  for (const ModuleEntry& m : table.modules)
    if (m.name == def.name) throw std::invalid_argument("module '" + std::string(def.name) + "' is already registered");
  table.modules.push_back({std::string(def.name), def.gil_not_used});
}

void ImportModule(std::string_view name) {
  bool gil_not_used = false;
  {
    ModuleTable& table = Modules();
    std::lock_guard lock(table.mu);
    auto it = std::find_if(table.modules.begin(), table.modules.end(), [&](const ModuleEntry& m) { return m.name == name; });
    if (it == table.modules.end()) throw std::invalid_argument("no module named '" + std::string(name) + "'");
    gil_not_used = it->gil_not_used;
  }
  if (!gil_not_used) EnableGilForLegacyModule(name);
}

FTB_NAMESPACE_END
