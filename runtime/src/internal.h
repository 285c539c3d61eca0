// internal.h: what the runtime's translation units share and workloads never see.
#pragma once

#include <cstdint>
#include <utility>

#include "alloc.h"
#include "ftb/mechanisms.h"
#include "ftb/std_mutex.h"
#include "ftb/thread_state.h"

FTB_NAMESPACE_BEGIN
namespace internal {

// The registry of thread states: one list, one mutex. Also the stop-the-world machinery's lock.
StdMutex& RegistryMutex() noexcept;
// Calls fn(ThreadState*) for every registered thread; the caller holds RegistryMutex().
template <class Fn>
void ForEachThreadLocked(Fn&& fn) FTB_REQUIRES(RegistryMutex());
ThreadState* RegistryHeadLocked() noexcept FTB_REQUIRES(RegistryMutex());

// Stop-the-world (CPython's _PyEval_StopTheWorld/_PyEval_StartTheWorld): every other registered
// thread is detached and suspended until StartTheWorld. The caller is detached (thread_state.cc).
void StopTheWorld(ThreadState* self);
void StartTheWorld();

// QSBR (CPython's Python/qsbr.c), used by brc's lock-free reads.
//   wr_seq: global write sequence, starts at 1, advanced by 2 when memory is retired.
//   each thread's qsbr_seq: the wr_seq it last observed at a quiescent point, 0 while detached.
//   memory retired with goal G may be freed once every attached thread's qsbr_seq >= G.
void QsbrAttach(ThreadState* ts) noexcept;
void QsbrDetach(ThreadState* ts) noexcept;
// Frees `memory` (internal_alloc::Free: mimalloc, or the C library's free in sanitizer builds,
// alloc.h) once every attached thread has passed a quiescent point.
void QsbrRetire(ThreadState* ts, void* memory) noexcept;
// Frees what is due; at thread exit hands the rest to the process-wide orphan list.
void QsbrProcess(ThreadState* ts) noexcept;
void QsbrThreadExit(ThreadState* ts) noexcept;

template <class Fn>
void ForEachThreadLocked(Fn&& fn) FTB_REQUIRES(RegistryMutex()) {
  for (ThreadState* ts = RegistryHeadLocked(); ts != nullptr; ts = ts->registry_next) fn(ts);
}

// Counts an event on the calling thread's counters, if it has a thread state (a parked lock
// waiter or a merge can run on a thread that is not attached to this variant).
inline void CountOnCurrentThread(Counter ThreadCounters::*counter) noexcept {
  if (ThreadState* ts = tls_thread_state) (ts->counters.*counter).Add();
}

// Relaxed single-writer updates of the allocation tallies: one object and its bytes.
inline void TallyAdd(std::int64_t& slot, std::int64_t delta) noexcept {
  std::atomic_ref<std::int64_t> v(slot);
  v.store(v.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}
inline void CountAlloc(ThreadState* ts, Kind kind, std::size_t bytes) noexcept {
  TallyAdd(ts->objects.allocs[static_cast<int>(kind)], 1);
  TallyAdd(ts->objects.alloc_bytes[static_cast<int>(kind)], static_cast<std::int64_t>(bytes));
}
inline void CountFree(ThreadState* ts, Kind kind, std::size_t bytes) noexcept {
  TallyAdd(ts->objects.frees[static_cast<int>(kind)], 1);
  TallyAdd(ts->objects.free_bytes[static_cast<int>(kind)], static_cast<std::int64_t>(bytes));
}

// ---- allocation ----
// Every variant allocates through one allocator (alloc.h), so the allocator is never what differs.
// AllocObject initialises the header (count 1, owned by the calling thread in brc), sets the type,
// increfs it if it is a heap type, and counts the object and its `bytes` (header, type, payload)
// in the allocating thread's tallies. Always inlined, as CPython's
// _PyObject_Init is, so that every variant pays the same call structure per allocation and only
// the header initialisation differs.
[[noreturn]] void OutOfMemory() noexcept;

FTB_ALWAYS_INLINE void* AllocObjectMemory(std::size_t size) noexcept {
  void* memory = internal_alloc::Allocate(size);
  if (memory == nullptr) [[unlikely]] OutOfMemory();
  return memory;
}

// ---- per-thread reference counts of classes (ftb/mechanisms.h; runtime/src/uniqueid.cc) ----

// Makes ts->type_refcounts long enough for `unique_id` (out of line: once per thread and class).
FTB_NOINLINE void GrowTypeRefcounts(ThreadState* ts, std::int32_t unique_id) noexcept;

// CPython's _Py_INCREF_TYPE: an instance's reference to its class. A class with a unique id (brc,
// mechanism on) is counted in the calling thread's own slot, a plain add; any other a plain Incref.
FTB_ALWAYS_INLINE void IncrefType(ThreadState* ts, TypeObject* type) noexcept {
  if constexpr (Policy::kHasOwnerThread) {
    if (std::int32_t id = type->unique_id; id > 0) {
      auto slot = static_cast<std::size_t>(id) - 1;
      if (slot >= ts->type_refcounts.size()) [[unlikely]] GrowTypeRefcounts(ts, id);
      ++ts->type_refcounts[slot];
      return;
    }
  }
  Incref(type);
}

// CPython's _Py_DECREF_TYPE: the freeing thread's slot (it may go negative; the class has the
// collector's bias, so this never frees it).
inline void DecrefType(ThreadState* ts, TypeObject* type) noexcept {
  if constexpr (Policy::kHasOwnerThread) {
    if (std::int32_t id = type->unique_id; id > 0) {
      auto slot = static_cast<std::size_t>(id) - 1;
      if (slot >= ts->type_refcounts.size()) [[unlikely]] GrowTypeRefcounts(ts, id);
      --ts->type_refcounts[slot];
      return;
    }
  }
  Decref(type);
}

// Folds `ts`'s slots into the classes' shared counts and zeroes them (CPython's
// _PyObject_MergePerThreadRefcounts). Called by the thread itself at exit, or by a collector
// while `ts` is stopped.
void MergeTypeRefcounts(ThreadState* ts) noexcept;

// ---- deferred reference counting (ftb/mechanisms.h; runtime/src/deferred.cc) ----

// gc bit (brc): the shared count carries kDeferredBias; only the collector frees the object.
// Deferred objects also have kGcDeferred (ftb/stackref.h); a class with per-thread counts whose
// deferred switch is off has only this one.
inline constexpr std::uint8_t kGcBiased = 8;
// Adds the bias and registers `op` with the collector (brc only). Idempotent.
void AddCollectorBias(Object* op) noexcept;

// immortalize_on_thread (deferred.cc): called by ThreadAttach on the newly attached thread; if
// another thread state is registered and the trigger has not fired yet, stops the world and makes
// every registered deferred object immortal.
void ImmortalizeOnThreadStart(ThreadState* self) noexcept;

// Stop-the-world for the collector (thread_state.cc): every other registered thread is suspended
// at its next eval-breaker check or detach until StartTheWorldForCollector. The caller is detached.
void StopTheWorldForCollector(ThreadState* self) noexcept;
void StartTheWorldForCollector() noexcept;

FTB_ALWAYS_INLINE void InitObject(Object* op, TypeObject* type, std::size_t bytes) noexcept {
  ThreadState* ts = tls_thread_state;
  FTB_DCHECK(ts != nullptr, "object created without an attached thread state");
  Policy::InitHeader(op->hdr);
  op->type = type;
  CountAlloc(ts, type->kind, bytes);
  if (type->dict != nullptr) IncrefType(ts, type);  // instances of a class keep it alive (heap types)
}

template <class T>
FTB_ALWAYS_INLINE T* AllocObject(TypeObject* type, std::size_t extra_bytes = 0) noexcept {
  T* op = new (AllocObjectMemory(sizeof(T) + extra_bytes)) T{};
  InitObject(op, type, sizeof(T) + extra_bytes);
  return op;
}

// ---- brc's lock-free read protocol (no-ops in the other variants) ----

inline std::uint8_t GcBits(Object* op) noexcept { return Policy::LoadGcBits(op->hdr); }

// Publishes an object to lock-free readers (an item of a shared container): it is freed after a
// grace period, since a reader may still be reading it when it dies, and its shared count leaves
// INIT so that readers can take references. Once per object (the check keeps the locked
// instructions off the common path).
inline void FlagDeferredFree(Object* op) noexcept {
  if constexpr (Policy::kLockFreeReads) {
    if (IsImmortal(op)) return;
    if ((GcBits(op) & kGcDeferredFree) != 0) return;  // already published
    Policy::OrGcBits(op->hdr, kGcDeferredFree);
    Policy::SetMaybeWeakref(op->hdr);
  }
}

// Whether the calling thread may read `container` without its lock: its owner always; others
// once it is marked shared (CPython's _Py_IsOwnedByCurrentThread || _PyObject_GC_IS_SHARED).
inline bool MayReadLockFree(Object* container) noexcept {
  if constexpr (Policy::kLockFreeReads) {
    return Policy::IsOwnedByCurrentThread(container->hdr) || (GcBits(container) & kGcShared) != 0;
  } else {
    return false;
  }
}

// Called under the container's lock by every operation. The first time a thread other than the
// owner touches the container, mark it shared (CPython's ensure_shared_on_read/resize): from then
// on its arrays and items are freed after a grace period, and other threads may read it lock-free.
// The test is inline (every locked container operation makes it); the marking, once per
// container, is out of line.
template <class ForEachItem>
FTB_NOINLINE void MarkSharedLocked(Object* container, ForEachItem&& for_each_item) noexcept {
  for_each_item([](Object* item) { FlagDeferredFree(item); });
  Policy::OrGcBits(container->hdr, kGcShared);
}
template <class ForEachItem>
FTB_ALWAYS_INLINE void EnsureSharedLocked(Object* container, ForEachItem&& for_each_item) noexcept {
  if constexpr (Policy::kLockFreeReads) {
    if ((GcBits(container) & kGcShared) != 0 || Policy::IsOwnedByCurrentThread(container->hdr)) return;
    MarkSharedLocked(container, std::forward<ForEachItem>(for_each_item));
  }
}

// Frees a container's retired array (list items, dict keys): after a grace period if lock-free
// readers may hold it (container_memory.cc).
void FreeArray(Object* container, void* array) noexcept;

}  // namespace internal
FTB_NAMESPACE_END
