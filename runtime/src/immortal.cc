// Immortal constants (PEP 683; CPython's free-threaded build immortalises code constants,
// gh-118667, with Objects/object.c _Py_SetImmortal). The contract and costs are in
// ftb/mechanisms.h.
#include <mutex>
#include <unordered_map>

#include "ftb/mechanisms.h"
#include "ftb/types.h"
#include "internal.h"

FTB_NAMESPACE_BEGIN

namespace {

// What Immortalize made immortal, with how many Immortalize calls are not released yet. Never
// destroyed.
struct ImmortalRegistry {
  std::mutex mu;
  std::unordered_map<Object*, std::int64_t> holds;  // guarded by mu
};

ImmortalRegistry& Registry() {
  static ImmortalRegistry* registry = new ImmortalRegistry();
  return *registry;
}

// brc's header, written by the one thread that holds the object (templates: only brc
// instantiates them).
template <class P>
void MakeImmortal(Object* op) noexcept {
  std::int64_t shared = P::Shared(op->hdr).load(std::memory_order_relaxed);
  FTB_CHECK(P::IsOwnedByCurrentThread(op->hdr) && (shared >> P::kSharedShift) == 0 &&
                (shared & P::kSharedFlagMask) <= P::kStateMaybeWeakref,
            "Immortalize: the object was already seen by another thread");
  P::Local(op->hdr).store(P::kImmortalLocal, std::memory_order_relaxed);
}

// Takes the object out of the calling thread's allocation tallies (delta -1) or puts it back (+1).
void Tally(Object* op, std::int64_t delta) noexcept {
  ThreadState* ts = tls_thread_state;
  FTB_CHECK(ts != nullptr, "immortal constants need an attached thread state");
  int kind = static_cast<int>(op->type->kind);
  internal::TallyAdd(ts->objects.allocs[kind], delta);
  internal::TallyAdd(ts->objects.alloc_bytes[kind], delta * static_cast<std::int64_t>(ObjectBytes(op)));
}

}  // namespace

void Immortalize(Object* op) noexcept {
  if constexpr (Policy::kHasOwnerThread) {
    ImmortalRegistry& registry = Registry();
    std::lock_guard lock(registry.mu);
    if (auto it = registry.holds.find(op); it != registry.holds.end()) {
      ++it->second;
      return;
    }
    if (!CurrentMechanisms().immortal_constants || IsImmortal(op)) return;
    FTB_CHECK((Policy::LoadGcBits(op->hdr) & internal::kGcBiased) == 0, "Immortalize: the object is deferred");
    MakeImmortal<Policy>(op);
    // Immortal objects are not counted: the allocation leaves the tallies (ReleaseImmortalized
    // puts it back just before freeing it, so that allocations and frees still pair up).
    Tally(op, -1);
    registry.holds.emplace(op, 1);
  }
}

void ReleaseImmortalized(Object* op) noexcept {
  if constexpr (Policy::kHasOwnerThread) {
    ImmortalRegistry& registry = Registry();
    std::unique_lock lock(registry.mu);
    if (auto it = registry.holds.find(op); it != registry.holds.end()) {
      if (--it->second > 0) return;
      registry.holds.erase(it);
      lock.unlock();
      Tally(op, +1);
      Policy::InitHeader(op->hdr);  // mortal again: one reference, owned by this thread
      Decref(op);  // the last reference: freed
      return;
    }
  }
  Decref(op);
}

std::int64_t ImmortalizedObjectCount() noexcept {
  ImmortalRegistry& registry = Registry();
  std::lock_guard lock(registry.mu);
  return static_cast<std::int64_t>(registry.holds.size());
}

FTB_NAMESPACE_END
