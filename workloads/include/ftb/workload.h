// ftb/workload.h: how the harness sees workloads and runtimes, without naming a variant.
//
// Variant-independent: compiled into the harness once. Each variant's workload library (the same
// sources compiled with one variant definition, see workloads/CMakeLists.txt) registers a
// `Variant` record here from static initialisers: its runtime hooks and its workloads. Every
// variant is in one binary, so one process can run any workload on any variant (validate, and
// `ftbench run --in-process`); `ftbench run` by default still starts a fresh child process
// (`ftbench cell`) for each measured run.
//
// A cell's life (what the harness does, in order):
//   main thread: scope = runtime.attach()
//                instance = workload.create(config)          // builds shared inputs, attached
//                { wait = runtime.allow_threads()           // main detaches while workers run
//                  N workers: pin; w = runtime.attach(); barrier; instance->RunThread(i, out[i]);
//                             record finish; w.reset() }
//                checksum = instance->Finish()              // attached again
//                instance.reset()                           // releases every object
//                runtime.eval_breaker(); runtime.live_objects() == before?   // leak check
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ftb/interp/code_unit.h"

namespace ftb::bench {

enum class Scaling { kStrong, kWeak };

// A tunable of a workload, with its valid range (checked by the harness: bad values are a clear
// error with exit code 2).
struct Knob {
  std::string name;
  double default_value;
  double min;
  double max;
  std::string help;
  // Whole numbers only (the workload converts the value to an integer); the harness refuses a
  // fraction instead of silently truncating it.
  bool integer = true;
};

struct WorkloadSpec {
  std::string name;
  std::string category;     // cpu, cpu-shared, contention, io, mixed, native, legacy, framework
  std::string description;  // one line: what it models
  std::string origin;       // the known pattern it comes from, or "" (workloads/README.md)
  std::int64_t default_size = 0;   // work units: in total (strong) or per thread (weak)
  std::int64_t validate_size = 0;  // a small size for `ftbench validate`
  std::vector<Knob> knobs;
  // Running it changes the process for every later cell (legacy_ext turns the global lock on for
  // the rest of the process in atomic and brc). A harness runs such workloads after all others, or
  // in a process of their own.
  bool process_wide_side_effect = false;
  // File descriptors the cell holds open per worker thread (sockets, pipes, files). The harness
  // refuses a cell whose descriptors would not fit under the process's limit (ulimit -n) before
  // running it, with a message naming the limit.
  int fds_per_thread = 0;
  // "cpp": written in C++ against the runtime API; "py": a Python file run by the interpreter tier
  // (workloads/py/, or a user's file given with --workload-file). Selecting "py" or "cpp" selects
  // every workload of that tier.
  std::string tier = "cpp";
};

struct CellConfig {
  int threads = 1;
  std::int64_t size = 0;
  Scaling scaling = Scaling::kStrong;
  std::map<std::string, double> knobs;  // every knob of the spec, defaults filled in
};

// The work units thread `index` does: [begin, end). Strong scaling splits [0, size) into
// contiguous ranges; weak scaling gives every thread the whole [0, size). A workload's checksum is
// a function of the unit range, so it is the same at every thread count (in weak mode every
// thread must arrive at the same value).
struct UnitRange {
  std::int64_t begin;
  std::int64_t end;
};
inline UnitRange UnitsFor(const CellConfig& config, int index) {
  if (config.scaling == Scaling::kWeak) return {0, config.size};
  std::int64_t n = config.threads;
  std::int64_t base = config.size / n, extra = config.size % n;
  std::int64_t begin = index * base + std::min<std::int64_t>(index, extra);
  return {begin, begin + base + (index < extra ? 1 : 0)};
}

// Thrown by a workload whose own code failed (a Python workload that raised: the message is its
// traceback). It is the workload's error, not ftbench's: the harness reports it as bad input
// (exit 2), not as an internal error.
struct WorkloadRaised : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ThreadOutput {
  std::uint64_t work_units = 0;      // what this thread did (fairness across threads)
  std::vector<double> latencies_ns;  // per operation, for I/O and latency workloads
};

class WorkloadInstance {
 public:
  virtual ~WorkloadInstance() = default;
  // Runs on worker `index` (attached). Must call the eval-breaker check at loop back-edges.
  virtual void RunThread(int index, ThreadOutput& out) = 0;
  // After every worker returned (main thread, attached): the checksum of the result.
  virtual std::uint64_t Finish() = 0;
};

// RAII for a runtime state change (attach, allow-threads); destruction undoes it.
class RuntimeScope {
 public:
  virtual ~RuntimeScope() = default;
};

// The runtime's object tallies for one kind of object (ftb/object.h ObjectMemory), summed over
// threads: objects and their allocation sizes (header + payload), ever allocated and live.
struct KindMemory {
  std::int64_t allocated_objects = 0;
  std::int64_t allocated_bytes = 0;
  std::int64_t live_objects = 0;
  std::int64_t live_bytes = 0;
};

struct VariantRuntime {
  std::string name;
  std::function<std::unique_ptr<RuntimeScope>()> attach;         // ftb::ThreadAttach
  std::function<std::unique_ptr<RuntimeScope>()> allow_threads;  // ftb::AllowThreads
  std::function<std::map<std::string, std::uint64_t>()> counters;
  std::function<std::int64_t()> live_objects;  // caller attached
  std::function<std::map<std::string, KindMemory>()> object_memory;  // by kind name; caller attached
  std::function<bool()> gil_enabled;
  std::function<void()> eval_breaker;  // caller attached: merge what is queued to it (brc)
  // A cell of a Python workload (workloads/py/*.py): loads the compiled module, calls its setup,
  // then worker per thread and finish (the contract in workloads/README.md). Caller attached.
  std::function<std::unique_ptr<WorkloadInstance>(std::shared_ptr<const bc::CodeUnit> code, const CellConfig&)>
      python_cell;
};

struct WorkloadEntry {
  WorkloadSpec spec;
  std::function<std::unique_ptr<WorkloadInstance>(const CellConfig&)> create;  // caller attached
};

struct Variant {
  VariantRuntime runtime;
  std::vector<WorkloadEntry> workloads;
  const WorkloadEntry* Find(std::string_view workload) const;
};

// Every registered variant, in registration order (gil, atomic, brc when all are linked).
std::vector<Variant>& Variants();
const Variant* FindVariant(std::string_view name);
// Used by the registrars.
Variant& VariantNamed(std::string_view name);

}  // namespace ftb::bench
