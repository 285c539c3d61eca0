#include "results.h"

#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "calibration.h"
#include "cell_json.h"
#include "python_variants.h"
#include "results_table.h"
#include "statistics.h"

namespace ftb::bench {
namespace fs = std::filesystem;
using nlohmann::json;

std::string CellName(const std::string& workload, const std::string& variant, int threads) {
  return fmt::format("{}/{}/threads:{}", workload, variant, threads);
}

std::string RunName(const std::string& workload, const std::string& variant, int threads, const std::string& scaling,
                    const std::string& placement) {
  return fmt::format("{}/{}/{}", CellName(workload, variant, threads), scaling, placement);
}

namespace {

constexpr double kMsPerSecond = 1000.0;

// Whole or not at all for a reader and when this process dies; without fsync, not after a power loss.
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
        copy["real_time"] = RowSeconds(row, "real_time") * UnitsPerSecond(time_unit);
        copy["cpu_time"] = RowSeconds(row, "cpu_time") * UnitsPerSecond(time_unit);
      } catch (const std::exception& e) {
        throw std::invalid_argument(row.value("name", "a row") + ": " + e.what());
      }
    }
    if (!time_unit.empty()) copy["time_unit"] = time_unit;
    out["benchmarks"].push_back(std::move(copy));
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

ResultsStore::ResultsStore(fs::path dir, json context, std::string stem)
    : dir_(std::move(dir)), context_(std::move(context)), stem_(std::move(stem)) {}

ResultsStore ResultsStore::Load(const fs::path& dir, const std::string& stem) {
  fs::path file = dir / (stem + ".json");
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
  ResultsStore store(dir, doc["context"], stem);
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
      if (!has(row, field, t) &&  // a real interpreter's row has no leak count (python_variants.h)
          !(std::string_view(field) == "leaked_objects" && !row.contains(field) && row["variant"].is_string() &&
            IsPythonVariantName(row["variant"].get<std::string>())))
        throw bad(fmt::format("'{}' is missing or not {}", field,
                              t == json::value_t::number_float     ? "a number"
                              : t == json::value_t::number_integer ? "an integer"
                              : t == json::value_t::string         ? "a string"
                              : t == json::value_t::boolean        ? "true or false"
                                                                   : "an object"));
    if (auto memory = row.find("memory"); memory != row.end() && !ValidMemory(*memory))
      throw bad("'memory' is not an object of the memory figures (docs/results-format.md)");
    if (auto unit = row.find("time_unit"); unit != row.end()) {
      if (!unit->is_string() || !IsTimeUnit(unit->get<std::string>())) throw bad("'time_unit' is not one of s, ms, us, ns");
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
  if (record.real_interpreter) {  // not measured (python_variants.h): absent, not zero
    row.erase("leaked_objects");
    row.erase("memory");
  }
  if (!key.build.empty()) row["build"] = key.build;
  rows_.push_back(std::move(row));
  keys_.emplace(key.workload, key.variant, key.threads, key.repetition);
}

json ResultsStore::Benchmarks() const {
  const json& ft = context_["ftbench"];
  return aggregator_.Benchmarks(rows_, ft, CalibrationBlock(rows_, ft["seed"]), true);
}

std::string ResultsStore::Table() const {
  const json& ft = context_["ftbench"];
  json calibration = CalibrationBlock(rows_, ft["seed"]);
  return RenderTable(aggregator_.Benchmarks(rows_, ft, calibration, false), ft, calibration);
}

void ResultsStore::Flush() const {
  fs::create_directories(dir_);
  // Each computed once, bootstrap intervals included; the table shows the same values.
  const json& ft = context_["ftbench"];
  json calibration = CalibrationBlock(rows_, ft["seed"]);
  json benchmarks = aggregator_.Benchmarks(rows_, ft, calibration, true);
  json context = context_;
  context["noise"] = NoiseFigure(benchmarks);
  json doc = {{"context", context}, {"benchmarks", benchmarks}};
  if (!calibration.is_null()) doc["calibration"] = calibration;
  WriteAtomically(dir_ / (stem_ + ".json"), doc.dump(1) + "\n");

  std::ostringstream csv;
  csv << "workload,variant,category,threads,placement,scaling,repetition,wall_seconds,cpu_seconds,units,throughput,"
         "checksum,fairness_jain,leaked_objects\n";
  for (const json& r : rows_) {
    csv << r["workload"].get<std::string>() << ',' << r["variant"].get<std::string>() << ','
        << r["category"].get<std::string>() << ',' << r["threads"] << ',' << r["placement"].get<std::string>() << ','
        << r["scaling"].get<std::string>() << ',' << r["repetition_index"] << ',' << r["wall_seconds"] << ','
        << RowSeconds(r, "cpu_time") << ',' << r["units"] << ',' << r["throughput"] << ','
        << r["checksum"].get<std::string>() << ',' << r["fairness_jain"] << ',';
    if (r.contains("leaked_objects")) csv << r["leaked_objects"];  // empty: not measured (a real interpreter)
    csv << '\n';
  }
  WriteAtomically(dir_ / (stem_ + ".csv"), csv.str());
  WriteAtomically(dir_ / (stem_ + ".txt"), RenderTable(benchmarks, ft, calibration));
}

}  // namespace ftb::bench
