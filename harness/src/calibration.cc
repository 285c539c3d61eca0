#include "calibration.h"

#include <fmt/core.h>
#include <sched.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "statistics.h"

namespace ftb::bench {
using nlohmann::json;

namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

rusage ThreadUsage() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return usage;
}

// Per thread, so that no two threads compute the same chain (nothing a core could share).
std::uint64_t SeedFor(int index) { return 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(index + 1); }

}  // namespace

bool IsCalibration(const std::string& workload, const std::string& variant) {
  return workload == kCalibrationWorkload && variant == kCalibrationVariant;
}

std::uint64_t CalibrationIterations(std::int64_t size, int threads, int index, Scaling scaling) {
  const auto total = static_cast<std::uint64_t>(std::max<std::int64_t>(size, 1));
  if (scaling == Scaling::kWeak) return total;
  const auto n = static_cast<std::uint64_t>(threads);
  const auto i = static_cast<std::uint64_t>(index);
  return total / n + (i < total % n ? 1 : 0);
}

std::uint64_t CalibrationKernel(std::uint64_t seed, std::uint64_t iterations) {
  std::uint64_t x = seed | 1;  // xorshift's state must not be 0
  for (std::uint64_t k = 0; k < iterations; ++k) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    // A compiler barrier: x must be in a register after every step, so the loop is neither
    // folded, unrolled into a closed form nor vectorised; it emits no instruction of its own.
    asm volatile("" : "+r"(x));
  }
  return x;
}

CellRecord RunCalibration(int threads, std::int64_t size, Scaling scaling, const BindFn& bind) {
  CellRecord record;
  record.variant = kCalibrationVariant;
  record.workload = kCalibrationWorkload;
  record.config.threads = threads;
  record.config.size = size;
  record.config.scaling = scaling;
  record.threads.resize(static_cast<std::size_t>(threads));

  using Clock = std::chrono::steady_clock;
  std::atomic<Clock::rep> start_ticks{0};
  std::vector<Clock::time_point> finish(record.threads.size());
  std::vector<std::uint64_t> states(record.threads.size());
  std::barrier start_line(threads, [&]() noexcept { start_ticks = Clock::now().time_since_epoch().count(); });
  std::vector<std::thread> workers;
  workers.reserve(record.threads.size());
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&, i] {
      const auto slot = static_cast<std::size_t>(i);
      ThreadRecord& mine = record.threads[slot];
      mine.cpu_placed = bind ? bind(i) : -1;
      const std::uint64_t iterations = CalibrationIterations(size, threads, i, scaling);
      start_line.arrive_and_wait();
      const double cpu0 = ThreadCpuSeconds();
      const rusage u0 = ThreadUsage();
      states[slot] = CalibrationKernel(SeedFor(i), iterations);
      finish[slot] = Clock::now();
      const rusage u1 = ThreadUsage();
      mine.cpu_seconds = ThreadCpuSeconds() - cpu0;
      mine.voluntary_switches = u1.ru_nvcsw - u0.ru_nvcsw;
      mine.involuntary_switches = u1.ru_nivcsw - u0.ru_nivcsw;
      mine.cpu_observed = sched_getcpu();
      mine.work_units = iterations;
    });
  }
  for (auto& w : workers) w.join();
  const Clock::time_point start{Clock::duration(start_ticks.load())};
  Clock::time_point last = start;
  for (const auto& f : finish) last = std::max(last, f);
  record.wall_seconds = std::chrono::duration<double>(last - start).count();
  for (std::uint64_t s : states) record.checksum ^= s;
  return record;
}

