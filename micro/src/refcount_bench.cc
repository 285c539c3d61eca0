// Reference-count benchmarks, compiled once per variant (the runtime's own inline namespace, so the
// three copies link side by side). Names start with the variant: gil/, atomic/, brc/.
//
//   <v>/refcount/owner_incref_decref       the object was created by this thread
//   <v>/refcount/non_owner_incref_decref   created by another thread, which is still alive (detached)
//   <v>/refcount/immortal_incref_decref    None: immortal, its count is never written
//   <v>/refcount/shared_incref_decref/threads:N/real_time
//   <v>/refcount/shared_immortal_incref_decref/threads:N/real_time
//                                          N threads on one object created by another thread
//   <v>/object/create_free                 a float allocated, initialised, freed
//   brc/refcount/queue_and_merge           a non-owner drops the last reference: queued to the
//                                          owner, merged (and freed) at the owner's eval-breaker check
//
// One iteration is one incref and one decref, with a compiler barrier after each: the interpreter
// always has other code between the two, so neither may be folded away or kept in a register. The
// barrier emits no instruction; it forces the count to be stored and loaded again.
//
// Every refcount row also reports shared_ops_per_iter, read from the runtime's own counters: 0 on
// the owner path, 2 when both operations took brc's shared (atomic) path. It proves which path was
// measured.
//
// The shared benchmarks use Google Benchmark's threads. Each thread attaches its own thread state.
// In gil, an attached thread holds the global lock, so the N threads take turns: the one running
// is asked to drop the lock after CPython's default 5 ms switch interval (kept, not shortened: a
// shorter interval would flatter gil's latency and cost it throughput that CPython users do pay),
// and it notices the request at an eval-breaker check every kEvalBreakerEvery iterations, as an
// interpreter loop would. That serialisation is the honest gil number: total throughput stays at
// one thread's. Threads detach while they wait at Google Benchmark's start and stop barriers;
// otherwise the lock holder would wait there forever for a thread that waits for the lock.
#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <memory>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>
#include <thread>

#include "bench_support.h"
#include "ftb/runtime.h"

FTB_NAMESPACE_BEGIN
namespace variant_bench {
namespace {

using ::ftb::micro::TscClock;

// Eval-breaker checks in the shared benchmarks: one per this many iterations (a loop back-edge
// every few hundred instructions, roughly what an interpreter does).
constexpr benchmark::IterationCount kEvalBreakerEvery = 128;

std::string Name(std::string_view rest) { return std::string(Policy::kName) + "/" + std::string(rest); }

// The measured operation: what Py_INCREF(op); ...; Py_DECREF(op) costs.
inline void IncrefDecref(Object* op) {
  Incref(op);
  benchmark::ClobberMemory();
  Decref(op);
  benchmark::ClobberMemory();
}

// Counts shared (non-owner) reference-count operations over a run: brc's path proof.
class SharedOpsProbe {
 public:
  SharedOpsProbe() : before_(ReadCounters().shared_refcount_ops) {}
  void Report(benchmark::State& state) const {
    double ops = static_cast<double>(ReadCounters().shared_refcount_ops - before_);
    state.counters["shared_ops_per_iter"] = benchmark::Counter(ops, benchmark::Counter::kAvgIterations);
  }

 private:
  std::uint64_t before_;
};

// An object created and owned by another thread that stays alive, detached, until Finish(): in
// brc every other thread's reference-count change goes to the shared count. The owner drops its
// reference itself. Finish() must be called with no benchmark thread attached in gil (the owner
// re-attaches, which needs the global lock).
class ForeignObject {
 public:
  ForeignObject() : thread_([this] { Run(); }) { created_.acquire(); }
  ForeignObject(const ForeignObject&) = delete;
  ForeignObject& operator=(const ForeignObject&) = delete;
  ~ForeignObject() { Finish(); }

  Object* get() const noexcept { return op_; }
  void Finish() {
    if (!thread_.joinable()) return;
    release_.release();
    thread_.join();
  }

 private:
  void Run() {
    ThreadAttach attach;
    Ref obj = Float(2.5);
    op_ = obj.get();
    created_.release();
    AllowThreads detached;  // alive but not running, like a thread blocked in I/O
    release_.acquire();
  }  // re-attaches, drops the owner's reference, detaches

