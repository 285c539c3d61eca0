// results.h: the results directory (docs/results-format.md): results.json in Google Benchmark's
// layout, results.csv and results.txt, written atomically (during a sweep every two seconds and at
// its end) so that an interrupted sweep keeps what it finished, and read back by --resume.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cell_runner.h"

namespace ftb::bench {

inline constexpr int kSchemaVersion = 1;

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
  // Reads DIR/results.json back. Throws std::runtime_error with a clear message if it is missing or
  // malformed.
  static ResultsStore Load(const std::filesystem::path& dir);

  const nlohmann::json& context() const { return context_; }
  const std::filesystem::path& dir() const { return dir_; }
  bool Has(const RunKey& key) const;
  std::size_t size() const { return rows_.size(); }

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
};

}  // namespace ftb::bench
