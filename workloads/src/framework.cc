// framework.cc: object work driven by a parallel framework, oneTBB's parallel_for.
//
// The cell's thread 0 runs parallel_for in a task arena of `threads` slots; oneTBB supplies the
// other threads, and harness threads 1..N-1 return at once. A task_scheduler_observer registers
// each TBB worker with the runtime when it enters the arena (a thread state, created attached then
// detached), and every chunk of the loop attaches around its body and detaches after it, as a
// C extension's worker threads do with PyGILState_Ensure / PyGILState_Release. Between chunks a
// thread is detached: a worker spinning in TBB's scheduler must not hold the global lock that the
// others need. The cell ends with tbb::finalize, which waits for the workers to exit, so no thread
// state outlives the cell. Pinning TBB's workers is left to the harness's placement.
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_scheduler_observer.h>

#include <atomic>
#include <memory>
#include <optional>

#include "workload_support.h"

FTB_NAMESPACE_BEGIN
namespace workloads {
namespace {

// This thread's standing with this variant's runtime while it takes part in the arena. The TBB
// workers own a thread state (attach_); every participant is detached (detached_ engaged) except
// while it runs a chunk.
struct ArenaThread {
  std::unique_ptr<ThreadAttach> attach;
  std::optional<AllowThreads> detached;

  void EnterAsWorker() {
    if (attach) return;
    attach = std::make_unique<ThreadAttach>();
    detached.emplace();
  }
  void LeaveAsWorker() {
    if (!attach) return;
    detached.reset();
    attach.reset();
  }
  ~ArenaThread() { LeaveAsWorker(); }
};
thread_local ArenaThread tls_arena_thread;

// Attached for the scope of one chunk (PyGILState_Ensure ... PyGILState_Release).
class ChunkScope {
 public:
  ChunkScope() { tls_arena_thread.detached.reset(); }
  ~ChunkScope() { tls_arena_thread.detached.emplace(); }
  ChunkScope(const ChunkScope&) = delete;
  ChunkScope& operator=(const ChunkScope&) = delete;
};

class AttachObserver : public tbb::task_scheduler_observer {
 public:
  explicit AttachObserver(tbb::task_arena& arena) : tbb::task_scheduler_observer(arena) { observe(true); }
  ~AttachObserver() override { observe(false); }
  void on_scheduler_entry(bool is_worker) override {
    if (is_worker) tls_arena_thread.EnterAsWorker();
  }
  void on_scheduler_exit(bool is_worker) override {
    if (is_worker) tls_arena_thread.LeaveAsWorker();
  }
};

// One unit: l = [u + k for k in range(n)]; total = sum(l[k] for k in range(n))
std::int64_t UnitWork(std::int64_t u, std::int64_t items) {
  Ref l = List();
  for (std::int64_t k = 0; k < items; ++k) {
    Ref v = Int(u + k * 1000);
    ListAppend(l.get(), v.get());
    EvalBreakerCheck();
  }
  Ref total = Int(0);
  for (std::int64_t k = 0; k < items; ++k) {
    Ref v = ListGet(l.get(), k);
    total = Add(total.get(), v.get());
    EvalBreakerCheck();
  }
  return AsInt(total.get());
}

class TbbParallelForWorkload : public bench::WorkloadInstance {
 public:
  explicit TbbParallelForWorkload(const bench::CellConfig& config)
      : config_(config),
        copies_(config.scaling == bench::Scaling::kWeak ? config.threads : 1),
        sums_(std::make_unique<std::atomic<std::uint64_t>[]>(static_cast<std::size_t>(copies_))),
        handle_(tbb::attach{}),
        limit_(std::in_place, tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(config.threads)),
        arena_(config.threads),
        observer_(std::in_place, arena_) {}

  ~TbbParallelForWorkload() override {
    // Detached for the whole teardown: a worker leaving the arena attaches once more (in
    // on_scheduler_exit), and observe(false) and finalize wait for it.
    AllowThreads detached;
    observer_.reset();
    arena_.terminate();
    limit_.reset();
    tbb::finalize(handle_, std::nothrow);
  }

  void RunThread(int index, bench::ThreadOutput& out) override {
    if (index != 0) return;  // TBB's workers are the other threads
    std::int64_t items = static_cast<std::int64_t>(config_.knobs.at("items"));
    std::int64_t total_units = config_.size * copies_;  // weak: `threads` copies of [0, size)
    std::atomic<std::uint64_t> units_done{0};
    tls_arena_thread.detached.emplace();  // the calling thread too takes part detached
    arena_.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, total_units), [&](const tbb::blocked_range<std::int64_t>& r) {
        ChunkScope attached;
        for (std::int64_t i = r.begin(); i < r.end(); ++i) {
          std::int64_t copy = i / config_.size, u = i % config_.size;
          std::uint64_t mixed = Mix(static_cast<std::uint64_t>(UnitWork(u, items)), u);
          sums_[static_cast<std::size_t>(copy)].fetch_add(mixed, std::memory_order_relaxed);
        }
        units_done.fetch_add(static_cast<std::uint64_t>(r.size()), std::memory_order_relaxed);
      });
    });
    tls_arena_thread.detached.reset();
    out.work_units = units_done.load(std::memory_order_relaxed);
  }

  std::uint64_t Finish() override {
    // arena.execute returned after parallel_for completed: every fetch_add happened before.
    std::uint64_t first = sums_[0].load(std::memory_order_relaxed);
    for (int c = 1; c < copies_; ++c)
      if (sums_[static_cast<std::size_t>(c)].load(std::memory_order_relaxed) != first) return 0;
    return first;
  }

 private:
  bench::CellConfig config_;
  int copies_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> sums_;
  tbb::task_scheduler_handle handle_;
  std::optional<tbb::global_control> limit_;
  tbb::task_arena arena_;
  std::optional<AttachObserver> observer_;
};

FTB_REGISTER_WORKLOAD(TbbParallelForWorkload, {
    .name = "tbb_parallel_for",
    .category = "framework",
    .description = "list building and summing driven by oneTBB parallel_for; workers attached by an observer",
    .origin = "",
    .default_size = 30000,
    .validate_size = 20,
    .knobs = {{"items", 64, 1, 1 << 20, "list items built and summed per unit"}},
});

}  // namespace
}  // namespace workloads
FTB_NAMESPACE_END
