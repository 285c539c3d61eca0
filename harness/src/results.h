// results.h: the results directory (docs/results-format.md): results.json in Google Benchmark's
// layout, results.csv and results.txt, written atomically (during a sweep every two seconds and at
// its end) so that an interrupted sweep keeps what it finished, and read back by --resume.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "aggregate.h"
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
  std::string build = {};  // empty: this binary; kBaseBuild (baseline.h): the base binary of a paired sweep
};

// A cell's name, `<workload>/<variant>/threads:<n>` (progress lines, messages, results.txt's
// warnings), and a run's, the cell's followed by `/<scaling>/<placement>` (the name and run_name of
// results.json's rows). plots/ftbplots/results.py's cell_name and run_name write the same
// (tests/harness/cell_name_test.py checks).
std::string CellName(const std::string& workload, const std::string& variant, int threads);
std::string RunName(const std::string& workload, const std::string& variant, int threads, const std::string& scaling,
                    const std::string& placement);

// A results.json document as plain Google Benchmark JSON (`ftbench export`): the aggregate rows
// only if `aggregates_only`, and every time (real_time, cpu_time; not cv's ratio) in `time_unit`
// unless it is empty. Throws std::invalid_argument for a document without a benchmarks list or a
// row with an unknown time_unit.
nlohmann::json ExportGoogleBenchmark(const nlohmann::json& doc, bool aggregates_only, const std::string& time_unit);

class ResultsStore {
 public:
  // `stem`: the files' names, DIR/<stem>.json, .csv and .txt ("baseline": a paired sweep's base runs).
  ResultsStore(std::filesystem::path dir, nlohmann::json context, std::string stem = "results");
  // Reads DIR/<stem>.json back. Throws std::runtime_error with a clear one-line message if it is
  // missing or malformed, or if an iteration row lacks a field (of its type) that the aggregates,
  // the CSV or --resume read.
  static ResultsStore Load(const std::filesystem::path& dir, const std::string& stem = "results");

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
  // Recomputes the aggregate rows (aggregate.h) and the calibration block once, and writes
  // results.json, results.csv and results.txt (results_table.h), each to a temporary file renamed
  // over the old one.
  void Flush() const;

  // The iteration rows followed, per complete cell, by its aggregate rows (Aggregator::Benchmarks).
  nlohmann::json Benchmarks() const;
  // The console table (RenderTable), computed without bootstrap intervals, which it does not show.
  std::string Table() const;

 private:
  std::filesystem::path dir_;
  nlohmann::json context_;
  std::string stem_ = "results";
  std::vector<nlohmann::json> rows_;
  std::set<std::tuple<std::string, std::string, int, int>> keys_;  // (workload, variant, threads, repetition)
  mutable Aggregator aggregator_;  // remembers the aggregates of the cells that did not change
};

}  // namespace ftb::bench
