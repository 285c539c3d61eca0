// Deferred reference counting and its collector (CPython's Objects/object.c
// _PyObject_SetDeferredRefcount; the free-threaded collector, Python/gc_free_threading.c, which
// frees a deferred object once its count, less the bias, is zero and no frame references it).
// The contract and costs are in ftb/mechanisms.h.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_set>
#include <vector>

#include "ftb/mechanisms.h"
#include "ftb/stackref.h"
#include "ftb/types.h"
#include "internal.h"

FTB_NAMESPACE_BEGIN

namespace {

// Every object that carries the collector's bias and is not freed yet. Never destroyed.
struct DeferredRegistry {
  std::mutex mu;
  std::vector<Object*> objects;  // guarded by mu
};

DeferredRegistry& Registry() {
  static DeferredRegistry* registry = new DeferredRegistry();
  return *registry;
}

// One collector (one stop-the-world of the collector's) at a time.
std::mutex& CollectorMutex() {
  static std::mutex* mu = new std::mutex();
  return *mu;
}

template <class P>
void AddSharedCount(Object* op, std::int64_t count) noexcept {
  P::Shared(op->hdr).fetch_add(count << P::kSharedShift, std::memory_order_acq_rel);
}

bool HasBias(const Object* op) noexcept { return (Policy::LoadGcBits(op->hdr) & internal::kGcBiased) != 0; }

// Runs fn() with every other thread stopped, the registry of thread states locked and the caller
// detached; every thread's per-thread class counts are merged first, so fn sees true counts.
// Threads that registered after a stop was requested are stopped too before fn runs (a first
// attach is not held back by a stop request).
template <class Fn>
void WithWorldStopped(Fn&& fn) {
  ThreadState* self = tls_thread_state;
  FTB_CHECK(self != nullptr && self->status.load(std::memory_order_relaxed) == ThreadStatus::kAttached,
            "the deferred collector needs an attached thread state");
  Detach(self);
  {
    std::lock_guard collector(CollectorMutex());
    for (;;) {
      internal::StopTheWorldForCollector(self);
      StdLock registry(internal::RegistryMutex());
      bool all_stopped = true;
      internal::ForEachThreadLocked([&](ThreadState* ts) {
        if (ts != self && ts->status.load() != ThreadStatus::kSuspended) all_stopped = false;
      });
      if (!all_stopped) continue;  // a thread attached for the first time: stop it too
      internal::ForEachThreadLocked([](ThreadState* ts) { internal::MergeTypeRefcounts(ts); });
      fn();
      break;
    }
    internal::StartTheWorldForCollector();
  }
  Attach(self);
}

// The objects of one collection round: unreferenced (true count zero) and on no thread's stack.
// Called with the world stopped; they leave the registry.
std::vector<Object*> FindGarbageLocked() FTB_REQUIRES(internal::RegistryMutex()) {
  std::unordered_set<Object*> on_stacks;
  internal::ForEachThreadLocked([&](ThreadState* ts) {
    for (const StackRoots* roots = ts->stack_roots; roots != nullptr; roots = roots->previous) {
      for (const StackRef* ref = roots->base; ref < *roots->top; ++ref)
        if (!ref->is_null() && !ref->owns_reference()) on_stacks.insert(ref->get());
    }
  });
  std::vector<Object*> garbage;
  DeferredRegistry& registry = Registry();
  std::lock_guard lock(registry.mu);
  std::erase_if(registry.objects, [&](Object* op) {
    // Made immortal after it was deferred (the interpreter's built-in classes, as CPython's static
    // types): never collected, so it leaves the registry.
    if (IsImmortal(op)) return true;
    std::int64_t count = Refcount(op) - kDeferredBias;
    FTB_CHECK(count >= 0, "decref below zero: a deferred object's count is below its bias");
    if (count != 0 || on_stacks.contains(op)) return false;
    garbage.push_back(op);
    return true;
  });
  return garbage;
}

// ---- immortalize on the first extra thread (CPython 3.13t's _PyGC_ImmortalizeDeferredObjects) ----

// What the mechanism made immortal and ReleaseThreadImmortalized has not freed. Never destroyed.
struct ThreadImmortalRegistry {
  std::mutex mu;
  std::vector<Object*> objects;  // guarded by mu
};

ThreadImmortalRegistry& ThreadImmortals() {
  static ThreadImmortalRegistry* registry = new ThreadImmortalRegistry();
  return *registry;
}

// Set once, by the first extra thread, with the world stopped (CPython's gc.immortalize).
std::atomic<bool> g_immortalized_on_thread{false};

// brc's header (a template: only brc instantiates it). The caller has the world stopped or is the
// only thread that has seen the object.
template <class P>
void SetImmortalLocal(Object* op) noexcept {
  P::Local(op->hdr).store(P::kImmortalLocal, std::memory_order_relaxed);
}

// Takes the object out of the calling thread's allocation tallies (-1) or puts it back (+1):
// immortal objects are not counted.
void TallyImmortal(Object* op, std::int64_t delta) noexcept {
  ThreadState* ts = tls_thread_state;
  FTB_CHECK(ts != nullptr, "immortalize_on_thread needs a thread state");
  int kind = static_cast<int>(op->type->kind);
  internal::TallyAdd(ts->objects.allocs[kind], delta);
  internal::TallyAdd(ts->objects.alloc_bytes[kind], delta * static_cast<std::int64_t>(ObjectBytes(op)));
}

// Makes `op` immortal and records it (the caller has the world stopped, or only it has seen `op`).
void ImmortalizeAndRecord(Object* op) noexcept {
  if constexpr (Policy::kHasOwnerThread) {
    SetImmortalLocal<Policy>(op);
    TallyImmortal(op, -1);
    ThreadImmortalRegistry& immortals = ThreadImmortals();
    std::lock_guard lock(immortals.mu);
    immortals.objects.push_back(op);
  }
}

}  // namespace

