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
};

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
