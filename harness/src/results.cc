#include "results.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>

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
constexpr double kVariationWarning = 0.05;  // the 5%

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

// ---- memory and noise (docs/results-format.md, "Memory" and "Noise figure") ----

json MemoryAggregate(const std::vector<const json*>& rows) {
  std::vector<const json*> with;
  for (const json* r : rows)
    if (r->contains("memory")) with.push_back(&r->at("memory"));
  if (with.empty()) return nullptr;
  json out = json::object();
  for (const char* field : {"rss_before_setup", "rss_after_setup", "rss_setup_growth", "peak_rss", "live_bytes_setup",
                            "live_bytes_peak", "allocated_bytes"}) {
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
    if (row.value("aggregate_name", "") == "median" && row.contains("robust_cv") && row["robust_cv"].is_number())
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

ResultsStore::ResultsStore(fs::path dir, json context) : dir_(std::move(dir)), context_(std::move(context)) {}

ResultsStore ResultsStore::Load(const fs::path& dir) {
  fs::path file = dir / "results.json";
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot resume: " + file.string() + " does not exist");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error("cannot resume: " + file.string() + " is not valid JSON (" + e.what() + ")");
  }
  if (!doc.contains("context") || !doc["context"].contains("ftbench") || !doc.contains("benchmarks"))
    throw std::runtime_error("cannot resume: " + file.string() + " is not an ftbench results file");
  if (doc["context"]["ftbench"].value("schema_version", 0) != kSchemaVersion)
    throw std::runtime_error("cannot resume: " + file.string() + " has another schema version");
  ResultsStore store(dir, doc["context"]);
  for (const json& row : doc["benchmarks"])
    if (row.value("run_type", "") == "iteration") store.rows_.push_back(row);
  return store;
}

bool ResultsStore::Has(const RunKey& key) const {
  return std::any_of(rows_.begin(), rows_.end(), [&](const json& r) {
    return r["workload"] == key.workload && r["variant"] == key.variant && r["threads"] == key.threads &&
           r["repetition_index"] == key.repetition;
  });
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
  if (json lat = LatencySummary(std::move(latencies)); !lat.is_null()) row["latency_ns"] = lat;
  if (record.instructions > 0) row["instructions"] = record.instructions;
  rows_.push_back(std::move(row));
}

json ResultsStore::Benchmarks() const {
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
  for (const std::string& key : order) {
    Cell& cell = cells[key];
    std::sort(cell.rows.begin(), cell.rows.end(),
              [](const json* a, const json* b) { return a->at("repetition_index") < b->at("repetition_index"); });
    for (const json* r : cell.rows) out.push_back(*r);
    if (static_cast<int>(cell.rows.size()) < repetitions) continue;  // aggregates only when complete

    const json& first = *cell.first;
    std::vector<double> times = cell.times();
    std::vector<double> cpu;
    for (const json* r : cell.rows) cpu.push_back(r->at("cpu_time").get<double>());
    auto aggregate = [&](const std::string& name, double time_value, double cpu_value, const char* unit) {
      json row = first;
      for (const char* drop : {"repetition_index", "wall_seconds", "thread_cpu_seconds", "work_units", "cpu_placed",
                               "cpu_observed", "context_switches", "counters", "latency_ns", "load_avg_1m", "other_runnable", "busy",
                               "fairness_jain", "placement_ok", "leaked_objects", "gil_enabled", "throughput", "instructions",
                               "memory"})
        row.erase(drop);
      row["name"] = cell.run_name + "_" + name;
      row["run_type"] = "aggregate";
      row["aggregate_name"] = name;
      row["aggregate_unit"] = unit;
      row["real_time"] = time_value;
      row["cpu_time"] = cpu_value;
      return row;
    };
    std::vector<double> ms;
    for (double t : times) ms.push_back(t * kMsPerSecond);
    json median = aggregate("median", stats::Median(ms), stats::Median(cpu), "time");

    // Derived metrics (docs/results-format.md), each a median with a bootstrap 95% interval.
    const int threads = first["threads"];
    const double units = first["units"].get<double>();
    const std::uint64_t cell_seed = SeedFor(seed, cell.run_name);
    median["wall_seconds"] = Estimate(stats::Median(times), stats::BootstrapMedianCI(times, cell_seed));
    json speedup = nullptr, vs_gil = nullptr, efficiency = nullptr, overhead = nullptr;
    if (const Cell* one = find_cell(first, first["variant"], 1)) {
      // throughput ratio = (units_n / t_n) / (units_1 / t_1) = (units_n / units_1) * t_1 / t_n
      double scale = units / one->first->at("units").get<double>();
      double value = scale * stats::Median(one->times()) / stats::Median(times);
      stats::Interval ci = stats::BootstrapRatioCI(one->times(), times, cell_seed + 1);
      speedup = Estimate(value, {scale * ci.low, scale * ci.high});
      efficiency = Estimate(value / threads, {scale * ci.low / threads, scale * ci.high / threads});
    }
    if (const Cell* gil_one = find_cell(first, "gil", 1)) {
      double scale = units / gil_one->first->at("units").get<double>();
      stats::Interval ci = stats::BootstrapRatioCI(gil_one->times(), times, cell_seed + 2);
      vs_gil = Estimate(scale * stats::Median(gil_one->times()) / stats::Median(times), {scale * ci.low, scale * ci.high});
      if (threads == 1) {
        stats::Interval oci = stats::BootstrapRatioCI(times, gil_one->times(), cell_seed + 3);
        overhead = Estimate(stats::Median(times) / stats::Median(gil_one->times()), oci);
      }
    }
    median["speedup"] = speedup;
    median["speedup_vs_gil_1t"] = vs_gil;
    median["efficiency"] = efficiency;
    median["overhead_vs_gil"] = overhead;

    json counters = json::object();
    for (const auto& [name, _] : first["counters"].items()) {
      std::vector<double> values;
      for (const json* r : cell.rows) values.push_back(r->at("counters").value(name, 0.0));
      counters[name] = stats::Median(values);
    }
    median["counters"] = counters;
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
    if (std::any_of(cell.rows.begin(), cell.rows.end(), [](const json* r) { return r->at("busy").get<bool>(); }))
      warnings.push_back("machine busy: other tasks wanted more cores than were idle at a repetition's start");
    if (std::any_of(cell.rows.begin(), cell.rows.end(), [](const json* r) { return !r->at("placement_ok").get<bool>(); }))
      warnings.push_back("placement not honoured: a thread ran on another PU than planned");
    if (threads > context_["ftbench"].value("pus", 1)) warnings.push_back("oversubscribed: more threads than PUs");
    median["warnings"] = warnings;

    out.push_back(std::move(median));
    out.push_back(aggregate("mean", stats::Mean(ms), stats::Mean(cpu), "time"));
    out.push_back(aggregate("stddev", stats::StandardDeviation(ms), stats::StandardDeviation(cpu), "time"));
    out.push_back(aggregate("cv", cv, stats::CoefficientOfVariation(cpu), "percentage"));
    out.push_back(aggregate("min", stats::Min(ms), stats::Min(cpu), "time"));
    out.push_back(aggregate("max", stats::Max(ms), stats::Max(cpu), "time"));
  }
  return out;
}

std::string ResultsStore::Table() const {
  if (context_["ftbench"].value("mode", "time") == "instructions") {
    // run --instructions: the count is the measurement; wall time under valgrind means little.
    std::string out = fmt::format("{:<20} {:<7} {:>4} {:>16} {:>12}\n", "workload", "variant", "thr", "instructions",
                                  "vs gil 1t");
    std::map<std::string, double> gil;
    json benchmarks = Benchmarks();
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
  json benchmarks = Benchmarks();
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
                       row["variant"].get<std::string>(), row["threads"].get<int>(), row["real_time"].get<double>(),
                       cvs[row["run_name"]] * 100, num(row["speedup"], "{:.2f}"), num(row["speedup_vs_gil_1t"], "{:.2f}"),
                       num(row["overhead_vs_gil"], "{:.3f}"), warnings);
  }
  if (json noise = NoiseFigure(benchmarks); noise["median_cell_cv"].is_number())
    out += fmt::format("noise: median cell CV {:.1f}%, p90 {:.1f}% (robust CV, {} cells)\n",
                       noise["median_cell_cv"].get<double>() * 100, noise["p90_cell_cv"].get<double>() * 100,
                       noise["cells"].get<int>());
  return out;
}