namespace internal {

void AddCollectorBias(Object* op) noexcept {
  if constexpr (Policy::kHasOwnerThread) {
    if (IsImmortal(op)) return;
    DeferredRegistry& registry = Registry();
    std::lock_guard lock(registry.mu);
    if (HasBias(op)) return;
    AddSharedCount<Policy>(op, kDeferredBias);
    Policy::OrGcBits(op->hdr, kGcBiased);
    registry.objects.push_back(op);
  }
}

void ImmortalizeOnThreadStart(ThreadState* self) noexcept {
  if constexpr (Policy::kHasOwnerThread) {
    if (g_immortalized_on_thread.load(std::memory_order_acquire)) return;
    {
      StdLock lock(RegistryMutex());
      int threads = 0;
      ForEachThreadLocked([&](ThreadState*) { ++threads; });
      if (threads < 2) return;  // the first (main) thread
    }
    FTB_CHECK(tls_thread_state == self, "ImmortalizeOnThreadStart runs on the attaching thread");
    WithWorldStopped([]() FTB_REQUIRES(internal::RegistryMutex()) {
      if (g_immortalized_on_thread.load(std::memory_order_relaxed)) return;  // another thread won
      DeferredRegistry& registry = Registry();
      std::lock_guard lock(registry.mu);
      std::erase_if(registry.objects, [](Object* op) {
        if (IsImmortal(op)) return true;
        // A class counted per thread (made before the switch was turned on) stays the collector's.
        if (op->type == &g_type_type && static_cast<TypeObject*>(op)->unique_id != 0) return false;
        ImmortalizeAndRecord(op);
        return true;
      });
      g_immortalized_on_thread.store(true, std::memory_order_release);
    });
  }
}

}  // namespace internal

bool ImmortalizedOnThreadStart() noexcept { return g_immortalized_on_thread.load(std::memory_order_acquire); }

std::int64_t ThreadImmortalizedObjectCount() noexcept {
  ThreadImmortalRegistry& immortals = ThreadImmortals();
  std::lock_guard lock(immortals.mu);
  return static_cast<std::int64_t>(immortals.objects.size());
}

std::int64_t ReleaseThreadImmortalized() noexcept {
  if constexpr (Policy::kHasOwnerThread) {
    std::vector<Object*> objects;
    {
      ThreadImmortalRegistry& immortals = ThreadImmortals();
      std::lock_guard lock(immortals.mu);
      objects.swap(immortals.objects);
    }
    // Back in the tallies (Dealloc counts the free), and their memory retired through QSBR
    // (FreeObject), so that a later dealloc's no-op decref of one of them reads live memory.
    for (Object* op : objects) {
      TallyImmortal(op, +1);
      Policy::OrGcBits(op->hdr, kGcDeferredFree);
    }
    // Still immortal: their references to each other are not released; the mortal objects they
    // hold (a class's dict) are.
    for (Object* op : objects) Dealloc(op);
    return static_cast<std::int64_t>(objects.size());
  } else {
    return 0;
  }
}

void SetDeferredRefcount(Object* op) noexcept {
  if constexpr (Policy::kHasOwnerThread) {
    const Mechanisms& m = CurrentMechanisms();
    if (IsImmortal(op)) return;
    if (m.immortalize_on_thread) {
      // The caller is attached and there is no eval-breaker check between the test and the
      // registration: the trigger's stop-the-world cannot fall between them.
      if (g_immortalized_on_thread.load(std::memory_order_acquire)) {
        ImmortalizeAndRecord(op);  // CPython 3.13's _PyObject_SetDeferredRefcount after the trigger
        return;
      }
      internal::AddCollectorBias(op);  // until the trigger: freed only by the collector
      if (!m.deferred_refcount) return;
    } else if (!m.deferred_refcount) {
      return;
    }
    internal::AddCollectorBias(op);
    // After the bias (a release store): a thread that sees the bit and skips its incref sees the
    // bias too.
    Policy::OrGcBits(op->hdr, kGcDeferred);
  }
}

bool HasDeferredRefcount(const Object* op) noexcept {
  if constexpr (Policy::kHasOwnerThread) {
    return HasBias(op);
  } else {
    return false;
  }
}

std::int64_t DeferredObjectCount() noexcept {
  DeferredRegistry& registry = Registry();
  std::lock_guard lock(registry.mu);
  return static_cast<std::int64_t>(registry.objects.size());
}

std::int64_t CollectDeferred() noexcept {
  if constexpr (Policy::kHasOwnerThread) {
    std::int64_t freed = 0;
    for (;;) {
      std::vector<Object*> garbage;
      WithWorldStopped([&]() FTB_REQUIRES(internal::RegistryMutex()) { garbage = FindGarbageLocked(); });
      if (garbage.empty()) return freed;
      // With the world running again: nothing can reach these objects (no counted reference, no
      // stack reference), and their deallocs may take locks, retire memory through QSBR (which
      // reads the registry of thread states) and free what only they kept alive.
      for (Object* op : garbage) Dealloc(op);
      freed += static_cast<std::int64_t>(garbage.size());
    }
  } else {
    return 0;
  }
}

std::int64_t TrueRefcount(Object* op) noexcept {
  if constexpr (Policy::kHasOwnerThread) {
    std::int64_t count = 0;
    WithWorldStopped([&] { count = Refcount(op) - (HasBias(op) ? kDeferredBias : 0); });
    return count;
  } else {
    return Refcount(op);
  }
}

FTB_NAMESPACE_END