json CalibrationBlock(const std::vector<json>& rows, std::uint64_t seed, double threshold) {
  // repetition -> threads -> (wall seconds, units)
  std::map<int, std::map<int, std::pair<double, double>>> rounds;
  std::int64_t size = 0;
  std::string scaling, placement;
  for (const json& r : rows) {
    if (!IsCalibration(r.value("workload", ""), r.value("variant", ""))) continue;
    rounds[r["repetition_index"].get<int>()][r["threads"].get<int>()] = {r["wall_seconds"].get<double>(),
                                                                         r["units"].get<double>()};
    size = r.value("size", std::int64_t{0});
    scaling = r.value("scaling", "");
    placement = r.value("placement", "");
  }
  if (rounds.empty()) return nullptr;
  json round_list = json::array();
  std::map<int, std::vector<double>> speedups;  // threads -> per-round speedups
  std::vector<int> flagged;
  for (const auto& [rep, by_threads] : rounds) {
    auto one = by_threads.find(1);
    json speedup = json::object(), efficiency = json::object();
    json lowest = nullptr;
    if (one != by_threads.end() && one->second.first > 0) {
      for (const auto& [n, run] : by_threads) {
        if (run.first <= 0 || one->second.second <= 0) continue;
        const double s = (run.second / one->second.second) * one->second.first / run.first;
        speedup[std::to_string(n)] = s;
        efficiency[std::to_string(n)] = s / n;
        speedups[n].push_back(s);
        if (n > 1 && (lowest.is_null() || s / n < lowest.get<double>())) lowest = s / n;
      }
    }
    const bool below = !lowest.is_null() && lowest.get<double>() < threshold;
    if (below) flagged.push_back(rep);
    round_list.push_back({{"repetition", rep},
                          {"wall_seconds", [&by_threads = by_threads] {  // clang 14: no binding captures
                             json w = json::object();
                             for (const auto& [n, run] : by_threads) w[std::to_string(n)] = run.first;
                             return w;
                           }()},
                          {"speedup", speedup},
                          {"efficiency", efficiency},
                          {"lowest_efficiency", lowest},
                          {"flagged", below}});
  }
  json per_threads = json::object();
  for (const auto& [n, values] : speedups) {
    stats::Interval ci = stats::BootstrapMedianCI(values, seed ^ static_cast<std::uint64_t>(n) * 0x51ED27ULL);
    const double median = stats::Median(values);
    per_threads[std::to_string(n)] = {{"rounds", values.size()},
                                      {"speedup", {{"value", median}, {"ci_low", ci.low}, {"ci_high", ci.high}}},
                                      {"efficiency", median / n}};
  }
  return {{"workload", kCalibrationWorkload},
          {"variant", kCalibrationVariant},
          {"kernel", "xorshift64, one dependent step per iteration, in registers, per thread"},
          {"size", size},
          {"scaling", scaling},
          {"placement", placement},
          {"speedup_definition", "(units_n / units_1) * t_1 / t_n within one repetition round; ideal = threads"},
          {"threshold", threshold},
          {"flagged_rounds", flagged},
          {"rounds", round_list},
          {"threads", per_threads}};
}

void AnnotateWithCalibration(json& benchmarks, const json& block) {
  if (block.is_null()) return;
  std::map<int, json> per_round;  // repetition -> {threads: speedup}
  for (const json& round : block["rounds"]) per_round[round["repetition"].get<int>()] = round["speedup"];
  for (json& row : benchmarks) {
    if (IsCalibration(row.value("workload", ""), row.value("variant", ""))) continue;
    const std::string n = std::to_string(row["threads"].get<int>());
    if (row.value("run_type", "") == "iteration") {
      auto round = per_round.find(row["repetition_index"].get<int>());
      row["machine_speedup"] = round != per_round.end() && round->second.contains(n) ? round->second[n] : json(nullptr);
      continue;
    }
    if (row.value("aggregate_name", "") != "median") continue;
    if (!block["threads"].contains(n)) {
      row["machine_speedup"] = nullptr;
      row["efficiency_vs_machine"] = nullptr;
      continue;
    }
    const json& machine = block["threads"][n]["speedup"];
    row["machine_speedup"] = machine;
    const json& speedup = row.value("speedup", json(nullptr));
    if (speedup.is_null() || machine["value"].get<double>() <= 0 || machine["ci_low"].get<double>() <= 0) {
      row["efficiency_vs_machine"] = nullptr;
      continue;
    }
    row["efficiency_vs_machine"] = {
        {"value", speedup["value"].get<double>() / machine["value"].get<double>()},
        {"ci_low", speedup["ci_low"].get<double>() / machine["ci_high"].get<double>()},
        {"ci_high", speedup["ci_high"].get<double>() / machine["ci_low"].get<double>()}};
  }
}

std::string CalibrationSummary(const json& block) {
  if (block.is_null()) return "";
  std::string out = "\nmachine calibration (a pure-CPU kernel, no runtime): speedup per thread count, median over rounds\n";
  std::vector<int> counts;
  for (const auto& [n, entry] : block["threads"].items()) counts.push_back(std::stoi(n));
  std::sort(counts.begin(), counts.end());
  for (int count : counts) {
    if (count == 1) continue;
    const std::string n = std::to_string(count);
    const json& entry = block["threads"][n];
    const json& s = entry["speedup"];
    out += fmt::format("  {:>4} threads: {:.2f} [{:.2f}, {:.2f}], efficiency {:.2f} ({} rounds)\n", n,
                       s["value"].get<double>(), s["ci_low"].get<double>(), s["ci_high"].get<double>(),
                       entry["efficiency"].get<double>(), entry["rounds"].get<std::size_t>());
  }
  out += fmt::format("  rounds below {:.2f} machine efficiency: {} of {}\n", block["threshold"].get<double>(),
                     block["flagged_rounds"].size(), block["rounds"].size());
  return out;
}

}  // namespace ftb::bench
