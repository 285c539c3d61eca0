// ftbench micro: the primitive benchmarks (micro/), run in-process with Google Benchmark.
//
// What one reference-count change, one lock acquire and one global-lock switch cost, for every
// variant. Writes Google Benchmark's JSON (with its context block: host, CPUs, caches) to
// DIR/micro.json and prints the console table. docs/primitives.md is made from that file by
// micro/tools/primitives_table.py.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"

namespace ftb::cli {
namespace {

struct MicroOptions {
  std::string out_dir;  // empty: results/<date>-<host>-micro
  std::string filter = ".";
  double min_time = 0.5;  // Google Benchmark's default
  int repetitions = 1;
};

std::string DefaultOutDir() {
  char host[256] = "unknown-host";
  gethostname(host, sizeof host - 1);
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
  return std::string("results/") + date + "-" + host + "-micro";
}

std::string CpuModel() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown";
}

void RunMicro(const MicroOptions& opts) {
  if (!(opts.min_time > 0)) throw UsageError("--min-time must be greater than 0 seconds");
  if (opts.repetitions < 1) throw UsageError("--repetitions must be at least 1");
  // Google Benchmark compiles the filter as an extended regex and, when it cannot, prints an
  // error and runs nothing; catch that here with a usage error instead. A leading '-' negates.
  std::string pattern = opts.filter;
  if (!pattern.empty() && pattern.front() == '-') pattern.erase(0, 1);
  try {
    std::regex check(pattern, std::regex::extended);
  } catch (const std::regex_error& e) {
    throw UsageError("--filter '" + opts.filter + "' is not a valid regular expression: " + e.what());
  }

  const std::filesystem::path dir = opts.out_dir.empty() ? DefaultOutDir() : opts.out_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UsageError("cannot create output directory '" + dir.string() + "': " + ec.message());
  const std::filesystem::path json = dir / "micro.json";

  std::vector<std::string> args = {
      "ftbench micro",
      "--benchmark_filter=" + opts.filter,
      "--benchmark_min_time=" + std::to_string(opts.min_time),
      "--benchmark_repetitions=" + std::to_string(opts.repetitions),
      "--benchmark_out=" + json.string(),
      "--benchmark_out_format=json",
  };
  if (opts.repetitions > 1) args.push_back("--benchmark_display_aggregates_only=true");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  benchmark::Initialize(&argc, argv.data());
  if (benchmark::ReportUnrecognizedArguments(argc, argv.data())) throw std::runtime_error("internal: bad benchmark flags");

  benchmark::AddCustomContext("ftbench_command", InvocationLine());
  benchmark::AddCustomContext("cpu_model", CpuModel());
  benchmark::AddCustomContext("hardware_threads", std::to_string(std::thread::hardware_concurrency()));
  benchmark::AddCustomContext("gil_switch_interval_us", "5000 (CPython's default, unchanged)");

  std::size_t ran = benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (ran == 0) {
    std::filesystem::remove(json, ec);
    throw UsageError("--filter '" + opts.filter + "' matches no benchmark (see micro/src/*.cc for the names)");
  }
  std::fprintf(stderr, "ftbench micro: %zu benchmarks, results in %s\n", ran, json.string().c_str());
}

}  // namespace

void AddMicroCommand(CLI::App& app) {
  auto opts = std::make_shared<MicroOptions>();
  CLI::App* cmd = app.add_subcommand(
      "micro", "Primitive benchmarks (reference counts, locks, global-lock switches) for every variant, with Google Benchmark");
  cmd->add_option("--out", opts->out_dir, "directory for micro.json (default results/<date>-<host>-micro)");
  cmd->add_option("--filter", opts->filter, "regular expression selecting benchmarks by name, e.g. 'refcount|lock/ftb'");
  cmd->add_option("--min-time", opts->min_time, "minimum seconds per benchmark (Google Benchmark's min_time)");
  cmd->add_option("--repetitions", opts->repetitions, "runs of each benchmark; with more than 1 the console shows mean, median, stddev, cv");
  cmd->callback([opts] { RunMicro(*opts); });
}

}  // namespace ftb::cli
