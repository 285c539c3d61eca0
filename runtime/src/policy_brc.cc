// The out-of-line paths of biased reference counting (CPython's Objects/object.c and
// Python/brc.c). Compiled into the brc variant only.
#include <utility>
#include <vector>

#include "ftb/object.h"
#include "ftb/thread_state.h"
#include "internal.h"

FTB_NAMESPACE_BEGIN

FTB_TLS_MODEL constinit thread_local std::uintptr_t tls_thread_id = kNoThreadId;

namespace {

using P = BrcPolicy;
constexpr std::int64_t kOne = std::int64_t{1} << P::kSharedShift;

// The queue table: CPython's _Py_BRC_NUM_BUCKETS = 257 buckets keyed by thread id, each with
// its own lock and the thread states whose id falls in it.
constexpr std::size_t kBrcBuckets = 257;
struct alignas(kCacheLine) BrcBucket {
  StdMutex mu;
  std::vector<ThreadState*> threads FTB_GUARDED_BY(mu);
  // Each thread's objects_to_merge is guarded by its bucket's mu too (a bucket chosen at run time,
  // so a comment: ThreadState is public and cannot name it).
};
BrcBucket g_buckets[kBrcBuckets];

BrcBucket& BucketFor(std::uintptr_t tid) { return g_buckets[tid % kBrcBuckets]; }

// CPython's _Py_ExplicitMergeRefcount: fold the local count into the shared one, mark it MERGED,
// drop ownership. Returns the merged count. Called by the owner, or by anyone once the owner is
// gone (its ob_ref_local can no longer change).
std::int64_t ExplicitMerge(Object* op, std::int64_t extra) {
  auto shared = P::Shared(op->hdr);
  std::int64_t s = shared.load(std::memory_order_relaxed);
  std::int64_t count;
  std::int64_t new_shared;
  do {
    count = (s >> P::kSharedShift) + std::int64_t{P::Local(op->hdr).load(std::memory_order_relaxed)} + extra;
    new_shared = (count << P::kSharedShift) | P::kStateMerged;
    // acq_rel: see every decref that other threads released before ours; publish the merge.
  } while (!shared.compare_exchange_weak(s, new_shared, std::memory_order_acq_rel, std::memory_order_relaxed));
  P::Local(op->hdr).store(0, std::memory_order_relaxed);
  P::Tid(op->hdr).store(0, std::memory_order_relaxed);
  internal::CountOnCurrentThread(&ThreadCounters::merges);
  FTB_DCHECK(count >= 0, "decref below zero: merged reference count is negative");
  return count;
}

// Merges what other threads queued to `ts` (CPython's _Py_brc_merge_refcounts). The queue's
// reference is released by merging with extra = -1.
void MergeQueued(ThreadState* ts, bool leaving) {
  std::vector<Object*> to_merge;
  {
    BrcBucket& bucket = BucketFor(ts->id);
    StdLock lock(bucket.mu);
    to_merge.swap(ts->objects_to_merge);
    if (leaving) std::erase(bucket.threads, ts);
  }
  for (Object* op : to_merge)
    if (ExplicitMerge(op, -1) == 0) Dealloc(op);
}

// CPython's _Py_brc_queue_object.
void QueueToOwner(Object* op) {
  std::uintptr_t tid = P::Tid(op->hdr).load(std::memory_order_acquire);
  if (tid == 0) {
    // The owner merged concurrently: we are a plain non-owner now and owe one decref.
    Decref(op);
    return;
  }
  internal::CountOnCurrentThread(&ThreadCounters::queued_objects);
  BrcBucket& bucket = BucketFor(tid);
  StdLock lock(bucket.mu);
  ThreadState* owner = nullptr;
  for (ThreadState* ts : bucket.threads)
    if (ts->id == tid) owner = ts;
  if (owner == nullptr) {
    // The owner has exited (ids are never reused): merge here.
    std::int64_t count = ExplicitMerge(op, -1);
    lock.unlock();
    if (count == 0) Dealloc(op);
    return;
  }
  owner->objects_to_merge.push_back(op);
  owner->eval_breaker.fetch_or(kExplicitMergeBit, std::memory_order_relaxed);
}

}  // namespace

