// Quiescent-state-based reclamation, after CPython's Python/qsbr.c (itself after FreeBSD's
// "Global Unbounded Sequences"). Only brc retires memory through it.
#include "alloc.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include "internal.h"

FTB_NAMESPACE_BEGIN
namespace internal {

alignas(kCacheLine) constinit std::atomic<std::uint64_t> g_qsbr_wr_seq{1};

namespace {

constexpr std::uint64_t kQsbrIncr = 2;      // CPython's QSBR_INCR
constexpr int kQsbrDeferredLimit = 10;      // CPython's QSBR_DEFERRED_LIMIT: advance every 10th retire
constexpr std::size_t kProcessBatch = 254;  // process a thread's list when it reaches this size

// The smallest sequence every attached thread has passed, as last computed by Poll.
alignas(kCacheLine) constinit std::atomic<std::uint64_t> g_qsbr_rd_seq{1};

// What exited threads could not free yet, freed by whoever processes next. Allocated once and
// never destroyed: it must outlive every thread, and LeakSanitizer must see it as reachable.
StdMutex g_orphans_mu;
std::vector<ThreadState::DeferredFree>& g_orphans FTB_GUARDED_BY(g_orphans_mu) = *new std::vector<ThreadState::DeferredFree>();

std::uint64_t Advance() noexcept {
  // seq_cst: the unpublishing store that precedes a retire happens-before any reader's quiescent
  // report that observes the new sequence.
  return g_qsbr_wr_seq.fetch_add(kQsbrIncr) + kQsbrIncr;
}

std::uint64_t DeferredAdvance(ThreadState* ts) noexcept {
  if (++ts->qsbr_deferred_count < kQsbrDeferredLimit)
    return g_qsbr_wr_seq.load(std::memory_order_acquire) + kQsbrIncr;
  ts->qsbr_deferred_count = 0;
  return Advance();
}

// Whether every attached thread has passed `goal` (CPython's _Py_qsbr_poll).
bool Poll(std::uint64_t goal) noexcept {
  if (goal <= g_qsbr_rd_seq.load(std::memory_order_acquire)) return true;
  std::uint64_t min_seq = g_qsbr_wr_seq.load(std::memory_order_acquire);
  {
    StdLock lock(RegistryMutex());
    ForEachThreadLocked([&](ThreadState* ts) {
      std::uint64_t s = ts->qsbr_seq.load(std::memory_order_acquire);
      if (s != 0) min_seq = std::min(min_seq, s);
    });
  }
  std::uint64_t rd = g_qsbr_rd_seq.load(std::memory_order_relaxed);
  while (rd < min_seq && !g_qsbr_rd_seq.compare_exchange_weak(rd, min_seq, std::memory_order_release,
                                                             std::memory_order_relaxed)) {
  }
  return goal <= min_seq;
}

// Frees the due prefix of `items` (goals never decrease along the list).
void FreeDue(std::vector<ThreadState::DeferredFree>& items) noexcept {
  std::size_t n = 0;
  while (n < items.size() && Poll(items[n].goal)) {
    internal_alloc::Free(items[n].memory);
    ++n;
  }
  items.erase(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(n));
}

}  // namespace

void QsbrAttach(ThreadState* ts) noexcept {
  ts->qsbr_seq.store(g_qsbr_wr_seq.load(std::memory_order_acquire));  // seq_cst, as CPython
}

void QsbrDetach(ThreadState* ts) noexcept { ts->qsbr_seq.store(0, std::memory_order_release); }

void QsbrRetire(ThreadState* ts, void* memory) noexcept {
  ts->deferred_frees.push_back({memory, DeferredAdvance(ts)});
  ts->counters.deferred_frees.Add();
  if (ts->deferred_frees.size() >= kProcessBatch) QsbrProcess(ts);
}

void QsbrProcess(ThreadState* ts) noexcept {
  FreeDue(ts->deferred_frees);
  if (g_orphans_mu.try_lock()) {
    if (!g_orphans.empty()) FreeDue(g_orphans);
    g_orphans_mu.unlock();
  }
}

void QsbrThreadExit(ThreadState* ts) noexcept {
  // Go offline (this thread reads nothing lock-free any more) and advance, so that goals handed
  // out without advancing (DeferredAdvance) become reachable; then free what is due and leave the
  // rest to the others.
  QsbrDetach(ts);
  Advance();
  FreeDue(ts->deferred_frees);
  StdLock lock(g_orphans_mu);
  g_orphans.insert(g_orphans.end(), ts->deferred_frees.begin(), ts->deferred_frees.end());
  ts->deferred_frees.clear();
  FreeDue(g_orphans);
}

}  // namespace internal

FTB_NAMESPACE_END
