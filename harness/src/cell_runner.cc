#include "cell_runner.h"

#include <sched.h>
#include <sys/resource.h>
#include <time.h>
#include <valgrind/callgrind.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <fstream>
#include <string>
#include <thread>
#include <system_error>

#include <fmt/core.h>

namespace ftb::bench {
namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct ContextSwitches {
  std::int64_t voluntary = 0;
  std::int64_t involuntary = 0;
};
ContextSwitches ThreadContextSwitches() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return {usage.ru_nvcsw, usage.ru_nivcsw};
}

std::int64_t LiveBytes(const std::map<std::string, KindMemory>& memory) {
  std::int64_t total = 0;
  for (const auto& [kind, m] : memory) total += m.live_bytes;
  return total;
}

// Is this exception the system refusing a resource, or a workload's own code failing (a Python
// workload that raised), rather than a bug of ftbench's?
bool IsEnvironment(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const WorkloadRaised&) {
    return true;
  } catch (const std::system_error& e) {
    int code = e.code().value();
    return e.code().category() == std::generic_category() || e.code().category() == std::system_category()
               ? (code == EMFILE || code == ENFILE || code == EAGAIN || code == ENOMEM || code == ENOSPC || code == EDQUOT)
               : false;
  } catch (const std::bad_alloc&) {
    return true;
  } catch (...) {
    return false;
  }
}

std::string Describe(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::system_error& e) {
    std::string text = e.what();
    if (e.code().value() == EMFILE) {
      rlimit limit{};
      if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        text += " (the limit on file descriptors, ulimit -n, is " + std::to_string(limit.rlim_cur) + ")";
    }
    return text;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

[[noreturn]] void Fail(const WorkloadEntry& workload, const CellConfig& config, const std::string& where,
                       const std::exception_ptr& error) {
  throw CellFailure(fmt::format("{} at {} thread{} failed in {}: {}", workload.spec.name, config.threads,
                                config.threads == 1 ? "" : "s", where, Describe(error)),
                    IsEnvironment(error));
}

}  // namespace

ProcessRss ReadProcessRss() {
  ProcessRss out;
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    auto kib = [&](const char* field, std::int64_t& into) {
      std::string_view prefix(field);
      if (line.compare(0, prefix.size(), prefix) == 0) into = std::stoll(line.substr(prefix.size())) * 1024;
    };
    kib("VmRSS:", out.rss);
    kib("VmHWM:", out.hwm);
  }
  return out;
}

bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5\n";
  out.flush();
  return static_cast<bool>(out);
}