void ResultsStore::Flush() const {
  fs::create_directories(dir_);
  json benchmarks = Benchmarks();
  json context = context_;
  context["noise"] = NoiseFigure(benchmarks);
  json doc = {{"context", context}, {"benchmarks", benchmarks}};
  WriteAtomically(dir_ / "results.json", doc.dump(1) + "\n");

  std::ostringstream csv;
  csv << "workload,variant,category,threads,placement,scaling,repetition,wall_seconds,cpu_seconds,units,throughput,"
         "checksum,fairness_jain,leaked_objects\n";
  for (const json& r : rows_) {
    csv << r["workload"].get<std::string>() << ',' << r["variant"].get<std::string>() << ','
        << r["category"].get<std::string>() << ',' << r["threads"] << ',' << r["placement"].get<std::string>() << ','
        << r["scaling"].get<std::string>() << ',' << r["repetition_index"] << ',' << r["wall_seconds"] << ','
        << r["cpu_time"].get<double>() / kMsPerSecond << ',' << r["units"] << ',' << r["throughput"] << ','
        << r["checksum"].get<std::string>() << ',' << r["fairness_jain"] << ',' << r["leaked_objects"] << '\n';
  }
  WriteAtomically(dir_ / "results.csv", csv.str());
  WriteAtomically(dir_ / "results.txt", Table());
}

}  // namespace ftb::bench