void BrcPolicy::OnThreadStart(ThreadState* ts) noexcept {
  tls_thread_id = ts->id;
  BrcBucket& bucket = BucketFor(ts->id);
  StdLock lock(bucket.mu);
  bucket.threads.push_back(ts);
}

void BrcPolicy::OnThreadExit(ThreadState* ts) noexcept {
  MergeQueued(ts, /*leaving=*/true);
  // Last: the merge above may free instances, which counts them off this thread's slots.
  internal::MergeTypeRefcounts(ts);  // this thread's share of its classes' counts
  tls_thread_id = kNoThreadId;
}

void BrcPolicy::OnExplicitMerge(ThreadState* ts) noexcept { MergeQueued(ts, /*leaving=*/false); }

void BrcPolicy::IncrefShared(Header& h) noexcept {
  internal::CountOnCurrentThread(&ThreadCounters::shared_refcount_ops);
  // relaxed: as any incref, made from a reference that already keeps the object alive.
  Shared(h).fetch_add(kOne, std::memory_order_relaxed);
}

bool BrcPolicy::TryIncrefShared(Header& h) noexcept {
  auto shared = Shared(h);
  std::int64_t s = shared.load(std::memory_order_relaxed);
  for (;;) {
    // Zero and INIT, or zero and MERGED: the object may be being freed; the caller must lock.
    if (s == 0 || s == kStateMerged) return false;
    if (shared.compare_exchange_weak(s, s + kOne, std::memory_order_relaxed)) {
      internal::CountOnCurrentThread(&ThreadCounters::shared_refcount_ops);
      return true;
    }
  }
}

// CPython's _Py_DecRefShared.
void BrcPolicy::DecrefShared(Object* op) noexcept {
  internal::CountOnCurrentThread(&ThreadCounters::shared_refcount_ops);
  auto shared = Shared(op->hdr);
  std::int64_t s = shared.load(std::memory_order_relaxed);
  std::int64_t new_shared;
  bool should_queue;
  do {
    should_queue = (s == kStateInit || s == kStateMaybeWeakref);
    if (should_queue) {
      // The shared count would go negative while the owner may still hold local references:
      // queue the object to its owner instead; the queue holds our reference.
      new_shared = kStateQueued;
    } else {
      FTB_DCHECK((s & kSharedFlagMask) != kStateMerged || (s >> kSharedShift) > 0,
                 "decref below zero: the merged reference count is already zero");
      new_shared = s - kOne;  // may be negative
    }
    // acq_rel: our earlier writes to the object happen-before its free by whoever frees it, and
    // if we free it we see theirs.
  } while (!shared.compare_exchange_weak(s, new_shared, std::memory_order_acq_rel, std::memory_order_relaxed));
  if (should_queue) {
    QueueToOwner(op);
  } else if (new_shared == kStateMerged) {
    Dealloc(op);  // zero and merged
  }
}

// CPython's _Py_MergeZeroLocalRefcount.
void BrcPolicy::MergeZeroLocal(Object* op) noexcept {
  auto shared = Shared(op->hdr);
  // acquire: pairs with non-owners' release decrefs before we free.
  std::int64_t s = shared.load(std::memory_order_acquire);
  if (s == 0) {
    Dealloc(op);  // the common case: nobody else ever touched the count
    return;
  }
  // Give up ownership before merging, so a queuing thread that sees tid 0 decrefs instead
  // (gh-121794: this store must precede the CAS).
  Tid(op->hdr).store(0, std::memory_order_relaxed);
  std::int64_t new_shared;
  do {
    new_shared = (s & ~kSharedFlagMask) | kStateMerged;
  } while (!shared.compare_exchange_weak(s, new_shared, std::memory_order_acq_rel, std::memory_order_acquire));
  internal::CountOnCurrentThread(&ThreadCounters::merges);
  if (new_shared == kStateMerged) Dealloc(op);
}

FTB_NAMESPACE_END
