// mixed.cc: workloads that mix CPU work on objects with blocking, and the latency of I/O next to
// CPU-bound threads.
//
//   mixed   each unit does object work, then blocks (the lock released) for the rest of a period;
//           `cpu_fraction` sets the nominal share of CPU work (0.1 to 0.9). Under a global lock,
//           scaling is bounded by 1 / cpu_fraction; free threading removes the bound.
//   convoy  thread 0 does many short I/O operations that never block (write a byte to its pipe,
//           read it back); every other thread is CPU-bound until it is done. Each I/O call
//           releases the lock and must win it back from a CPU-bound thread, which under a global
//           lock costs up to a switch interval per call: the convoy effect (bpo-7946, Beazley
//           2010). Per-operation latencies go to the harness.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "workload_support.h"

FTB_NAMESPACE_BEGIN
namespace workloads {
namespace {

// Python-level object work: `iters` additions on a private accumulator, eval-breaker checks on
// the back-edge. Returns the result.
std::int64_t ObjectWork(std::int64_t iters, std::int64_t seed) {
  Ref acc = Int(1000 + seed);
  Ref step = Int(7);
  for (std::int64_t i = 0; i < iters; ++i) {
    acc = Add(acc.get(), step.get());
    EvalBreakerCheck();
  }
  return AsInt(acc.get());
}

// Additions per microsecond of one thread on the reference machine (2-core x86-64 VM, Release
// build, gil variant: legacy_ext's 6M additions took 0.083 s). It only sets the nominal CPU share
// of `mixed`: the checksum depends on the iteration count, never on time.
constexpr double kAdditionsPerMicrosecond = 70.0;

// ---- mixed --------------------------------------------------------------------------------------

class MixedWorkload : public UnitWorkload {
 public:
  using UnitWorkload::UnitWorkload;
  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    double fraction = Knob("cpu_fraction"), period_us = Knob("period_us");
    auto iters = static_cast<std::int64_t>(std::llround(fraction * period_us * kAdditionsPerMicrosecond));
    auto block = std::chrono::microseconds(std::llround((1 - fraction) * period_us));
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      std::int64_t result = ObjectWork(iters, u);
      {
        AllowThreads detached;  // a blocking call: a sleep stands for a database or network wait
        std::this_thread::sleep_for(block);
      }
      sum += Mix(static_cast<std::uint64_t>(result), u);
      ++out.work_units;
      EvalBreakerCheck();
    }
    return sum;
  }
};

FTB_REGISTER_WORKLOAD(MixedWorkload, {
    .name = "mixed",
    .category = "mixed",
    .description = "object work then a blocking wait per unit; cpu_fraction sets the CPU share",
    .origin = "",
    .default_size = 150,
    .validate_size = 4,
    .knobs = {{"cpu_fraction", 0.5, 0.1, 0.9, "nominal share of each period spent on object work", false},
              {"period_us", 1000, 10, 1e6, "nominal length of one unit, microseconds", false}},
});

// ---- convoy -------------------------------------------------------------------------------------

class ConvoyWorkload : public bench::WorkloadInstance {
 public:
  explicit ConvoyWorkload(const bench::CellConfig& config) : config_(config) {
    int fds[2];
    AllowThreads detached;
    if (::pipe(fds) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
    read_fd_ = fds[0];
    write_fd_ = fds[1];
  }
  ~ConvoyWorkload() override {
    ::close(read_fd_);
    ::close(write_fd_);
  }

  void RunThread(int index, bench::ThreadOutput& out) override {
    if (index == 0) {
      RunIo(out);
    } else {
      RunCpu(index, out);
    }
  }

  // The I/O thread's result only: the CPU threads' amount of work depends on timing.
  std::uint64_t Finish() override { return io_sum_; }

 private:
  // The I/O thread does every unit in both scaling modes: there is one I/O thread.
  void RunIo(bench::ThreadOutput& out) {
    using Clock = std::chrono::steady_clock;
    out.latencies_ns.reserve(static_cast<std::size_t>(config_.size));
    std::uint64_t sum = 0;
    for (std::int64_t u = 0; u < config_.size; ++u) {
      Ref v = Int(u % 251);
      char byte = static_cast<char>(AsInt(v.get()));
      char back = 0;
      Clock::time_point start = Clock::now();
      {
        AllowThreads detached;  // os.write: returns at once, but the lock was let go
        if (::write(write_fd_, &byte, 1) != 1) throw std::system_error(errno, std::generic_category(), "write");
      }
      {
        AllowThreads detached;  // os.read: the byte is already there
        if (::read(read_fd_, &back, 1) != 1) throw std::system_error(errno, std::generic_category(), "read");
      }
      out.latencies_ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - start).count());
      Ref got = Int(static_cast<unsigned char>(back));
      sum += Mix(static_cast<std::uint64_t>(AsInt(got.get())), u);
      ++out.work_units;
      EvalBreakerCheck();
    }
    io_sum_ = sum;
    // release: pairs with the CPU threads' acquire load (they stop once the I/O is done).
    io_done_.store(true, std::memory_order_release);
  }

  void RunCpu(int index, bench::ThreadOutput& out) {
    while (!io_done_.load(std::memory_order_acquire)) {
      ObjectWork(1000, index);
      ++out.work_units;
    }
  }

  bench::CellConfig config_;
  int read_fd_ = -1, write_fd_ = -1;
  std::uint64_t io_sum_ = 0;
  alignas(64) std::atomic<bool> io_done_{false};
};

FTB_REGISTER_WORKLOAD(ConvoyWorkload, {
    .name = "convoy",
    .category = "mixed",
    .description = "one thread's short non-blocking I/O next to CPU-bound threads; I/O latency reported",
    .origin = "bpo-7946 convoy effect (Beazley 2010)",
    .default_size = 2000,
    .validate_size = 20,
    .knobs = {},
});

}  // namespace
}  // namespace workloads
FTB_NAMESPACE_END
