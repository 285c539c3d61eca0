// ftb/thread_state.h: thread states, attach/detach, the eval-breaker check, critical sections.
//
// Every thread that touches objects attaches a thread state (ThreadAttach, RAII) and detaches when
// it is done. While attached, a thread holds the global lock whenever the lock is enabled (always
// in gil; in atomic and brc only after a legacy module turned it on).
//
//   AllowThreads        Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS: detach around a blocking
//                       call or a native kernel that touches no objects; the global lock is
//                       released and the thread's critical sections are suspended.
//   EvalBreakerCheck()  what the interpreter does on loop back-edges and calls: one relaxed load
//                       of a per-thread word; the slow path handles a global-lock drop request,
//                       a brc merge request and a stop-the-world request. In brc it also reports
//                       a QSBR quiescent state, so callers must not hold pointers obtained without
//                       a reference across it.
//   CriticalSection     Py_BEGIN_CRITICAL_SECTION(obj): locks the object's mutex (nothing in
//                       gil); its two-object form locks both in address order. A thread that would
//                       block, or detaches, releases all its active critical sections and
//                       re-acquires the innermost one when it attaches again, so nested sections
//                       cannot deadlock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "ftb/base.h"
#include "ftb/counters.h"
#include "ftb/object.h"

FTB_NAMESPACE_BEGIN

// Bits of ThreadState::eval_breaker (CPython's _PY_GIL_DROP_REQUEST_BIT and friends).
inline constexpr std::uint32_t kGilDropRequestBit = 1u << 0;
inline constexpr std::uint32_t kExplicitMergeBit = 1u << 1;  // brc: objects queued to us
inline constexpr std::uint32_t kPleaseStopBit = 1u << 2;     // stop-the-world requested

enum class ThreadStatus : int { kDetached, kAttached, kSuspended };

// Per-kind allocation tallies of one thread (live = allocs - frees). A thread counts what it
// allocates and what it frees, whoever allocated it, so one thread's tallies can go either way;
// only the sum over threads (and exited threads) means something.
struct ObjectTally {
  std::int64_t allocs[kKindCount] = {};
  std::int64_t frees[kKindCount] = {};
  std::int64_t alloc_bytes[kKindCount] = {};
  std::int64_t free_bytes[kKindCount] = {};
};

struct alignas(kCacheLine) ThreadState {
  // Read on every eval-breaker check by this thread, written (rarely) by others: its own line.
  alignas(kCacheLine) std::atomic<std::uint32_t> eval_breaker{0};
  std::atomic<ThreadStatus> status{ThreadStatus::kDetached};

  alignas(kCacheLine) std::uintptr_t id = 0;  // process-unique, never 0, never reused
  bool holds_gil = false;                     // touched only by this thread
  // Innermost critical section, tagged: bit 0 = suspended (inactive), bit 1 = two mutexes.
  std::uintptr_t critical_section = 0;
  ThreadCounters counters;
  ObjectTally objects;  // single writer; read with relaxed atomic_ref
  // brc: this thread's share of the reference counts of classes with a unique id, indexed by
  // unique_id - 1 (ftb/mechanisms.h). Written only by this thread, except by a collector while
  // this thread is stopped; merged into the classes' counts at thread exit.
  std::vector<std::int64_t> type_refcounts;

  // brc: objects other threads queued for us to merge; guarded by our BRC bucket's mutex.
  std::vector<Object*> objects_to_merge;

  // QSBR (brc): the global write sequence this thread last observed, 0 while detached.
  alignas(kCacheLine) std::atomic<std::uint64_t> qsbr_seq{0};
  int qsbr_deferred_count = 0;
  struct DeferredFree {
    void* memory;
    std::uint64_t goal;
  };
  std::vector<DeferredFree> deferred_frees;  // this thread's only

  ThreadState* registry_next = nullptr;  // guarded by the registry mutex

  // The interpreter's innermost frame's StackRef region (ftb/stackref.h), for the deferred
  // collector; null when the thread runs no interpreted code. Written only by this thread.
  struct StackRoots* stack_roots = nullptr;
};

// The calling thread's state, or null when it has none.
FTB_TLS_MODEL extern constinit thread_local ThreadState* tls_thread_state;
inline ThreadState* CurrentThreadState() noexcept { return tls_thread_state; }

void Attach(ThreadState* ts) noexcept;
void Detach(ThreadState* ts) noexcept;
void HandleEvalBreaker(ThreadState* ts) noexcept;

namespace internal {
// QSBR's global write sequence (runtime/src/qsbr.cc): on a line of its own, written only when
// memory is retired.
extern std::atomic<std::uint64_t> g_qsbr_wr_seq;
}  // namespace internal

// CPython's _Py_qsbr_quiescent_state: publish the write sequence this thread has observed. Stored
// only when it changed, so the common check is a load of a rarely written line and a compare.
inline void QsbrQuiescent(ThreadState* ts) noexcept {
  std::uint64_t seq = internal::g_qsbr_wr_seq.load(std::memory_order_acquire);
  if (ts->qsbr_seq.load(std::memory_order_relaxed) != seq) ts->qsbr_seq.store(seq, std::memory_order_release);
}

// Creates this thread's state and attaches it; the destructor detaches it and deletes it (brc:
// merging what was queued to the thread, as CPython does at thread exit). One per thread. Throws
// std::invalid_argument when FTBENCH_GIL has a bad value (ftb/environment.h).
class ThreadAttach {
 public:
  ThreadAttach();
  ~ThreadAttach();
  ThreadAttach(const ThreadAttach&) = delete;
  ThreadAttach& operator=(const ThreadAttach&) = delete;
  ThreadState* state() const noexcept { return ts_; }

