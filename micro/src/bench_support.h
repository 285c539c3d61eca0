// bench_support.h: what every primitive benchmark shares: calibrated busy work, a cheap
// timestamp clock, and a padded per-thread slot. Variant-independent, header-only.
//
// Busy work is counted in loop iterations, calibrated once to nanoseconds, not timed with a
// clock (abseil's BM_Contended uses a cycle-clock deadline instead). With more threads than cores
// (this suite runs up to 8 threads on a 2-core machine) a deadline would let a preempted thread
// "finish" its work while it is not running; a fixed amount of work stays the same amount of
// work however the scheduler interleaves the threads.
#pragma once

#include <benchmark/benchmark.h>
#include <x86intrin.h>

#include <chrono>
#include <cstdint>
#include <thread>

#include "ftb/base.h"

namespace ftb::micro {

// One unit of busy work: a register-only loop the compiler may not delete or fold.
inline void SpinIterations(std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) {
    asm volatile("" : "+r"(i));
  }
}

// Iterations of SpinIterations per nanosecond on this machine, measured once (about 20 ms).
inline double SpinIterationsPerNs() {
  static const double per_ns = [] {
    constexpr std::uint64_t kProbe = 1 << 20;
    double best_ns = 1e300;
    for (int round = 0; round < 8; ++round) {  // the fastest round: least disturbed by the OS
      auto start = std::chrono::steady_clock::now();
      SpinIterations(kProbe);
      auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
      if (ns < best_ns) best_ns = ns;
    }
    return static_cast<double>(kProbe) / best_ns;
  }();
  return per_ns;
}

inline std::uint64_t SpinIterationsFor(std::int64_t ns) {
  if (ns <= 0) return 0;
  return static_cast<std::uint64_t>(static_cast<double>(ns) * SpinIterationsPerNs() + 0.5);
}

// A timestamp for latency samples: the time-stamp counter (invariant on this machine's CPU flags:
// constant_tsc, nonstop_tsc), about 10x cheaper than clock_gettime, converted with a ratio
// calibrated once against steady_clock. Good to a few nanoseconds, which is all a latency
// percentile of a lock acquire needs.
struct TscClock {
  static std::uint64_t Now() { return __rdtsc(); }
  static double TicksPerNs() {
    static const double ticks_per_ns = [] {
      auto t0 = std::chrono::steady_clock::now();
      std::uint64_t c0 = __rdtsc();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      auto t1 = std::chrono::steady_clock::now();
      std::uint64_t c1 = __rdtsc();
      double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
      return static_cast<double>(c1 - c0) / ns;
    }();
    return ticks_per_ns;
  }
  static double ToNs(std::uint64_t ticks) { return static_cast<double>(ticks) / TicksPerNs(); }
};

// Anything one thread writes and another reads is padded to its own cache line, so that the
// benchmark measures the primitive, not false sharing between the harness's own counters.
template <class T>
struct alignas(kCacheLine) Padded {
  T value{};
};

}  // namespace ftb::micro