CellRecord RunCell(const Variant& variant, const WorkloadEntry& workload, const CellConfig& config, const BindFn& bind) {
  CellRecord record;
  record.variant = variant.runtime.name;
  record.workload = workload.spec.name;
  record.config = config;
  record.threads.resize(static_cast<std::size_t>(config.threads));

  auto main_scope = variant.runtime.attach();
  variant.runtime.eval_breaker();
  std::int64_t live_before = variant.runtime.live_objects();
  std::map<std::string, std::uint64_t> counters_before = variant.runtime.counters();
  // Memory: reset the process's RSS high-water mark, then sample around setup.
  MemoryRecord& memory = record.memory;
  std::map<std::string, KindMemory> objects_before = variant.runtime.object_memory();
  const std::int64_t live_bytes_before = LiveBytes(objects_before);
  memory.peak_rss_reset = ResetPeakRss();
  memory.rss_before_setup = ReadProcessRss().rss;
  std::unique_ptr<WorkloadInstance> instance;
  try {
    instance = workload.create(config);
  } catch (...) {
    Fail(workload, config, "its setup", std::current_exception());
  }
  memory.rss_after_setup = ReadProcessRss().rss;
  memory.live_bytes_setup = LiveBytes(variant.runtime.object_memory()) - live_bytes_before;
  memory.live_bytes_peak = memory.live_bytes_setup;

  using Clock = std::chrono::steady_clock;
  std::atomic<Clock::rep> start_ticks{0};
  std::vector<Clock::time_point> finish(record.threads.size());
  // Threads attach, then wait here together; the clock starts when the barrier releases them.
  // Under callgrind (ftbench run --instructions, which starts valgrind with --instr-atstart=no)
  // the same region is the one whose instructions are counted; natively the client requests are
  // a few no-op instructions.
  std::atomic<int> running{config.threads};
  std::barrier start_line(config.threads, [&]() noexcept {
    CALLGRIND_START_INSTRUMENTATION;
    start_ticks = Clock::now().time_since_epoch().count();
  });
  // A worker's exception is kept here and reported after every thread has ended.
  std::vector<std::exception_ptr> errors(record.threads.size());
  std::exception_ptr spawn_error;
  std::atomic<bool> abandoned{false};  // a thread could not be created: the others skip the work
  int started = config.threads;
  {
    auto detached = variant.runtime.allow_threads();
    std::vector<std::thread> workers;
    workers.reserve(record.threads.size());
    for (int i = 0; i < config.threads; ++i) {
      try {
        workers.emplace_back([&, i] {
          ThreadRecord& mine = record.threads[static_cast<std::size_t>(i)];
          bool arrived = false;
          try {
            mine.cpu_placed = bind ? bind(i) : -1;
            auto scope = variant.runtime.attach();
            ThreadOutput out;
            {
              // Wait at the start line detached, so that in gil a thread waiting there does not hold
              // the lock that the others need to attach.
              auto waiting = variant.runtime.allow_threads();
              arrived = true;
              start_line.arrive_and_wait();
            }
            if (abandoned.load()) {
              if (running.fetch_sub(1) == 1) CALLGRIND_STOP_INSTRUMENTATION;
              return;
            }
            double cpu0 = ThreadCpuSeconds();
            ContextSwitches cs0 = ThreadContextSwitches();
            try {
              instance->RunThread(i, out);
            } catch (...) {
              if (running.fetch_sub(1) == 1) CALLGRIND_STOP_INSTRUMENTATION;
              throw;
            }
            finish[static_cast<std::size_t>(i)] = Clock::now();
            if (running.fetch_sub(1) == 1) CALLGRIND_STOP_INSTRUMENTATION;
            ContextSwitches cs1 = ThreadContextSwitches();
            mine.cpu_seconds = ThreadCpuSeconds() - cpu0;
            mine.voluntary_switches = cs1.voluntary - cs0.voluntary;
            mine.involuntary_switches = cs1.involuntary - cs0.involuntary;
            mine.cpu_observed = sched_getcpu();
            mine.work_units = out.work_units;
            mine.latencies_ns = std::move(out.latencies_ns);
          } catch (...) {
            errors[static_cast<std::size_t>(i)] = std::current_exception();
            if (!arrived) {
              (void)start_line.arrive();  // let the others start
              running.fetch_sub(1);
            }
          }
        });
      } catch (...) {
        // Threads 0..i-1 wait at the start line for the ones that will never exist: arrive for
        // them and let the started ones return without working.
        spawn_error = std::current_exception();
        started = i;
        abandoned.store(true);
        running.fetch_sub(config.threads - i);
        (void)start_line.arrive(config.threads - i);
        break;
      }
    }
    for (auto& w : workers) w.join();
  }
  if (spawn_error)
    Fail(workload, config, fmt::format("starting thread {} of {}", started, config.threads),
         spawn_error);
  for (std::size_t i = 0; i < errors.size(); ++i)
    if (errors[i]) Fail(workload, config, fmt::format("thread {}", i), errors[i]);
  Clock::time_point start{Clock::duration(start_ticks.load())};
  Clock::time_point last = start;
  for (const auto& f : finish) last = std::max(last, f);
  record.wall_seconds = std::chrono::duration<double>(last - start).count();

  memory.live_bytes_peak =
      std::max(memory.live_bytes_peak, LiveBytes(variant.runtime.object_memory()) - live_bytes_before);
  try {
    record.checksum = instance->Finish();
  } catch (...) {
    Fail(workload, config, "its checksum", std::current_exception());
  }
  memory.live_bytes_peak =
      std::max(memory.live_bytes_peak, LiveBytes(variant.runtime.object_memory()) - live_bytes_before);
  instance.reset();
  variant.runtime.eval_breaker();
  // The kernel folds each thread's cached RSS count into VmHWM lazily, so the mark can read a few
  // pages below an RSS sample taken earlier: the peak is the larger.
  ProcessRss end = ReadProcessRss();
  memory.peak_rss = std::max({end.hwm, end.rss, memory.rss_before_setup, memory.rss_after_setup});
  for (const auto& [kind, m] : variant.runtime.object_memory()) {
    KindAllocation a{m.allocated_objects - objects_before[kind].allocated_objects,
                     m.allocated_bytes - objects_before[kind].allocated_bytes};
    if (a.objects > 0) memory.allocated[kind] = a;
  }
  record.leaked_objects = variant.runtime.live_objects() - live_before;
  record.gil_enabled_after = variant.runtime.gil_enabled();
  for (const auto& [name, value] : variant.runtime.counters()) record.counters[name] = value - counters_before[name];
  return record;
}

}  // namespace ftb::bench
