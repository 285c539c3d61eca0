// Unique ids for classes and the per-thread reference counts they index (CPython 3.14's
// Python/uniqueid.c: _PyObject_AssignUniqueId, _PyObject_ReleaseUniqueId,
// _PyThreadState_IncRefs / _PyObject_MergePerThreadRefcounts). The contract and costs are in
// ftb/mechanisms.h; the per-operation paths (IncrefType, DecrefType) are inline in internal.h.
#include <algorithm>
#include <mutex>
#include <vector>

#include "ftb/mechanisms.h"
#include "ftb/types.h"
#include "internal.h"

FTB_NAMESPACE_BEGIN

namespace {

// The classes that hold an id, indexed by id - 1 (null: free), and the free ids. Allocated once
// and never destroyed: threads that exit after static destruction still merge their slots.
struct UniqueIdPool {
  std::mutex mu;
  std::vector<TypeObject*> classes;    // guarded by mu
  std::vector<std::int32_t> free_ids;  // guarded by mu; reused last-freed first
};

UniqueIdPool& Pool() {
  static UniqueIdPool* pool = new UniqueIdPool();
  return *pool;
}

// brc: adds `count` to the object's shared count (the header's layout is brc's only; a template
// so that the other variants never instantiate it).
template <class P>
void AddSharedCount(Object* op, std::int64_t count) noexcept {
  // acq_rel, as a decref: the merging thread's earlier uses of the class happen-before a free.
  P::Shared(op->hdr).fetch_add(count << P::kSharedShift, std::memory_order_acq_rel);
}

}  // namespace

void AssignTypeUniqueId(TypeObject* cls) noexcept {
  if constexpr (Policy::kHasOwnerThread) {
    const Mechanisms& m = CurrentMechanisms();
    // CPython 3.13 (immortalize_on_thread) had no per-thread counts.
    if (!m.per_thread_type_refcount || m.immortalize_on_thread || cls->unique_id != 0) return;
    // A class counted per thread can only be freed after a merge: the collector frees it.
    internal::AddCollectorBias(cls);
    UniqueIdPool& pool = Pool();
    std::lock_guard lock(pool.mu);
    std::int32_t id;
    if (!pool.free_ids.empty()) {
      id = pool.free_ids.back();
      pool.free_ids.pop_back();
    } else {
      pool.classes.push_back(nullptr);
      id = static_cast<std::int32_t>(pool.classes.size());
    }
    pool.classes[static_cast<std::size_t>(id) - 1] = cls;
    cls->unique_id = id;
  }
}

void ReleaseTypeUniqueId(TypeObject* cls) noexcept {
  if (cls->unique_id == 0) return;
  // Every thread's slot for this id is zero: the class is being freed by the collector, which
  // merged all slots, and no instance of it is left to change them.
  UniqueIdPool& pool = Pool();
  std::lock_guard lock(pool.mu);
  pool.classes[static_cast<std::size_t>(cls->unique_id) - 1] = nullptr;
  pool.free_ids.push_back(cls->unique_id);
  cls->unique_id = 0;
}

namespace internal {

void GrowTypeRefcounts(ThreadState* ts, std::int32_t unique_id) noexcept {
  std::size_t size = std::max({static_cast<std::size_t>(unique_id), 2 * ts->type_refcounts.size(), std::size_t{8}});
  ts->type_refcounts.resize(size, 0);
}

void MergeTypeRefcounts(ThreadState* ts) noexcept {
  if constexpr (Policy::kHasOwnerThread) {
    UniqueIdPool& pool = Pool();
    std::lock_guard lock(pool.mu);
    for (std::size_t i = 0; i < ts->type_refcounts.size(); ++i) {
      std::int64_t count = ts->type_refcounts[i];
      if (count == 0) continue;
      TypeObject* cls = i < pool.classes.size() ? pool.classes[i] : nullptr;
      FTB_CHECK(cls != nullptr, "per-thread reference count of a class that was freed");
      AddSharedCount<Policy>(cls, count);
      ts->type_refcounts[i] = 0;
    }
  }
}

}  // namespace internal

FTB_NAMESPACE_END