 private:
  ThreadState* ts_;
};

class AllowThreads {
 public:
  AllowThreads() noexcept : ts_(tls_thread_state) {
    FTB_DCHECK(ts_ != nullptr, "AllowThreads needs an attached thread state");
    Detach(ts_);
  }
  ~AllowThreads() { Attach(ts_); }
  AllowThreads(const AllowThreads&) = delete;
  AllowThreads& operator=(const AllowThreads&) = delete;

 private:
  ThreadState* ts_;
};

inline void EvalBreakerCheck() noexcept {
  ThreadState* ts = tls_thread_state;
  FTB_DCHECK(ts != nullptr, "EvalBreakerCheck needs an attached thread state");
  if constexpr (Policy::kLockFreeReads) QsbrQuiescent(ts);
  if (ts->eval_breaker.load(std::memory_order_relaxed) != 0) [[unlikely]]
    HandleEvalBreaker(ts);
}

// ---- the global lock ----------------------------------------------------------------------------

// Whether the global lock is in force: always in gil; in atomic and brc once a legacy module was
// loaded (or FTBENCH_GIL=1).
bool GilEnabled() noexcept;
// CPython's sys.setswitchinterval: throws std::invalid_argument for intervals <= 0.
void SetSwitchInterval(std::chrono::microseconds interval);
std::chrono::microseconds SwitchInterval() noexcept;
// The default, CPython's: 5 ms.
inline constexpr std::chrono::microseconds kDefaultSwitchInterval{5000};

// ---- critical sections ---------------------------------------------------------------------------

void ResumeCriticalSection(ThreadState* ts) noexcept;

// One object (Py_BEGIN_CRITICAL_SECTION) or two (Py_BEGIN_CRITICAL_SECTION2, locked in address
// order). Compiles to nothing in gil. As in CPython's core (pycore_critical_section.h), the
// one-object fast paths are inline: Begin is one compare-and-swap and a push onto the thread's
// stack of sections, End one compare-and-swap and a pop; contention, re-entry, the two-object
// form and resuming a suspended section are out of line (runtime/src/critical_section.cc).
class CriticalSection {
 public:
  static constexpr std::uintptr_t kTagInactive = 1;  // in ThreadState::critical_section: suspended

  explicit CriticalSection(Object* op) noexcept {
    if constexpr (Policy::kPerObjectLocks) Begin(&op->hdr.mutex);
  }
  CriticalSection(Object* a, Object* b) noexcept {
    if constexpr (Policy::kPerObjectLocks) Begin2(&a->hdr.mutex, &b->hdr.mutex);
  }
  ~CriticalSection() {
    if constexpr (Policy::kPerObjectLocks) End();
  }
  CriticalSection(const CriticalSection&) = delete;
  CriticalSection& operator=(const CriticalSection&) = delete;

 private:
  FTB_ALWAYS_INLINE void Begin(ObjectMutex* m) noexcept FTB_NO_THREAD_SAFETY_ANALYSIS {
    if (m->LockFast()) [[likely]] {
      ThreadState* ts = tls_thread_state;
      FTB_DCHECK(ts != nullptr, "critical section without an attached thread state");
      mutex_ = m;
      prev_ = ts->critical_section;
      ts->critical_section = reinterpret_cast<std::uintptr_t>(this);
    } else {
      BeginSlow(m);
    }
  }
  FTB_ALWAYS_INLINE void End() noexcept FTB_NO_THREAD_SAFETY_ANALYSIS {
    if (mutex_ == nullptr) return;  // re-entered section: nothing was pushed
    if (mutex2_ != nullptr) mutex2_->unlock();
    mutex_->unlock();
    ThreadState* ts = tls_thread_state;
    ts->critical_section = prev_;
    if ((prev_ & kTagInactive) != 0) [[unlikely]] ResumeCriticalSection(ts);
  }
  FTB_NOINLINE void BeginSlow(ObjectMutex* m) noexcept;
  void Begin2(ObjectMutex* a, ObjectMutex* b) noexcept;

  ObjectMutex* mutex_ = nullptr;   // null when this section re-entered the innermost one's mutex
  ObjectMutex* mutex2_ = nullptr;  // the two-object form's second mutex
  std::uintptr_t prev_ = 0;  // the enclosing section, tagged as ThreadState::critical_section

  friend void SuspendCriticalSections(ThreadState*) noexcept;
  friend void ResumeCriticalSection(ThreadState*) noexcept;
};

void SuspendCriticalSections(ThreadState* ts) noexcept;
void ResumeCriticalSection(ThreadState* ts) noexcept;

// ---- modules and the legacy-extension safety net -------------------------------------------------

// A module declares whether it runs safely without the global lock (CPython's Py_mod_gil).
struct ModuleDef {
  std::string_view name;
  bool gil_not_used;  // Py_MOD_GIL_NOT_USED
};
// Registers a module; names must be unique (throws std::invalid_argument otherwise).
void RegisterModule(const ModuleDef& def);
// Imports a registered module (throws std::invalid_argument for an unknown name). Importing one that
// did not declare gil_not_used turns the global lock on in atomic and brc for the rest of the
// process, after every attached thread has been stopped and observed the switch, with a warning
// naming the module on stderr; FTBENCH_GIL=0 keeps it off. Needs an attached thread state.
void ImportModule(std::string_view name);

FTB_NAMESPACE_END
