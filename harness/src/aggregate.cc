#include "aggregate.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <tuple>

#include "calibration.h"
#include "statistics.h"

namespace ftb::bench {
using nlohmann::json;

namespace {

// Google Benchmark's time units, largest first, and how many of each make a second.
constexpr std::pair<const char*, double> kTimeUnits[] = {{"s", 1.0}, {"ms", 1e3}, {"us", 1e6}, {"ns", 1e9}};

}  // namespace

double UnitsPerSecond(const std::string& unit) {
  for (const auto& [name, per_second] : kTimeUnits)
    if (unit == name) return per_second;
  throw std::runtime_error("unknown time_unit " + unit);
}

bool IsTimeUnit(const std::string& unit) {
  return std::any_of(std::begin(kTimeUnits), std::end(kTimeUnits), [&](const auto& u) { return unit == u.first; });
}

double RowSeconds(const json& row, const char* field) {
  return row.at(field).get<double>() / UnitsPerSecond(row.value("time_unit", "ms"));
}

namespace {

// The unit for a cell whose median wall time is `seconds`: the largest in which the median is at
// least 1000, so that compare.py (which prints times with no decimals) shows four significant
// digits or more. The boundaries are 1 ms, 1 s and 1000 s: the first is inside the short-cell
// warning, so most cells of a sweep keep their unit from one sweep to the next.
std::pair<const char*, double> CellTimeUnit(double seconds) {
  for (const auto& unit : kTimeUnits)
    if (seconds * unit.second >= 1000.0) return unit;
  return kTimeUnits[std::size(kTimeUnits) - 1];
}

constexpr double kMsPerSecond = 1000.0;
constexpr double kVariationWarning = 0.05;  // a cell varying more than 5% is flagged
// A cell whose median is under this is dominated by what does not scale with the size: one
// preemption (a scheduler time slice is 1-4 ms on Linux's default settings), a thread's wake-up
// after the start barrier, page faults of the first touch. 5 ms keeps one such event under ~20%
// of the cell; steady_clock's resolution (ns) is not the limit. docs/results-format.md.
constexpr double kShortCellSeconds = 0.005;

std::uint64_t SeedFor(std::uint64_t base, const std::string& name) { return base ^ std::hash<std::string>{}(name); }

json Estimate(double value, stats::Interval ci) { return {{"value", value}, {"ci_low", ci.low}, {"ci_high", ci.high}}; }

// Everything about a cell that its aggregate rows need.
struct Cell {
  std::string run_name;
  const json* first = nullptr;
  std::vector<const json*> rows;
  std::vector<double> times() const {
    std::vector<double> t;
    for (const json* r : rows) t.push_back(r->at("wall_seconds").get<double>());
    return t;
  }
};

// The noise figure counts cells with at least this many repetitions (compare's noise bound too).
constexpr std::size_t kNoiseMinRepetitions = 3;

std::string CellKey(const std::string& workload, const std::string& variant, int threads) {
  return workload + "|" + variant + "|" + std::to_string(threads);
}

}  // namespace

namespace {
constexpr const char* kMemoryFields[] = {"rss_before_setup", "rss_after_setup", "rss_setup_growth", "peak_rss",
                                         "live_bytes_setup", "live_bytes_peak", "allocated_bytes"};
}  // namespace

bool ValidMemory(const json& m) {
  if (!m.is_object()) return false;
  for (const char* field : kMemoryFields)
    if (!m.contains(field) || !m[field].is_number()) return false;
  if (!m.contains("peak_rss_reset") || !m["peak_rss_reset"].is_boolean()) return false;
  if (!m.contains("allocated") || !m["allocated"].is_object()) return false;
  for (const auto& [kind, a] : m["allocated"].items())
    if (!a.is_object() || !a.contains("objects") || !a["objects"].is_number() || !a.contains("bytes") ||
        !a["bytes"].is_number())
      return false;
  return true;
}

json MemoryAggregate(const std::vector<const json*>& rows) {
  std::vector<const json*> with;
  for (const json* r : rows)
    if (r->contains("memory")) with.push_back(&r->at("memory"));
  if (with.empty()) return nullptr;
  json out = json::object();
  for (const char* field : kMemoryFields) {
    std::vector<double> values;
    for (const json* m : with) values.push_back(m->at(field).get<double>());
    out[field] = stats::Median(values);
  }
  out["peak_rss_reset"] = std::all_of(with.begin(), with.end(), [](const json* m) { return m->at("peak_rss_reset").get<bool>(); });
  std::map<std::string, std::pair<double, double>> sums;  // kind -> (objects, bytes)
  for (const json* m : with)
    for (const auto& [kind, a] : m->at("allocated").items()) {
      sums[kind].first += a.at("objects").get<double>();
      sums[kind].second += a.at("bytes").get<double>();
    }
  json per_object = json::object(), objects = json::object();
  for (const auto& [kind, sum] : sums) {
    per_object[kind] = sum.second / sum.first;
    objects[kind] = sum.first / static_cast<double>(with.size());
  }
  out["bytes_per_object"] = per_object;
  out["objects_allocated"] = objects;  // mean per run
  return out;
}

json NoiseFigure(const json& benchmarks) {
  std::vector<double> cvs;
  for (const json& row : benchmarks)
    if (row.value("aggregate_name", "") == "median" && row.contains("robust_cv") && row["robust_cv"].is_number() &&
        !IsCalibration(row.value("workload", ""), row.value("variant", "")))
      cvs.push_back(row["robust_cv"].get<double>());
  json out = {{"cells", cvs.size()},
              {"median_cell_cv", nullptr},
              {"p90_cell_cv", nullptr},
              {"cv_definition", "robust CV of each cell's wall times: 1.4826 * median absolute deviation / median; "
                                "cells with at least 3 repetitions; p90 interpolated between closest ranks"}};
  if (!cvs.empty()) {
    out["median_cell_cv"] = stats::Median(cvs);
    out["p90_cell_cv"] = stats::Percentile(cvs, 90);
  }
  return out;
}

json Aggregator::Benchmarks(const std::vector<json>& iteration_rows, const json& ft, const json& calibration,
                             bool intervals) {
  const int repetitions = ft["repetitions"];
  const std::uint64_t seed = ft["seed"];
  std::map<std::string, Cell> cells;
  std::vector<std::string> order;
  for (const json& row : iteration_rows) {
    std::string key = CellKey(row["workload"], row["variant"], row["threads"]);
    auto [it, fresh] = cells.try_emplace(key);
    if (fresh) {
      it->second.run_name = row["run_name"];
      it->second.first = &row;
      order.push_back(key);
    }
    it->second.rows.push_back(&row);
  }
  // Stable, readable order: as the sweep listed workloads, variants and threads.
  auto index_of = [](const json& list, const json& value) {
    for (std::size_t i = 0; i < list.size(); ++i)
      if (list[i] == value) return static_cast<int>(i);
    return static_cast<int>(list.size());
  };
  std::sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
    const json& ra = *cells[a].first;
    const json& rb = *cells[b].first;
    auto ka = std::make_tuple(index_of(ft["workloads"], ra["workload"]), index_of(ft["variants"], ra["variant"]),
                              ra["threads"].get<int>());
    auto kb = std::make_tuple(index_of(ft["workloads"], rb["workload"]), index_of(ft["variants"], rb["variant"]),
                              rb["threads"].get<int>());
    return ka < kb;
  });

  auto find_cell = [&](const json& like, const std::string& variant, int threads) -> const Cell* {
    auto it = cells.find(CellKey(like["workload"], variant, threads));
    if (it == cells.end() || static_cast<int>(it->second.rows.size()) < repetitions) return nullptr;
    return &it->second;
  };

  json out = json::array();
  const bool timed = ft.value("mode", "time") == "time";
  for (const std::string& key : order) {
    Cell& cell = cells[key];
    std::sort(cell.rows.begin(), cell.rows.end(),
              [](const json* a, const json* b) { return a->at("repetition_index") < b->at("repetition_index"); });
    std::vector<double> times = cell.times();
    std::vector<double> cpu;  // seconds
    for (const json* r : cell.rows) cpu.push_back(RowSeconds(*r, "cpu_time"));
    // One unit for every row of the cell: compare.py pairs and tests only rows of the same unit.
    // Plain variables, not a structured binding: the lambdas below capture them (clang 14 cannot
    // capture a structured binding).
    const auto [unit_name, unit_scale] = CellTimeUnit(stats::Median(times));
    const char* const unit = unit_name;
    const double per_second = unit_scale;
    for (std::size_t i = 0; i < cell.rows.size(); ++i) {
      json row = *cell.rows[i];
      row["real_time"] = times[i] * per_second;
      row["cpu_time"] = cpu[i] * per_second;
      row["time_unit"] = unit;
      out.push_back(std::move(row));
    }
    if (static_cast<int>(cell.rows.size()) < repetitions) continue;  // aggregates only when complete

    const json& first = *cell.first;
    // Rows are only ever added, so the cells' sizes tell whether the aggregates changed: a flush
    // recomputes those of the cells that got runs (and of the cells whose ratios use them) only.
    const Cell* one = find_cell(first, first["variant"], 1);
    const Cell* gil_one = find_cell(first, "gil", 1);
    const std::array<std::size_t, 3> signature = {cell.rows.size(), one != nullptr ? one->rows.size() : 0,
                                                  gil_one != nullptr ? gil_one->rows.size() : 0};
    if (auto hit = cache_.find(key); intervals && hit != cache_.end() && hit->second.first == signature) {
      for (const json& row : hit->second.second) out.push_back(row);
      continue;
    }
    // Without intervals (the console table): point estimates only, no bootstrap.
    auto interval = [&](auto bootstrap) {
      return intervals ? bootstrap() : stats::Interval{std::nan(""), std::nan("")};
    };
    std::vector<std::string> counter_names;
    for (const auto& [name, _] : first["counters"].items()) counter_names.push_back(name);
    // An aggregate row: the same fields as an iteration row where they make sense, each the
    // statistic `stat` of the cell's values, so a field has one type in every row.
    auto aggregate = [&](const std::string& name, const std::function<double(const std::vector<double>&)>& stat,
                         bool is_time) {
      json row = first;
      // machine_speedup: the calibration's annotation of an iteration row read back by --resume.
      for (const char* drop : {"repetition_index", "thread_cpu_seconds", "work_units", "cpu_placed", "cpu_observed",
                               "context_switches", "latency_ns", "load_avg_1m", "other_runnable", "busy",
                               "fairness_jain", "placement_ok", "leaked_objects", "gil_enabled", "throughput",
                               "instructions", "memory", "machine_speedup"})
        row.erase(drop);
      row["name"] = cell.run_name + "_" + name;
      row["run_type"] = "aggregate";
      row["aggregate_name"] = name;
      row["aggregate_unit"] = is_time ? "time" : "percentage";
      row["real_time"] = stat(times) * (is_time ? per_second : 1.0);
      row["cpu_time"] = stat(cpu) * (is_time ? per_second : 1.0);
      row["time_unit"] = unit;
      row["wall_seconds"] = stat(times);
      json counters = json::object();
      for (const std::string& counter : counter_names) {
        std::vector<double> values;
        for (const json* r : cell.rows) values.push_back(r->at("counters").value(counter, 0.0));
        counters[counter] = stat(values);
        row[counter] = counters[counter];
      }
      row["counters"] = counters;
      return row;
    };
    auto median_of = [](const std::vector<double>& v) { return stats::Median(v); };
    json median = aggregate("median", median_of, true);

    // Derived metrics (docs/results-format.md), each a median with a bootstrap 95% interval.
    const int threads = first["threads"];
    const double units = first["units"].get<double>();
    const std::uint64_t cell_seed = SeedFor(seed, cell.run_name);
    median["wall_seconds_ci"] =
        Estimate(stats::Median(times), interval([&] { return stats::BootstrapMedianCI(times, cell_seed); }));
    json speedup = nullptr, vs_gil = nullptr, efficiency = nullptr, overhead = nullptr;
    if (one != nullptr) {
      // throughput ratio = (units_n / t_n) / (units_1 / t_1) = (units_n / units_1) * t_1 / t_n
      double scale = units / one->first->at("units").get<double>();
      double value = scale * stats::Median(one->times()) / stats::Median(times);
      stats::Interval ci = interval([&] { return stats::BootstrapRatioCI(one->times(), times, cell_seed + 1); });
      speedup = Estimate(value, {scale * ci.low, scale * ci.high});
      efficiency = Estimate(value / threads, {scale * ci.low / threads, scale * ci.high / threads});
    }
    if (gil_one != nullptr) {
      double scale = units / gil_one->first->at("units").get<double>();
      stats::Interval ci = interval([&] { return stats::BootstrapRatioCI(gil_one->times(), times, cell_seed + 2); });
      vs_gil = Estimate(scale * stats::Median(gil_one->times()) / stats::Median(times), {scale * ci.low, scale * ci.high});
      if (threads == 1) {
        stats::Interval oci = interval([&] { return stats::BootstrapRatioCI(times, gil_one->times(), cell_seed + 3); });
        overhead = Estimate(stats::Median(times) / stats::Median(gil_one->times()), oci);
      }
    }
    median["speedup"] = speedup;
    median["speedup_vs_gil_1t"] = vs_gil;
    median["efficiency"] = efficiency;
    median["overhead_vs_gil"] = overhead;

    if (first.contains("latency_ns")) {
      json lat = json::object();
      for (const char* p : {"p50", "p90", "p99", "p999", "max"}) {
        std::vector<double> values;
        for (const json* r : cell.rows)
          if (r->contains("latency_ns")) values.push_back(r->at("latency_ns").at(p).get<double>());
        if (!values.empty()) lat[p] = stats::Median(values);
      }
      median["latency_ns"] = lat;
    }
    if (first.contains("instructions")) {
      std::vector<double> counts;
      for (const json* r : cell.rows) counts.push_back(r->value("instructions", 0.0));
      median["instructions"] = stats::Median(counts);
    }
    std::vector<double> fairness;
    for (const json* r : cell.rows) fairness.push_back(r->at("fairness_jain").get<double>());
    median["fairness_jain"] = stats::Median(fairness);
    median["robust_cv"] = times.size() >= kNoiseMinRepetitions ? json(stats::RobustCV(times)) : json(nullptr);
    if (json memory = MemoryAggregate(cell.rows); !memory.is_null()) median["memory"] = memory;

    json warnings = json::array();
    double cv = stats::CoefficientOfVariation(times);
    if (cv > kVariationWarning) warnings.push_back(fmt::format("variation {:.1f}% above 5%", cv * 100));
    if (timed && stats::Median(times) < kShortCellSeconds)
      warnings.push_back(fmt::format("short cell: median {:.2f} ms under {:.0f} ms, timing noise dominates; raise "
                                     "the size (--work-scale)",
                                     stats::Median(times) * kMsPerSecond, kShortCellSeconds * kMsPerSecond));
    if (std::any_of(cell.rows.begin(), cell.rows.end(), [](const json* r) { return r->at("busy").get<bool>(); }))
      warnings.push_back("machine busy: other tasks wanted more cores than were idle at a repetition's start");
    if (std::any_of(cell.rows.begin(), cell.rows.end(), [](const json* r) { return !r->at("placement_ok").get<bool>(); }))
      warnings.push_back("placement not honoured: a thread ran on another PU than planned");
    if (threads > ft.value("pus", 1)) warnings.push_back("oversubscribed: more threads than PUs");
    median["warnings"] = warnings;

    std::vector<json> rows = {
        std::move(median),
        aggregate("mean", [](const std::vector<double>& v) { return stats::Mean(v); }, true),
        aggregate("stddev", [](const std::vector<double>& v) { return stats::StandardDeviation(v); }, true),
        aggregate("cv", [](const std::vector<double>& v) { return stats::CoefficientOfVariation(v); }, false),
        aggregate("min", [](const std::vector<double>& v) { return stats::Min(v); }, true),
        aggregate("max", [](const std::vector<double>& v) { return stats::Max(v); }, true)};
    for (const json& row : rows) out.push_back(row);
    if (intervals) cache_[key] = {signature, std::move(rows)};
  }
  AnnotateWithCalibration(out, calibration);
  return out;
}

}  // namespace ftb::bench
