// sweep.h: a sweep plan (variants x workloads x threads x repetitions) and its execution.
//
// Each repetition visits every cell once, in an order shuffled with the recorded seed, so drift of
// the machine favours no variant or workload. By default each measured run is a fresh child process
// (`ftbench cell`) that first does the warm-up runs, which are not recorded. In process
// (SweepSettings::in_process) a cell's warm-up runs precede only its first measured run, and
// workloads with a process-wide side effect still run in a child, so that they cannot change the
// cells that follow them.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "python_variants.h"
#include "baseline.h"
#include "results.h"
#include "topology.h"

namespace ftb::bench {

// Repetitions, --quick included: enough for compare's per-cell test to find a change in a whole
// sweep. A Mann-Whitney p-value cannot go below 2 / C(2n, n); Holm over the 168 cells of a 2-core
// quick sweep needs 0.01 / 168 = 6e-5, which 10 repetitions reach and 5 cannot (docs/compare.md).
inline constexpr int kDefaultRepetitions = 10;
// Every measured run, --quick included, follows one warm-up run in its own process: a cold run
// measures first-touch page faults and the allocator's segment setup, not the locking strategy
// (quick cells ran 5-30% slower cold than warm). A second warm-up run bought nothing measurable
// (scripts/measure-warmup.sh, interleaved rounds); each costs a whole run.
inline constexpr int kDefaultWarmup = 1;

struct SweepSettings {
  std::vector<std::string> variants;
  std::vector<std::string> workloads;
  std::vector<int> threads;
  Placement placement = Placement::kCompact;
  Scaling scaling = Scaling::kStrong;
  int repetitions = kDefaultRepetitions;
  int warmup = kDefaultWarmup;  // unmeasured runs before each measured run (in_process: before a cell's first)
  double work_scale = 1.0;
  std::uint64_t seed = 0;
  bool quick = false;
  // ftbench run --instructions: every run in a child process under callgrind, which counts the
  // instructions of the measured region (recorded as "mode": "instructions").
  std::string valgrind;  // the valgrind executable; empty: time the runs natively
  // Each measured run in a fresh child process (`ftbench cell`), its warm-up runs before it in the
  // same process: repetitions then sample the process-level effects (address-space layout, hash
  // seeds, allocator state) instead of sharing one. In process (--in-process): one process for
  // all, a cell warmed up before its first repetition only.
  bool in_process = false;
  // A calibration cell (calibration.h) at every thread count in every repetition round; off with
  // run --no-calibration and under --instructions. Absent from older results files: false.
  bool calibration = false;
  std::map<std::string, double> knobs;
  // run --mechanisms, canonical (mechanism_variants.h); the variant names carry each setting.
  // Written only when given; absent: none given.
  std::vector<std::string> mechanisms;
  // run --python: the real interpreters whose variants (cpython-3.13, ...) are among `variants`
  // (python_variants.h); recorded as context.ftbench.pythons.
  std::vector<PythonInterpreter> pythons;
  std::string command_line;
  // ftbench run --baseline-binary: every cell also run by the base binary, paired (baseline.h).
  BaselineSettings baseline;

  void WriteTo(nlohmann::json& ftbench_context) const;
  // Reads back what WriteTo wrote. A missing setting or one of the wrong type: std::runtime_error
  // naming it (one line). The values are not checked against the limits: CheckSweepSettings does.
  static SweepSettings ReadFrom(const nlohmann::json& ftbench_context);
};

// The limits of a sweep, one set for the command line and for the settings `run --resume` reads
// back: known variants and workloads, each at most once; 1 to 4096 threads; 1 to 1000
// repetitions; 0 to 100 warm-up runs; a finite positive work scale giving every workload a valid
// size; knobs that exist and are in range; at most kMaxRunsPerSweep runs in all. Throws
// InputError naming the first problem in one line, by its option name (`--threads`) or, when
// `recorded`, by its key in results.json.
inline constexpr std::size_t kMaxRunsPerSweep = 1'000'000;
void CheckSweepSettings(const SweepSettings& settings, bool recorded);

struct PlannedRun {
  RunKey key;
};
// Every cell once per repetition round (a real interpreter's variant: the Python workloads only),
// plus (settings.calibration) the calibration cell once per thread count, in an order shuffled per
// round with the seed. With a baseline, every cell of a round is also planned for the base binary
// (RunKey::build), right before or after this build's run of it, the order within each pair drawn
// with the seed.
std::vector<PlannedRun> PlanSweep(const SweepSettings& settings);

// The instruction total of a callgrind output file (its `totals:` or `summary:` line). Throws
// std::runtime_error naming the file when it has neither.
std::uint64_t CallgrindTotal(const std::filesystem::path& out_file);

// The size of a workload's cell: its default size times the work scale, at least 1.
std::int64_t ScaledSize(std::int64_t default_size, double work_scale);

// Runs what `store` (and, with a baseline, `base_store`: the base runs) does not hold yet, flushing
// the stores every two seconds and when it returns or throws. Stops early (keeping what finished) when `interrupted` becomes true; whoever sets it
// calls KillRunningCell too, so that a child's cell does not run to its end. Returns the problems found (checksum mismatches,
// leaks), one line each; empty when every run was correct.
std::vector<std::string> RunSweep(const SweepSettings& settings, ResultsStore& store, const Topology& topology,
                                  const std::string& self_executable, const std::atomic<bool>& interrupted,
                                  ResultsStore* base_store = nullptr);

// Kills the process group of the cell child running now (`ftbench cell`, or valgrind running it),
// if any. Async-signal-safe: for the handler of SIGINT, SIGTERM and SIGHUP. (A child also dies
// with the sweep by itself: it asks the kernel for SIGKILL when its parent ends.)
void KillRunningCell() noexcept;

// Binds worker threads per a placement plan (used by run and cell). Failures are reported on
// stderr with the set and the reason; the thread then runs unbound.
BindFn MakeBinder(const Topology& topology, std::vector<int> plan);

}  // namespace ftb::bench
