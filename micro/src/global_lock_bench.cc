// Global-lock benchmarks, compiled with every variant but registered only where the lock is always
// on (gil). In atomic and brc the same lock code runs only after a legacy module switched it on.
//
//   gil/global_lock/two_cpu_threads
//       Two attached, CPU-bound threads: each loops { ~100 ns of work; eval-breaker check }. The
//       waiting thread times out after the switch interval (CPython's default, 5 ms, kept) and
//       sets the holder's drop request; the holder sees it at its next check, drops the lock and
//       (forced switching) waits until the other has taken it.
//       One iteration = one switch of holder; "Time" is the time between two switches (the
//       interval plus the hand-off). Counters:
//         handoff_p50_us, handoff_p99_us, handoff_mean_us
//             from the holder noticing its drop request to the other thread running again (its
//             eval-breaker check returning). The request is noticed within one work unit of being
//             set (about 0.1 us), so this is the drop-request-to-running latency.
//         slice_p50_ms, slice_p99_ms
//             how long a thread holds the lock before it is asked to drop it: the switch interval
//             plus the time the waiting thread's timed wait takes to wake up and set the request.
//         switches_per_s, drop_requests_per_s
//             from the runtime's counters (ReadCounters().gil_switches), over the measured span.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "ftb/runtime.h"
#include "ftb/std_mutex.h"
#include "statistics.h"

FTB_NAMESPACE_BEGIN
namespace variant_bench {
namespace {

using ::ftb::micro::SpinIterations;
using ::ftb::micro::SpinIterationsFor;
using ::ftb::micro::TscClock;

constexpr std::int64_t kWorkUnitNs = 100;  // between two eval-breaker checks
constexpr std::size_t kMinSamples = 64;     // hand-offs behind each run's percentiles

struct HandoffLog {
  std::atomic<bool> stop{false};
  // The last drop request noticed: when (TSC) and by which thread. Written by the lock holder.
  std::atomic<std::uint64_t> notice_tsc{0};
  std::atomic<int> notice_by{-1};
  StdMutex mu;
  std::condition_variable cv;
  std::vector<double> handoff_ns FTB_GUARDED_BY(mu);
  std::vector<double> slice_ns FTB_GUARDED_BY(mu);  // from getting the lock to the next drop request
};

void CpuBoundThread(HandoffLog& log, int me, std::uint64_t work) {
  ThreadAttach attach;
  ThreadState* ts = attach.state();
  std::uint64_t running_since = 0;  // when we last got the lock from the other thread (0: unknown)
  while (!log.stop.load(std::memory_order_relaxed)) {
    SpinIterations(work);
    // relaxed: the eval breaker is read the way EvalBreakerCheck reads it; we only peek first.
    if ((ts->eval_breaker.load(std::memory_order_relaxed) & kGilDropRequestBit) == 0) {
      EvalBreakerCheck();
      continue;
    }
    std::uint64_t notice = TscClock::Now();
    if (running_since != 0) {
      StdLock lock(log.mu);
      log.slice_ns.push_back(TscClock::ToNs(notice - running_since));
    }
    log.notice_tsc.store(notice, std::memory_order_relaxed);
    // release: the timestamp is visible to whichever thread reads notice_by next.
    log.notice_by.store(me, std::memory_order_release);
    EvalBreakerCheck();  // drop, wait until the other thread runs, wait for our next turn
    std::uint64_t now = TscClock::Now();
    if (log.notice_by.load(std::memory_order_acquire) != me) {
      // We run again because the other thread noticed its own drop request and handed over.
      running_since = now;
      double ns = TscClock::ToNs(now - log.notice_tsc.load(std::memory_order_relaxed));
      {
        StdLock lock(log.mu);
        log.handoff_ns.push_back(ns);
      }
      log.cv.notify_one();
    }
  }
}

[[maybe_unused]] void BM_GilTwoCpuThreads(benchmark::State& state) {  // registered in gil only
  HandoffLog log;
  const std::uint64_t work = SpinIterationsFor(kWorkUnitNs);
  std::thread a(CpuBoundThread, std::ref(log), 0, work);
  std::thread b(CpuBoundThread, std::ref(log), 1, work);

  std::size_t seen = 0;
  auto wait_for_next_switch = [&] {
    StdLock lock(log.mu);
    while (log.handoff_ns.size() <= seen) log.cv.wait(lock.native());
    seen = log.handoff_ns.size();
  };
  wait_for_next_switch();  // warm-up: both threads attached and taking turns
  const std::size_t first_sample = seen;
  const CounterSnapshot before = ReadCounters();
  const auto start = std::chrono::steady_clock::now();
  auto last = start;
  for (auto _ : state) {
    wait_for_next_switch();
    auto now = std::chrono::steady_clock::now();
    state.SetIterationTime(std::chrono::duration<double>(now - last).count());
    last = now;
  }
  const CounterSnapshot after = ReadCounters();
  const double seconds = std::chrono::duration<double>(last - start).count();
  // A switch takes 5 ms or more, so a short --min-time leaves few samples: keep the threads
  // running, untimed, until the percentiles have at least kMinSamples behind them.
  while (seen - first_sample < kMinSamples) wait_for_next_switch();
  log.stop.store(true, std::memory_order_relaxed);
  a.join();
  b.join();

  std::vector<double> samples;
  std::vector<double> slices;
  {
    StdLock lock(log.mu);
    samples.assign(log.handoff_ns.begin() + static_cast<std::ptrdiff_t>(first_sample),
                   log.handoff_ns.begin() + static_cast<std::ptrdiff_t>(seen));
    slices = log.slice_ns;
  }
  // Percentiles as everywhere in ftbench (linear interpolation; docs/statistics.md); 0 without samples.
  auto at = [](const std::vector<double>& v, double p) { return v.empty() ? 0.0 : ::ftb::stats::Percentile(v, p); };
  state.counters["slice_p50_ms"] = benchmark::Counter(at(slices, 50) / 1e6);
  state.counters["slice_p99_ms"] = benchmark::Counter(at(slices, 99) / 1e6);
  state.counters["handoff_mean_us"] = benchmark::Counter(samples.empty() ? 0.0 : ::ftb::stats::Mean(samples) / 1e3);
  state.counters["handoff_p50_us"] = benchmark::Counter(at(samples, 50) / 1e3);
  state.counters["handoff_p99_us"] = benchmark::Counter(at(samples, 99) / 1e3);
  if (seconds > 0) {
    state.counters["switches_per_s"] = benchmark::Counter(static_cast<double>(after.gil_switches - before.gil_switches) / seconds);
    state.counters["drop_requests_per_s"] =
        benchmark::Counter(static_cast<double>(after.gil_drop_requests - before.gil_drop_requests) / seconds);
  }
}

[[maybe_unused]] const bool kRegistered = [] {
  if constexpr (Policy::kGlobalLockAlwaysOn) {
    benchmark::RegisterBenchmark((std::string(Policy::kName) + "/global_lock/two_cpu_threads").c_str(), BM_GilTwoCpuThreads)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

}  // namespace
}  // namespace variant_bench
FTB_NAMESPACE_END
