// cell_runner.h: runs one cell (a workload on a variant at a thread count) and measures it.
//
// The runner builds plain records and never formats output (google/benchmark's split between
// running and reporting).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
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

// Runs one cell. Throws std::runtime_error if a thread could not be created.
CellRecord RunCell(const Variant& variant, const WorkloadEntry& workload, const CellConfig& config,
                   const BindFn& bind = nullptr);

}  // namespace ftb::bench