  std::binary_semaphore created_{0};
  std::binary_semaphore release_{0};
  Object* op_ = nullptr;
  std::thread thread_;  // last: started once the rest is constructed
};

void BM_OwnerIncrefDecref(benchmark::State& state) {
  ThreadAttach attach;
  Ref obj = Float(1.5);
  Object* op = obj.get();
  SharedOpsProbe probe;
  for (auto _ : state) IncrefDecref(op);
  probe.Report(state);
}

void BM_NonOwnerIncrefDecref(benchmark::State& state) {
  ForeignObject foreign;
  {
    ThreadAttach attach;
    SharedOpsProbe probe;
    for (auto _ : state) IncrefDecref(foreign.get());
    probe.Report(state);
  }
  foreign.Finish();
}

void BM_ImmortalIncrefDecref(benchmark::State& state) {
  ThreadAttach attach;
  Object* op = None().get();
  SharedOpsProbe probe;
  for (auto _ : state) IncrefDecref(op);
  probe.Report(state);
}

// Google Benchmark stops each thread's timer when that thread's loop ends and reports the average
// over threads, so threads that finish at different times (in gil they take turns) would make the
// run look shorter than it was. Each thread's last iteration therefore waits, detached and timed,
// until every thread has finished: every thread's time is the run's wall time, the reported time
// is wall time per operation per thread, and items_per_second is the true total throughput.
void WaitForAllThreads(std::atomic<int>& finished, int threads) {
  if (finished.fetch_add(1, std::memory_order_acq_rel) + 1 == threads) {
    finished.notify_all();
    return;
  }
  for (int seen = finished.load(std::memory_order_acquire); seen != threads; seen = finished.load(std::memory_order_acquire))
    finished.wait(seen, std::memory_order_acquire);
}

template <bool kImmortal>
void BM_SharedIncrefDecref(benchmark::State& state) {
  static std::unique_ptr<ForeignObject> foreign;  // thread 0 creates it before the start barrier
  static std::optional<SharedOpsProbe> probe;
  static std::atomic<int> finished;
  if (state.thread_index() == 0) {
    finished.store(0, std::memory_order_relaxed);  // ordered before the others' use by the start barrier
    if constexpr (!kImmortal) foreign = std::make_unique<ForeignObject>();
  }
  {
    ThreadAttach attach;
    std::optional<AllowThreads> detached(std::in_place);  // detached at the start barrier
    if (state.thread_index() == 0) probe.emplace();
    Object* op = nullptr;
    const benchmark::IterationCount last = state.max_iterations;
    benchmark::IterationCount i = 0;
    for (auto _ : state) {
      if (i == 0) {
        detached.reset();  // attach: in gil, wait for our turn with the lock
        op = kImmortal ? &g_none : foreign->get();
      }
      IncrefDecref(op);
      ++i;
      if (i % kEvalBreakerEvery == 0) EvalBreakerCheck();
      if (i == last) {
        detached.emplace();  // detached at the stop barriers
        WaitForAllThreads(finished, state.threads());
      }
    }
    detached.reset();  // ThreadAttach's destructor wants us attached
  }
  if (state.thread_index() == 0) {
    // After the stop barrier: every thread is done with the object. In gil the owner's
    // re-attach waits for the others to detach on their way out.
    probe->Report(state);  // thread 0's iterations: the per-thread average of the sum is the same
    probe.reset();
    foreign.reset();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_CreateFree(benchmark::State& state) {
  ThreadAttach attach;
  for (auto _ : state) {
    Ref f = Float(1.5);
    benchmark::DoNotOptimize(f.get());
  }
}

// brc only. A batch of objects created by this thread (the owner) is handed to a helper thread,
// which drops the only reference to each: shared count 0, so it marks the object QUEUED and
// pushes it onto the owner's queue (bucket lock, push, eval-breaker bit). The owner's next
// EvalBreakerCheck merges the batch and frees every object. Timed: the helper's decref loop and
// the owner's check; not timed: creating the batch and the hand-over. "Time" is per batch; the
// counters give nanoseconds per object for each half.
[[maybe_unused]] void BM_QueueAndMerge(benchmark::State& state) {  // registered in brc only
  constexpr std::size_t kBatch = 256;
  constexpr std::uint32_t kOwnersTurn = 0, kHelpersTurn = 1, kStop = 2;
  ThreadAttach attach;
  std::array<Object*, kBatch> batch{};
  std::atomic<std::uint32_t> turn{kOwnersTurn};
  std::uint64_t queue_ticks = 0;  // written by the helper on its turn
  std::thread helper([&] {
    ThreadAttach helper_attach;
    for (;;) {
      turn.wait(kOwnersTurn, std::memory_order_acquire);
      // acquire: see the batch the owner published before handing over.
      if (turn.load(std::memory_order_acquire) == kStop) break;
      std::uint64_t t0 = TscClock::Now();
      for (Object* op : batch) Decref(op);  // non-owner, last reference: queued to the owner
      queue_ticks += TscClock::Now() - t0;
      // release: our decrefs (and queue_ticks) happen-before the owner's merge.
      turn.store(kOwnersTurn, std::memory_order_release);
      turn.notify_one();
    }
  });

  EvalBreakerCheck();
  const std::int64_t live_before = LiveObjects(Kind::kFloat);
  const CounterSnapshot before = ReadCounters();
  std::uint64_t merge_ticks = 0;
  std::uint64_t last_queue_ticks = 0;
  for (auto _ : state) {
    for (Object*& op : batch) op = Float(1.5).release();
    turn.store(kHelpersTurn, std::memory_order_release);
    turn.notify_one();
    turn.wait(kHelpersTurn, std::memory_order_acquire);
    std::uint64_t t0 = TscClock::Now();
    EvalBreakerCheck();  // merges the queue: every object of the batch is freed here
    std::uint64_t ticks = TscClock::Now() - t0;
    merge_ticks += ticks;
    state.SetIterationTime(TscClock::ToNs(ticks + queue_ticks - last_queue_ticks) * 1e-9);
    last_queue_ticks = queue_ticks;
  }
  turn.store(kStop, std::memory_order_release);
  turn.notify_one();
  helper.join();

  // Validate: every object went through the queue and the merge, and none leaked.
  const CounterSnapshot after = ReadCounters();
  const std::uint64_t objects = static_cast<std::uint64_t>(state.iterations()) * kBatch;
  EvalBreakerCheck();
  if (after.queued_objects - before.queued_objects != objects || after.merges - before.merges != objects ||
      LiveObjects(Kind::kFloat) != live_before) {
    state.SkipWithError(("queue-and-merge path not taken as expected: queued " +
                         std::to_string(after.queued_objects - before.queued_objects) + ", merged " +
                         std::to_string(after.merges - before.merges) + ", expected " + std::to_string(objects))
                            .c_str());
    return;
  }
  const double n = static_cast<double>(std::max<std::uint64_t>(objects, 1));
  state.SetItemsProcessed(static_cast<std::int64_t>(objects));
  state.counters["queue_ns_per_obj"] = benchmark::Counter(TscClock::ToNs(queue_ticks) / n);
  state.counters["merge_ns_per_obj"] = benchmark::Counter(TscClock::ToNs(merge_ticks) / n);
}

constexpr int kSharedThreadCounts[] = {1, 2, 3, 4, 8};

[[maybe_unused]] const bool kRegistered = [] {
  benchmark::RegisterBenchmark(Name("refcount/owner_incref_decref").c_str(), BM_OwnerIncrefDecref);
  benchmark::RegisterBenchmark(Name("refcount/non_owner_incref_decref").c_str(), BM_NonOwnerIncrefDecref);
  benchmark::RegisterBenchmark(Name("refcount/immortal_incref_decref").c_str(), BM_ImmortalIncrefDecref);
  auto* shared = benchmark::RegisterBenchmark(Name("refcount/shared_incref_decref").c_str(), BM_SharedIncrefDecref<false>);
  auto* shared_immortal =
      benchmark::RegisterBenchmark(Name("refcount/shared_immortal_incref_decref").c_str(), BM_SharedIncrefDecref<true>);
  for (int t : kSharedThreadCounts) {
    shared->Threads(t);
    shared_immortal->Threads(t);
  }
  shared->UseRealTime();
  shared_immortal->UseRealTime();
  benchmark::RegisterBenchmark(Name("object/create_free").c_str(), BM_CreateFree);
  if constexpr (Policy::kHasOwnerThread)
    benchmark::RegisterBenchmark(Name("refcount/queue_and_merge").c_str(), BM_QueueAndMerge)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  return true;
}();

}  // namespace
}  // namespace variant_bench
FTB_NAMESPACE_END
