// calibration.h: the machine's own parallelism, measured inside every sweep.
//
// A calibration cell runs a fixed pure-CPU kernel (a dependent xorshift64 loop kept in registers:
// no runtime, no shared data, no allocation, no memory traffic) at every thread count of the
// sweep, planned like a cell under the pseudo-workload `calibration` and pseudo-variant `machine`
// and interleaved with the real cells in every repetition round, through the same child-process
// path, placement binder and start barrier. Its speedup is what the machine gave that round: on
// an idle machine with as many free cores as threads it is the thread count; on a VM whose host
// takes capacity away, less. docs/results-format.md describes what results.json records.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cell_runner.h"

namespace ftb::bench {

inline constexpr const char* kCalibrationWorkload = "calibration";
inline constexpr const char* kCalibrationVariant = "machine";
inline constexpr const char* kCalibrationCategory = "calibration";
// Iterations of the kernel at work scale 1: about 120 ms on one core of a 3 GHz x86-64 (the loop
// runs one dependent xorshift step, six single-cycle operations, per iteration), so that even a
// quick sweep's 2-thread calibration (a fifth of it, split in two) runs for over 10 ms, above the
// short-cell bound; 20,000,000 gave 4 ms there.
inline constexpr std::int64_t kCalibrationDefaultSize = 60'000'000;
// A round whose machine efficiency (speedup / threads) at some thread count is below this is
// flagged (results.txt; `ftbench report --calibration-threshold` chooses its own).
inline constexpr double kCalibrationThreshold = 0.9;

bool IsCalibration(const std::string& workload, const std::string& variant);

// The kernel's iterations for thread `index` of `threads`: the whole size per thread under weak
// scaling, the size divided among the threads (the remainder to the first ones) under strong.
std::uint64_t CalibrationIterations(std::int64_t size, int threads, int index, Scaling scaling);

// The kernel itself: `iterations` dependent xorshift64 steps from `seed`; returns the final state.
std::uint64_t CalibrationKernel(std::uint64_t seed, std::uint64_t iterations);

// Runs one calibration cell: `threads` threads, bound by `bind`, released together by a barrier,
// each running its share of the kernel. Work units are iterations. The record's variant and
// workload are the pseudo names above; its counters are empty.
CellRecord RunCalibration(int threads, std::int64_t size, Scaling scaling, const BindFn& bind = nullptr);

// The sweep-level "calibration" block of results.json from the calibration cells' iteration rows
// (the rows of ResultsStore): per repetition round, the machine's speedup and efficiency at each
// thread count, (units_n / units_1) * t_1 / t_n within the round, the same throughput ratio as the
// workloads' speedup in both scaling modes (ideal = threads); the rounds below `threshold`; and
// per thread count the median over rounds. null when there are no calibration rows.
nlohmann::json CalibrationBlock(const std::vector<nlohmann::json>& rows, std::uint64_t seed,
                                double threshold = kCalibrationThreshold);

// Adds the machine's speedup to the other cells' rows of `benchmarks` (ResultsStore::Benchmarks):
// each iteration row gets "machine_speedup", its round's at its thread count (null when the round
// has no calibration at 1 and that thread count); each median row gets "machine_speedup", the
// median over rounds with its interval, and "efficiency_vs_machine", speedup / machine_speedup
// (what the variant lost that the machine did not; the interval divides the bounds crosswise).
// Nothing when `block` is null.
void AnnotateWithCalibration(nlohmann::json& benchmarks, const nlohmann::json& block);

// results.txt's lines on the calibration block (empty when it is null).
std::string CalibrationSummary(const nlohmann::json& block);

}  // namespace ftb::bench
