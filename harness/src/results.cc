#include "results.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

#include "calibration.h"
#include "cell_json.h"
#include "statistics.h"

namespace ftb::bench {
namespace fs = std::filesystem;
using nlohmann::json;

std::string RunName(const std::string& workload, const std::string& variant, int threads, const std::string& scaling,
                    const std::string& placement) {
  return fmt::format("{}/{}/threads:{}/{}/{}", workload, variant, threads, scaling, placement);
}

namespace {

constexpr double kMsPerSecond = 1000.0;
constexpr double kVariationWarning = 0.05;  // a cell varying more than 5% is flagged
// A cell whose median is under this is dominated by what does not scale with the size: one
// preemption (a scheduler time slice is 1-4 ms on Linux's default settings), a thread's wake-up
// after the start barrier, page faults of the first touch. 5 ms keeps one such event under ~20%
// of the cell; steady_clock's resolution (ns) is not the limit. docs/results-format.md.
constexpr double kShortCellSeconds = 0.005;

// Google Benchmark's time units, largest first, and how many of each make a second.
constexpr std::pair<const char*, double> kTimeUnits[] = {{"s", 1.0}, {"ms", 1e3}, {"us", 1e6}, {"ns", 1e9}};

double UnitsPerSecond(const std::string& unit) {
  for (const auto& [name, per_second] : kTimeUnits)
    if (unit == name) return per_second;
  throw std::runtime_error("unknown time_unit " + unit);
}

// The unit for a cell whose median wall time is `seconds`: the largest in which the median is at
// least 1000, so that compare.py (which prints times with no decimals) shows four significant
// digits or more. The boundaries are 1 ms, 1 s and 1000 s: the first is inside the short-cell
// warning, so most cells of a sweep keep their unit from one sweep to the next.
std::pair<const char*, double> CellTimeUnit(double seconds) {
  for (const auto& unit : kTimeUnits)
    if (seconds * unit.second >= 1000.0) return unit;
  return kTimeUnits[std::size(kTimeUnits) - 1];
}

// A row's real_time or cpu_time in seconds, whatever its time_unit.
double Seconds(const json& row, const char* field) {
  return row.at(field).get<double>() / UnitsPerSecond(row.value("time_unit", "ms"));
}

void WriteAtomically(const fs::path& path, const std::string& text) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
}

json LatencySummary(std::vector<double> latencies) {
  if (latencies.empty()) return nullptr;
  return {{"count", latencies.size()},
          {"p50", stats::Percentile(latencies, 50)},
          {"p90", stats::Percentile(latencies, 90)},
          {"p99", stats::Percentile(latencies, 99)},
          {"p999", stats::Percentile(latencies, 99.9)},
          {"max", stats::Max(latencies)}};
}

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

json ExportGoogleBenchmark(const json& doc, bool aggregates_only, const std::string& time_unit) {
  if (!doc.is_object() || !doc.contains("benchmarks") || !doc["benchmarks"].is_array())
    throw std::invalid_argument("no \"benchmarks\" list: not a results file of `ftbench run`");
  json out = {{"context", doc.value("context", json::object())}, {"benchmarks", json::array()}};
  for (const json& row : doc["benchmarks"]) {
    if (aggregates_only && row.value("run_type", "iteration") != "aggregate") continue;
    json copy = row;
    if (!time_unit.empty() && row.value("aggregate_unit", "time") == "time") {
      try {
        copy["real_time"] = Seconds(row, "real_time") * UnitsPerSecond(time_unit);
        copy["cpu_time"] = Seconds(row, "cpu_time") * UnitsPerSecond(time_unit);
      } catch (const std::exception& e) {
        throw std::invalid_argument(row.value("name", "a row") + ": " + e.what());
      }
    }
    if (!time_unit.empty()) copy["time_unit"] = time_unit;
    out["benchmarks"].push_back(std::move(copy));
  }
  return out;
}

// ---- memory and noise (docs/results-format.md, "Memory" and "Noise figure") ----

constexpr const char* kMemoryFields[] = {"rss_before_setup", "rss_after_setup", "rss_setup_growth", "peak_rss",
                                         "live_bytes_setup", "live_bytes_peak", "allocated_bytes"};

// Whether `m` has the shape MemoryAggregate reads (a resumed file is checked before it is used).
static bool ValidMemory(const json& m) {
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

json ParseResultsJson(std::istream& in) {
  return json::parse(in, [](int depth, json::parse_event_t, json&) {
    if (depth > kMaxJsonDepth)
      throw std::runtime_error(fmt::format("it nests deeper than {} levels, which no results file does", kMaxJsonDepth));
    return true;
  });
}

ResultsStore::ResultsStore(fs::path dir, json context) : dir_(std::move(dir)), context_(std::move(context)) {}

ResultsStore ResultsStore::Load(const fs::path& dir) {
  fs::path file = dir / "results.json";
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot resume: " + file.string() + " does not exist");
  json doc;
  try {
    doc = ParseResultsJson(in);
  } catch (const json::exception& e) {
    throw std::runtime_error("cannot resume: " + file.string() + " is not valid JSON (" + e.what() + ")");
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("cannot resume: " + file.string() + ": " + e.what());
  }
  if (!doc.is_object() || !doc.contains("context") || !doc["context"].is_object() || !doc["context"].contains("ftbench") ||
      !doc["context"]["ftbench"].is_object() || !doc.contains("benchmarks") || !doc["benchmarks"].is_array())
    throw std::runtime_error("cannot resume: " + file.string() + " is not an ftbench results file");
  const json& ft = doc["context"]["ftbench"];
  if (!ft.contains("schema_version") || ft["schema_version"] != kSchemaVersion)
    throw std::runtime_error("cannot resume: " + file.string() + " has another schema version");
  if (ft.contains("pus") && !ft["pus"].is_number_integer())
    throw std::runtime_error("cannot resume: " + file.string() + ": context.ftbench.pus is not an integer");
  // What Benchmarks(), Flush() and RunSweep read of an iteration row.
  static const std::vector<std::pair<const char*, json::value_t>> kFields = {
      {"workload", json::value_t::string},        {"variant", json::value_t::string},
      {"threads", json::value_t::number_integer}, {"repetition_index", json::value_t::number_integer},
      {"run_name", json::value_t::string},        {"category", json::value_t::string},
      {"placement", json::value_t::string},       {"scaling", json::value_t::string},
      {"checksum", json::value_t::string},        {"wall_seconds", json::value_t::number_float},
      {"cpu_time", json::value_t::number_float},  {"units", json::value_t::number_float},
      {"throughput", json::value_t::number_float}, {"fairness_jain", json::value_t::number_float},
      {"leaked_objects", json::value_t::number_integer}, {"busy", json::value_t::boolean},
      {"placement_ok", json::value_t::boolean},   {"counters", json::value_t::object},
  };
  auto has = [](const json& row, const char* field, json::value_t type) {
    auto it = row.find(field);
    if (it == row.end()) return false;
    if (type == json::value_t::number_float) return it->is_number();
    if (type == json::value_t::number_integer)
      return it->is_number_integer() && it->get<std::int64_t>() >= std::numeric_limits<int>::min() &&
             (it->is_number_unsigned() ? it->get<std::uint64_t>() <= std::numeric_limits<int>::max()
                                       : it->get<std::int64_t>() <= std::numeric_limits<int>::max());
    return it->type() == type;
  };
  ResultsStore store(dir, doc["context"]);
  const json& benchmarks = doc["benchmarks"];
  for (std::size_t i = 0; i < benchmarks.size(); ++i) {
    const json& row = benchmarks[i];
    if (!row.is_object()) throw std::runtime_error(fmt::format("cannot resume: {}: benchmarks[{}] is not an object", file.string(), i));
    auto type = row.find("run_type");
    if (type == row.end() || *type != "iteration") continue;
    auto bad = [&](const std::string& what) {
      return std::runtime_error(fmt::format("cannot resume: {}: benchmarks[{}]: {}", file.string(), i, what));
    };
    for (const auto& [field, t] : kFields)
      if (!has(row, field, t))
        throw bad(fmt::format("'{}' is missing or not {}", field,
                              t == json::value_t::number_float     ? "a number"
                              : t == json::value_t::number_integer ? "an integer"
                              : t == json::value_t::string         ? "a string"
                              : t == json::value_t::boolean        ? "true or false"
                                                                   : "an object"));
    if (auto memory = row.find("memory"); memory != row.end() && !ValidMemory(*memory))
      throw bad("'memory' is not an object of the memory figures (docs/results-format.md)");
    if (auto unit = row.find("time_unit"); unit != row.end()) {
      bool known = unit->is_string() && std::any_of(std::begin(kTimeUnits), std::end(kTimeUnits),
                                                     [&](const auto& u) { return *unit == u.first; });
      if (!known) throw bad("'time_unit' is not one of s, ms, us, ns");
    }
    for (const auto& [name, value] : row["counters"].items())
      if (!value.is_number()) throw bad(fmt::format("counter '{}' is not a number", name));
    if (row.contains("instructions") && !row["instructions"].is_number()) throw bad("'instructions' is not a number");
    if (row.contains("latency_ns")) {
      const json& lat = row["latency_ns"];
      for (const char* p : {"p50", "p90", "p99", "p999", "max"})
        if (!lat.is_object() || !lat.contains(p) || !lat[p].is_number())
          throw bad(fmt::format("latency_ns.{} is missing or not a number", p));
    }
    store.keys_.emplace(row["workload"].get<std::string>(), row["variant"].get<std::string>(), row["threads"].get<int>(),
                        row["repetition_index"].get<int>());
    store.rows_.push_back(row);
  }
  return store;
}

bool ResultsStore::Has(const RunKey& key) const {
  return keys_.count({key.workload, key.variant, key.threads, key.repetition}) != 0;
}

void ResultsStore::Add(const RunKey& key, const std::string& category, const CellRecord& record, double load_avg_1m,
                       int other_runnable, int pus) {
  const json& ft = context_["ftbench"];
  std::string scaling = ft["scaling"], placement = ft["placement"];
  std::string run_name = RunName(key.workload, key.variant, key.threads, scaling, placement);
  double cpu = 0;
  std::uint64_t units = 0;
  std::vector<double> thread_cpu, shares, latencies;
  std::vector<int> placed, observed;
  std::int64_t voluntary = 0, involuntary = 0;
  bool placement_ok = true;
  for (const ThreadRecord& t : record.threads) {
    cpu += t.cpu_seconds;
    units += t.work_units;
    thread_cpu.push_back(t.cpu_seconds);
    shares.push_back(static_cast<double>(t.work_units));
    placed.push_back(t.cpu_placed);
    observed.push_back(t.cpu_observed);
    voluntary += t.voluntary_switches;
    involuntary += t.involuntary_switches;
    if (t.cpu_placed >= 0 && t.cpu_observed != t.cpu_placed) placement_ok = false;
    latencies.insert(latencies.end(), t.latencies_ns.begin(), t.latencies_ns.end());
  }
  json row = {
      {"name", run_name},
      {"run_name", run_name},
      {"run_type", "iteration"},
      {"family_index", 0},
      {"per_family_instance_index", 0},
      {"repetitions", ft["repetitions"]},
      {"repetition_index", key.repetition},
      {"threads", key.threads},
      {"iterations", 1},
      {"real_time", record.wall_seconds * kMsPerSecond},
      {"cpu_time", cpu * kMsPerSecond},
      {"time_unit", "ms"},
      {"variant", key.variant},
      {"workload", key.workload},
      {"category", category},
      {"placement", placement},
      {"scaling", scaling},
      {"size", record.config.size},
      {"checksum", fmt::format("{:#x}", record.checksum)},
      {"units", units},
      {"throughput", record.wall_seconds > 0 ? static_cast<double>(units) / record.wall_seconds : 0.0},
      {"wall_seconds", record.wall_seconds},
      {"thread_cpu_seconds", thread_cpu},
      {"work_units", shares},
      {"fairness_jain", stats::JainIndex(shares)},
      {"context_switches", {{"voluntary", voluntary}, {"involuntary", involuntary}}},
      {"cpu_placed", placed},
      {"cpu_observed", observed},
      {"placement_ok", placement_ok},
      {"leaked_objects", record.leaked_objects},
      {"gil_enabled", record.gil_enabled_after},
      {"load_avg_1m", load_avg_1m},
      {"other_runnable", other_runnable},
      // Busy: more other tasks wanted a core than the cores this cell left idle. (The load average
      // itself counts the sweep's own threads, so it cannot tell.)
      {"busy", other_runnable > std::max(0, pus - key.threads)},
      {"counters", record.counters},
      {"memory", MemoryToJson(record.memory)},
  };
  // Google Benchmark writes user counters as top-level numbers: so does ftbench, beside "counters".
  for (const auto& [name, value] : record.counters) row[name] = value;
  if (json lat = LatencySummary(std::move(latencies)); !lat.is_null()) row["latency_ns"] = lat;
  if (record.instructions > 0) row["instructions"] = record.instructions;
  rows_.push_back(std::move(row));
  keys_.emplace(key.workload, key.variant, key.threads, key.repetition);
}

json ResultsStore::Benchmarks() const { return Aggregated(true); }

json ResultsStore::Aggregated(bool intervals) const {
  const json& ft = context_["ftbench"];
  const int repetitions = ft["repetitions"];
  const std::uint64_t seed = ft["seed"];
  std::map<std::string, Cell> cells;
  std::vector<std::string> order;
  for (const json& row : rows_) {
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
    for (const json* r : cell.rows) cpu.push_back(Seconds(*r, "cpu_time"));
    // One unit for every row of the cell: compare.py pairs and tests only rows of the same unit.
    const auto [unit, per_second] = CellTimeUnit(stats::Median(times));
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
    if (auto hit = aggregate_cache_.find(key); intervals && hit != aggregate_cache_.end() && hit->second.first == signature) {
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
    // unit and per_second are captured by name: clang 14 cannot capture a structured binding.
    auto aggregate = [&, &unit = unit, &per_second = per_second](
                         const std::string& name, const std::function<double(const std::vector<double>&)>& stat,
                         bool is_time) {
      json row = first;
      for (const char* drop : {"repetition_index", "thread_cpu_seconds", "work_units", "cpu_placed", "cpu_observed",
                               "context_switches", "latency_ns", "load_avg_1m", "other_runnable", "busy",
                               "fairness_jain", "placement_ok", "leaked_objects", "gil_enabled", "throughput",
                               "instructions", "memory"})
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
    if (threads > context_["ftbench"].value("pus", 1)) warnings.push_back("oversubscribed: more threads than PUs");
    median["warnings"] = warnings;

    std::vector<json> rows = {
        std::move(median),
        aggregate("mean", [](const std::vector<double>& v) { return stats::Mean(v); }, true),
        aggregate("stddev", [](const std::vector<double>& v) { return stats::StandardDeviation(v); }, true),
        aggregate("cv", [](const std::vector<double>& v) { return stats::CoefficientOfVariation(v); }, false),
        aggregate("min", [](const std::vector<double>& v) { return stats::Min(v); }, true),
        aggregate("max", [](const std::vector<double>& v) { return stats::Max(v); }, true)};
    for (const json& row : rows) out.push_back(row);
    if (intervals) aggregate_cache_[key] = {signature, std::move(rows)};
  }
  AnnotateWithCalibration(out, CalibrationBlock(rows_, seed));
  return out;
}

std::string ResultsStore::Table() const {
  if (context_["ftbench"].value("mode", "time") == "instructions") {
    // run --instructions: the count is the measurement; wall time under valgrind means little.
    std::string out = fmt::format("{:<20} {:<7} {:>4} {:>16} {:>12}\n", "workload", "variant", "thr", "instructions",
                                  "vs gil 1t");
    std::map<std::string, double> gil;
    json benchmarks = Aggregated(false);
    for (const json& row : benchmarks)
      if (row.value("aggregate_name", "") == "median" && row["variant"] == "gil" && row.contains("instructions"))
        gil[row["workload"]] = row["instructions"];
    for (const json& row : benchmarks) {
      if (row.value("aggregate_name", "") != "median" || !row.contains("instructions")) continue;
      double count = row["instructions"];
      auto base = gil.find(row["workload"]);
      out += fmt::format("{:<20} {:<7} {:>4} {:>16.0f} {:>12}\n", row["workload"].get<std::string>(),
                         row["variant"].get<std::string>(), row["threads"].get<int>(), count,
                         base == gil.end() ? "-" : fmt::format("{:.3f}", count / base->second));
    }
    return out;
  }
  std::string out = fmt::format("{:<20} {:<7} {:>4} {:>11} {:>6} {:>8} {:>9} {:>9}  {}\n", "workload", "variant",
                                "thr", "median ms", "cv%", "speedup", "vs gil 1t", "overhead", "warnings");
  json benchmarks = Aggregated(false);
  std::map<std::string, double> cvs;
  for (const json& row : benchmarks)
    if (row.value("aggregate_name", "") == "cv") cvs[row["run_name"]] = row["real_time"];
  auto num = [](const json& estimate, const char* fmtstr) {
    return estimate.is_null() ? std::string("-") : fmt::format(fmt::runtime(fmtstr), estimate["value"].get<double>());
  };
  for (const json& row : benchmarks) {
    if (row.value("aggregate_name", "") != "median") continue;
    std::string warnings;
    for (const json& w : row["warnings"]) warnings += (warnings.empty() ? "" : "; ") + w.get<std::string>();
    out += fmt::format("{:<20} {:<7} {:>4} {:>11.2f} {:>6.1f} {:>8} {:>9} {:>9}  {}\n", row["workload"].get<std::string>(),
                       row["variant"].get<std::string>(), row["threads"].get<int>(), row["wall_seconds"].get<double>() * kMsPerSecond,
                       cvs[row["run_name"]] * 100, num(row["speedup"], "{:.2f}"), num(row["speedup_vs_gil_1t"], "{:.2f}"),
                       num(row["overhead_vs_gil"], "{:.3f}"), warnings);
  }
  if (json noise = NoiseFigure(benchmarks); noise["median_cell_cv"].is_number())
    out += fmt::format("noise: median cell CV {:.1f}%, p90 {:.1f}% (robust CV, {} cells)\n",
                       noise["median_cell_cv"].get<double>() * 100, noise["p90_cell_cv"].get<double>() * 100,
                       noise["cells"].get<int>());
  return out + CalibrationSummary(CalibrationBlock(rows_, context_["ftbench"]["seed"]));
}

void ResultsStore::Flush() const {
  fs::create_directories(dir_);
  json benchmarks = Benchmarks();
  json context = context_;
  context["noise"] = NoiseFigure(benchmarks);
  json doc = {{"context", context}, {"benchmarks", benchmarks}};
  if (json block = CalibrationBlock(rows_, context_["ftbench"]["seed"]); !block.is_null()) doc["calibration"] = block;
  WriteAtomically(dir_ / "results.json", doc.dump(1) + "\n");

  std::ostringstream csv;
  csv << "workload,variant,category,threads,placement,scaling,repetition,wall_seconds,cpu_seconds,units,throughput,"
         "checksum,fairness_jain,leaked_objects\n";
  for (const json& r : rows_) {
    csv << r["workload"].get<std::string>() << ',' << r["variant"].get<std::string>() << ','
        << r["category"].get<std::string>() << ',' << r["threads"] << ',' << r["placement"].get<std::string>() << ','
        << r["scaling"].get<std::string>() << ',' << r["repetition_index"] << ',' << r["wall_seconds"] << ','
        << Seconds(r, "cpu_time") << ',' << r["units"] << ',' << r["throughput"] << ','
        << r["checksum"].get<std::string>() << ',' << r["fairness_jain"] << ',' << r["leaked_objects"] << '\n';
  }
  WriteAtomically(dir_ / "results.csv", csv.str());
  WriteAtomically(dir_ / "results.txt", Table());
}

}  // namespace ftb::bench
