// aggregate.h: what results.json says about each cell beyond its runs (docs/results-format.md):
// the aggregate rows (median, mean, stddev, cv, min, max), the derived metrics with their bootstrap
// intervals, the warnings, memory, and the sweep's noise figure. ResultsStore (results.h) keeps the
// runs and writes the files; this computes from them.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace ftb::bench {

// Google Benchmark's time units (s, ms, us, ns): how many of `unit` make a second. Another unit:
// std::runtime_error "unknown time_unit UNIT".
double UnitsPerSecond(const std::string& unit);
bool IsTimeUnit(const std::string& unit);
// A row's real_time or cpu_time in seconds, whatever its time_unit (ms when it has none).
double RowSeconds(const nlohmann::json& row, const char* field);

// The sweep's noise figure (context.noise in results.json): the median and 90th percentile, over
// the complete cells with at least 3 repetitions, of each cell's robust CV of its wall times
// (stats::RobustCV). `benchmarks` is Benchmarks()'s output; null figures when no cell qualifies.
nlohmann::json NoiseFigure(const nlohmann::json& benchmarks);

// Whether `memory` has the shape MemoryAggregate reads (a resumed file is checked before it is used).
bool ValidMemory(const nlohmann::json& memory);
// A cell's memory aggregate (the median row's "memory"): medians over its runs' memory objects,
// and bytes per object by kind (all runs' allocated bytes / objects). Null when no run has memory.
nlohmann::json MemoryAggregate(const std::vector<const nlohmann::json*>& rows);

// The "benchmarks" list of results.json, from the iteration rows of a sweep. It remembers each
// complete cell's aggregate rows with the sizes of the cells they were computed from: rows are only
// ever added, so a later call recomputes (and bootstraps) only the cells that got runs, and those
// whose ratios use them.
class Aggregator {
 public:
  // The iteration rows, each cell's in one time unit, followed per complete cell (as many rows as
  // `ftbench`'s repetitions) by its aggregate rows, in the order of the sweep's workloads, variants
  // and thread counts; then annotated with the machine's speedup from `calibration`
  // (CalibrationBlock of the same rows; null: none). `ftbench` is context.ftbench. Without
  // `intervals` (the console table), the estimates have NaN bounds, no bootstrap runs and the
  // remembered rows are neither read nor replaced.
  nlohmann::json Benchmarks(const std::vector<nlohmann::json>& rows, const nlohmann::json& ftbench,
                            const nlohmann::json& calibration, bool intervals);

 private:
  // Per complete cell: the sizes of the cells its aggregates were computed from, and those rows.
  std::map<std::string, std::pair<std::array<std::size_t, 3>, std::vector<nlohmann::json>>> cache_;
};

}  // namespace ftb::bench
