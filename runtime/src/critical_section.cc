// Critical sections (CPython's Python/critical_section.c): per-object locks taken in a stack per
// thread, suspended as a whole when the thread detaches or would block, and the innermost one
// resumed when it attaches again.
//
// The locking is dynamic (a stack of sections per thread, released as a whole and re-acquired one
// at a time), which clang's thread-safety analysis cannot follow: these functions are exempt.
#include <cstdint>
#include <utility>

#include "ftb/thread_state.h"

FTB_NAMESPACE_BEGIN

namespace {
constexpr std::uintptr_t kCsInactive = CriticalSection::kTagInactive;
constexpr std::uintptr_t kCsTwoMutexes = 2;
constexpr std::uintptr_t kCsMask = 3;

CriticalSection* Untag(std::uintptr_t tagged) { return reinterpret_cast<CriticalSection*>(tagged & ~kCsMask); }
bool IsActive(std::uintptr_t tagged) { return tagged != 0 && (tagged & kCsInactive) == 0; }
}  // namespace

// Begin's slow path: the lock is held (by this thread's innermost section, or another thread) or
// has parked waiters.
void CriticalSection::BeginSlow(ObjectMutex* m) noexcept FTB_NO_THREAD_SAFETY_ANALYSIS {
  ThreadState* ts = tls_thread_state;
  FTB_DCHECK(ts != nullptr, "critical section without an attached thread state");
  if (m->try_lock()) {  // unlocked, with parked waiters: barging is allowed
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

void CriticalSection::Begin2(ObjectMutex* a, ObjectMutex* b) noexcept FTB_NO_THREAD_SAFETY_ANALYSIS {
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

void SuspendCriticalSections(ThreadState* ts) noexcept FTB_NO_THREAD_SAFETY_ANALYSIS {
  std::uintptr_t* tag = &ts->critical_section;
  while (IsActive(*tag)) {
    CriticalSection* c = Untag(*tag);
    if (c->mutex_ != nullptr) c->mutex_->unlock();
    if ((*tag & kCsTwoMutexes) != 0 && c->mutex2_ != nullptr) c->mutex2_->unlock();
    *tag |= kCsInactive;
    tag = &c->prev_;
  }
}

void ResumeCriticalSection(ThreadState* ts) noexcept FTB_NO_THREAD_SAFETY_ANALYSIS {
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

FTB_NAMESPACE_END
