// results.h: the results directory (docs/results-format.md): results.json in Google Benchmark's
// layout, results.csv and results.txt, written atomically (during a sweep every two seconds and at
// its end) so that an interrupted sweep keeps what it finished, and read back by --resume.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "cell_runner.h"

namespace ftb::bench {

inline constexpr int kSchemaVersion = 2;
// No results file of ftbench nests deeper than a few levels. A deeper document is not ours, and
// writing it back would recurse once per level (a crash at ~100,000), so readers refuse it.
inline constexpr int kMaxJsonDepth = 32;

// Parses a results document. Throws nlohmann::json::exception when it is not JSON and
// std::runtime_error when it nests deeper than kMaxJsonDepth.
nlohmann::json ParseResultsJson(std::istream& in);

// One measured run of a cell (one repetition).
struct RunKey {
  std::string workload;
  std::string variant;
  int threads = 1;
  int repetition = 0;
};

// `<workload>/<variant>/threads:<n>/<scaling>/<placement>`
std::string RunName(const std::string& workload, const std::string& variant, int threads, const std::string& scaling,
                    const std::string& placement);

// A results.json document as plain Google Benchmark JSON (`ftbench export`): the aggregate rows
// only if `aggregates_only`, and every time (real_time, cpu_time; not cv's ratio) in `time_unit`
// unless it is empty. Throws std::invalid_argument for a document without a benchmarks list or a
// row with an unknown time_unit.
nlohmann::json ExportGoogleBenchmark(const nlohmann::json& doc, bool aggregates_only, const std::string& time_unit);
// The sweep's noise figure (context.noise in results.json): the median and 90th percentile, over
// the complete cells with at least 3 repetitions, of each cell's robust CV of its wall times
// (stats::RobustCV). `benchmarks` is Benchmarks()'s output; null figures when no cell qualifies.
nlohmann::json NoiseFigure(const nlohmann::json& benchmarks);

// A cell's memory aggregate (the median row's "memory"): medians over its runs' memory objects,
// and bytes per object by kind (all runs' allocated bytes / objects). Null when no run has memory.
nlohmann::json MemoryAggregate(const std::vector<const nlohmann::json*>& rows);

class ResultsStore {
 public:
  ResultsStore(std::filesystem::path dir, nlohmann::json context);
  // Reads DIR/results.json back. Throws std::runtime_error with a clear one-line message if it is
  // missing or malformed, or if an iteration row lacks a field (of its type) that the aggregates,
  // the CSV or --resume read.
  static ResultsStore Load(const std::filesystem::path& dir);

  const nlohmann::json& context() const { return context_; }
  const std::filesystem::path& dir() const { return dir_; }
  // Whether a run of this key is recorded: a lookup in an index, so that resuming a sweep of n
  // runs costs n log n and not n^2.
  bool Has(const RunKey& key) const;
  std::size_t size() const { return rows_.size(); }
  // The iteration rows, in the order they were recorded or read.
  const std::vector<nlohmann::json>& Runs() const { return rows_; }

  // Adds one run's row (an iteration row of results.json).
  // `other_runnable`: tasks of other processes that were runnable when the run started.
  void Add(const RunKey& key, const std::string& category, const CellRecord& record, double load_avg_1m,
           int other_runnable, int pus);
  // Recomputes the aggregate rows and writes results.json, results.csv and results.txt, each to a
  // temporary file renamed over the old one.
  void Flush() const;

  // The iteration rows followed, per complete cell, by its aggregate rows.
  nlohmann::json Benchmarks() const;
  // The console table: one line per cell with its median and derived metrics.
  std::string Table() const;

 private:
  std::filesystem::path dir_;
  nlohmann::json context_;
  std::vector<nlohmann::json> rows_;
  std::set<std::tuple<std::string, std::string, int, int>> keys_;  // (workload, variant, threads, repetition)
  // Per complete cell: the sizes of the cells its aggregates were computed from, and those rows.
  mutable std::map<std::string, std::pair<std::array<std::size_t, 3>, std::vector<nlohmann::json>>> aggregate_cache_;

  // Benchmarks(); without `intervals`, the estimates have no bootstrap interval (for the table).
  nlohmann::json Aggregated(bool intervals) const;
};

}  // namespace ftb::bench
