#include "cell_json.h"

namespace ftb::bench {
using nlohmann::json;

json MemoryToJson(const MemoryRecord& m) {
  json allocated = json::object();
  std::int64_t allocated_bytes = 0;
  for (const auto& [kind, a] : m.allocated) {
    allocated[kind] = {{"objects", a.objects}, {"bytes", a.bytes}};
    allocated_bytes += a.bytes;
  }
  return {{"rss_before_setup", m.rss_before_setup},
          {"rss_after_setup", m.rss_after_setup},
          {"rss_setup_growth", m.rss_after_setup - m.rss_before_setup},
          {"peak_rss", m.peak_rss},
          {"peak_rss_reset", m.peak_rss_reset},
          {"live_bytes_setup", m.live_bytes_setup},
          {"live_bytes_peak", m.live_bytes_peak},
          {"allocated_bytes", allocated_bytes},
          {"allocated", allocated}};
}

namespace {

MemoryRecord MemoryFromJson(const json& j) {
  MemoryRecord m;
  m.rss_before_setup = j.at("rss_before_setup");
  m.rss_after_setup = j.at("rss_after_setup");
  m.peak_rss = j.at("peak_rss");
  m.peak_rss_reset = j.at("peak_rss_reset");
  m.live_bytes_setup = j.at("live_bytes_setup");
  m.live_bytes_peak = j.at("live_bytes_peak");
  for (const auto& [kind, a] : j.at("allocated").items()) m.allocated[kind] = {a.at("objects"), a.at("bytes")};
  return m;
}
}  // namespace

json CellRecordToJson(const CellRecord& r) {
  json threads = json::array();
  for (const ThreadRecord& t : r.threads)
    threads.push_back({{"work_units", t.work_units},
                       {"cpu_seconds", t.cpu_seconds},
                       {"voluntary_switches", t.voluntary_switches},
                       {"involuntary_switches", t.involuntary_switches},
                       {"cpu_placed", t.cpu_placed},
                       {"cpu_observed", t.cpu_observed},
                       {"latencies_ns", t.latencies_ns}});
  return {{"variant", r.variant},
          {"workload", r.workload},
          {"threads_requested", r.config.threads},
          {"size", r.config.size},
          {"weak", r.config.scaling == Scaling::kWeak},
          {"knobs", r.config.knobs},
          {"wall_seconds", r.wall_seconds},
          {"checksum", r.checksum},
          {"leaked_objects", r.leaked_objects},
          {"gil_enabled_after", r.gil_enabled_after},
          {"counters", r.counters},
          {"memory", MemoryToJson(r.memory)},
          {"threads", threads}};
}

CellRecord CellRecordFromJson(const json& j) {
  CellRecord r;
  r.variant = j.at("variant");
  r.workload = j.at("workload");
  r.config.threads = j.at("threads_requested");
  r.config.size = j.at("size");
  r.config.scaling = j.at("weak").get<bool>() ? Scaling::kWeak : Scaling::kStrong;
  r.config.knobs = j.at("knobs").get<std::map<std::string, double>>();
  r.wall_seconds = j.at("wall_seconds");
  r.checksum = j.at("checksum");
  r.leaked_objects = j.at("leaked_objects");
  r.gil_enabled_after = j.at("gil_enabled_after");
  r.counters = j.at("counters").get<std::map<std::string, std::uint64_t>>();
  r.memory = MemoryFromJson(j.at("memory"));
  for (const json& t : j.at("threads")) {
    ThreadRecord tr = ThreadRecordFromJson(t);
    tr.latencies_ns = t.at("latencies_ns").get<std::vector<double>>();
    r.threads.push_back(std::move(tr));
  }
  return r;
}

ThreadRecord ThreadRecordFromJson(const json& t) {
  ThreadRecord tr;
  tr.work_units = t.at("work_units");
  tr.cpu_seconds = t.at("cpu_seconds");
  tr.voluntary_switches = t.at("voluntary_switches");
  tr.involuntary_switches = t.at("involuntary_switches");
  tr.cpu_placed = t.at("cpu_placed");
  tr.cpu_observed = t.at("cpu_observed");
  return tr;
}

}  // namespace ftb::bench
