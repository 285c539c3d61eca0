// cell_runner.h: runs one cell (a workload on a variant at a thread count) and measures it.
//
// The runner builds plain records and never formats output (google/benchmark's split between
// running and reporting).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "ftb/workload.h"

namespace ftb::bench {

struct ThreadRecord {
  std::uint64_t work_units = 0;
  double cpu_seconds = 0;         // this thread's CPU time inside the measured region
  std::int64_t voluntary_switches = 0;
  std::int64_t involuntary_switches = 0;
  int cpu_placed = -1;            // the PU the thread was bound to, -1 if unbound
  int cpu_observed = -1;          // the PU it was on when it finished
  std::vector<double> latencies_ns;
};

// Objects of one kind allocated during a cell, and their allocation sizes (header + payload).
struct KindAllocation {
  std::int64_t objects = 0;
  std::int64_t bytes = 0;
};

// A cell's memory (docs/results-format.md, "Memory"). RSS figures are the process's, in bytes;
// live object bytes are the runtime's tallies (ftb/object.h), relative to before setup.
struct MemoryRecord {
  std::int64_t rss_before_setup = 0;  // VmRSS just before the workload's setup
  std::int64_t rss_after_setup = 0;   // VmRSS at the end of setup
  std::int64_t peak_rss = 0;          // VmHWM after teardown (at least every RSS sample)
  bool peak_rss_reset = false;        // the high-water mark was reset before setup (else: since exec)
  std::int64_t live_bytes_setup = 0;  // live object bytes at the end of setup
  // The largest of the samples at the end of setup, at the end of the measured run (every worker
  // finished, before Finish) and after Finish (before teardown). A transient peak inside the run
  // is not seen (peak_rss is).
  std::int64_t live_bytes_peak = 0;
  std::map<std::string, KindAllocation> allocated;  // by kind, setup to teardown; kinds with objects only
};

struct CellRecord {
  std::string variant;
  std::string workload;
  CellConfig config;
  double wall_seconds = 0;  // barrier release to the last thread's finish
  std::uint64_t checksum = 0;
  std::int64_t leaked_objects = 0;  // live objects after teardown minus before setup
  bool gil_enabled_after = false;
  std::map<std::string, std::uint64_t> counters;  // runtime counters: after minus before
  std::vector<ThreadRecord> threads;
  std::uint64_t instructions = 0;  // counted by callgrind (run --instructions); 0 when not counted
  MemoryRecord memory;
  // Measured by a real interpreter (python_variants.h): leaked_objects, memory and counters were
  // not measured, and its results.json row leaves them out.
  bool real_interpreter = false;
};

// ---- process memory (Linux /proc/self) ----
// VmRSS and VmHWM of this process in bytes (0 when /proc/self/status cannot be read).
struct ProcessRss {
  std::int64_t rss = 0;
  std::int64_t hwm = 0;
};
ProcessRss ReadProcessRss();
// Resets VmHWM to the current RSS (writes 5 to /proc/self/clear_refs); false when refused.
bool ResetPeakRss();

// Binds the calling worker thread before it attaches; returns the PU it bound to or -1.
using BindFn = std::function<int(int thread_index)>;

// A cell that could not run to the end: the workload's setup, one of its threads or its checksum
// threw, or a worker thread could not be created. The message names the workload, the thread
// count, where it failed and why. `environment`: the system refused a resource (file descriptors,
// threads, memory), not a wrong workload; `ftbench` exits 2 for those and 70 for the others.
struct CellFailure : std::runtime_error {
  CellFailure(const std::string& what, bool environment) : std::runtime_error(what), environment(environment) {}
  bool environment;
};

// Runs one cell. Every exception of the workload (in its setup, in any worker thread, in Finish)
// and a failure to create a thread is caught, the other threads are let finish, and RunCell
// throws CellFailure; nothing reaches std::terminate. A workload whose threads wait for each other
// must not throw in one of them while the others wait (they would wait forever).
CellRecord RunCell(const Variant& variant, const WorkloadEntry& workload, const CellConfig& config,
                   const BindFn& bind = nullptr);

}  // namespace ftb::bench
