// ftbench micro: the primitive benchmarks (micro/), run in-process with Google Benchmark.
//
// What one reference-count change, one lock acquire and one global-lock switch cost, for every
// variant. Writes Google Benchmark's JSON (with its context block: host, CPUs, caches) to
// DIR/micro.json and prints the console table. docs/primitives.md is made from that file by
// micro/tools/primitives_table.py.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <fmt/core.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "options.h"

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

// What an interrupted or failed micro run must undo, in plain storage: the signal handler reads it
// (unlink, rmdir, write and _exit are async-signal-safe; nothing else is called there).
struct Cleanup {
  char partial[4096] = "";                 // the JSON being written; removed
  char created[8][4096] = {};              // directories this run created, deepest first; removed if empty
  int created_count = 0;
};
Cleanup g_cleanup;

void UndoPartialOutput() {
  if (g_cleanup.partial[0] != '\0') ::unlink(g_cleanup.partial);
  for (int i = 0; i < g_cleanup.created_count; ++i) ::rmdir(g_cleanup.created[i]);
}

extern "C" void OnInterrupt(int signal) {
  UndoPartialOutput();
  constexpr char kMessage[] = "\nftbench micro: interrupted; the previous micro.json (if any) is unchanged\n";
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  ::_exit(128 + signal);
}

// Creates `dir` and its missing parents, noting each one created so that a failed run removes them.
void CreateOutputDirectory(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> missing;
  std::error_code ec;
  for (std::filesystem::path p = dir; !p.empty() && !std::filesystem::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UsageError("--out " + dir.string() + ": cannot create the directory: " + ec.message());
  if (!std::filesystem::is_directory(dir, ec)) throw UsageError("--out " + dir.string() + ": not a directory");
  for (const std::filesystem::path& p : missing) {
    if (g_cleanup.created_count == 8 || p.string().size() >= sizeof g_cleanup.created[0]) break;
    std::strcpy(g_cleanup.created[g_cleanup.created_count++], p.c_str());
  }
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
  const std::filesystem::path json = dir / "micro.json";
  // Google Benchmark writes its JSON as it goes: into a temporary name, renamed when complete, so
  // that an interrupt or a failure leaves the previous micro.json (or none) as it was.
  const std::filesystem::path partial = dir / fmt::format(".micro.json.{}.partial", getpid());
  if (partial.string().size() >= sizeof g_cleanup.partial) throw UsageError("--out " + dir.string() + ": path too long");
  CreateOutputDirectory(dir);
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    throw UsageError("--out " + dir.string() + ": cannot write into the directory: " + std::strerror(errno));
  std::strcpy(g_cleanup.partial, partial.c_str());
  struct UndoOnFailure {  // a failure or no benchmark run: nothing left behind
    bool done = false;
    ~UndoOnFailure() {
      if (!done) UndoPartialOutput();
    }
  } undo;
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) std::signal(signal, OnInterrupt);

  std::vector<std::string> args = {
      "ftbench micro",
      "--benchmark_filter=" + opts.filter,
      "--benchmark_min_time=" + std::to_string(opts.min_time),
      "--benchmark_repetitions=" + std::to_string(opts.repetitions),
      "--benchmark_out=" + partial.string(),
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
  if (ran == 0) throw UsageError("--filter '" + opts.filter + "' matches no benchmark (see micro/src/*.cc for the names)");
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) std::signal(signal, SIG_DFL);
  std::error_code ec;
  std::filesystem::rename(partial, json, ec);
  if (ec) throw UsageError("cannot write " + json.string() + ": " + ec.message());
  undo.done = true;
  std::fprintf(stderr, "ftbench micro: %zu benchmarks, results in %s\n", ran, json.string().c_str());
}

}  // namespace

void AddMicroCommand(CLI::App& app) {
  auto opts = std::make_shared<MicroOptions>();
  CLI::App* cmd = app.add_subcommand(
      "micro", "Primitive benchmarks (reference counts, locks, global-lock switches) for every variant, with Google Benchmark");
  cmd->add_option("--out", opts->out_dir, "directory for micro.json (default results/<date>-<host>-micro)");
  cmd->add_option("--filter", opts->filter, "regular expression selecting benchmarks by name, e.g. 'refcount|lock/ftb'");
  cmd->add_option("--min-time", opts->min_time, "minimum seconds per benchmark (Google Benchmark's min_time)")
      ->check(PositiveNumber(3600));
  cmd->add_option("--repetitions", opts->repetitions, "runs of each benchmark; with more than 1 the console shows mean, median, stddev, cv")
      ->check(WholeNumber(1, 1000));
  cmd->callback([opts] { RunMicro(*opts); });
}

}  // namespace ftb::cli
