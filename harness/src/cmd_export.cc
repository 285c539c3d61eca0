// ftbench export DIR: results.json as plain Google Benchmark JSON, for tools that ingest it.
//
// results.json already has Google Benchmark's layout; what some tools cannot take is one row per
// repetition under one name (github-action-benchmark's googlecpp mode keeps one value per name)
// or a time unit that differs between cells or between two sweeps. --aggregates-only keeps the
// aggregate rows (median, mean, stddev, cv, min, max), as Google Benchmark's
// --benchmark_report_aggregates_only does; --time-unit writes every time in one unit.
// docs/results-format.md.
#include <fmt/core.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "results.h"

namespace ftb::cli {
namespace {

struct ExportOptions {
  std::string dir;
  std::string out;  // empty or "-": standard output
  bool aggregates_only = false;
  std::string time_unit;  // empty: each cell's own
};

void Export(const ExportOptions& opts) {
  namespace fs = std::filesystem;
  fs::path file = fs::is_directory(opts.dir) ? fs::path(opts.dir) / "results.json" : fs::path(opts.dir);
  std::ifstream in(file);
  if (!in) throw UsageError("cannot read " + file.string() + " (expected a results directory of `ftbench run`)");
  nlohmann::json doc;
  try {
    doc = bench::ParseResultsJson(in);
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(file.string() + " is not valid JSON (" + e.what() + ")");
  } catch (const std::runtime_error& e) {
    throw UsageError(file.string() + ": " + e.what());
  }
  nlohmann::json exported;
  try {
    exported = bench::ExportGoogleBenchmark(doc, opts.aggregates_only, opts.time_unit);
  } catch (const std::invalid_argument& e) {
    throw UsageError(file.string() + ": " + e.what());
  }
  std::string text = exported.dump(1) + "\n";
  if (opts.out.empty() || opts.out == "-") {
    std::cout << text;
    return;
  }
  std::ofstream out(opts.out, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) throw UsageError("cannot write " + opts.out);
}

}  // namespace

void AddExportCommand(CLI::App& app) {
  auto opts = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "export", "results.json as plain Google Benchmark JSON (for tools such as github-action-benchmark)");
  cmd->add_option("dir", opts->dir, "results directory of `ftbench run` (or its results.json)")->required();
  cmd->add_option("--out", opts->out, "file to write (default: standard output)");
  cmd->add_flag("--aggregates-only", opts->aggregates_only,
                "only the aggregate rows (median, mean, stddev, cv, min, max), one row per name");
  cmd->add_option("--time-unit", opts->time_unit, "write every time in this unit (default: each cell's own)")
      ->check(CLI::IsMember({"ns", "us", "ms", "s"}));
  cmd->callback([opts] { Export(*opts); });
}

}  // namespace ftb::cli
