#include "machine_context.h"

#include <cstdlib>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "build_info.h"

#ifndef FTB_CXX_FLAGS
#define FTB_CXX_FLAGS ""
#endif
#ifndef FTB_BUILD_TYPE
#define FTB_BUILD_TYPE ""
#endif

namespace ftb::bench {
namespace {

// Google Benchmark's cpu_scaling_enabled: true when some CPU's cpufreq governor is not
// "performance" (its clock follows the load), false when every governor read is "performance";
// nullopt when none can be read (no cpufreq in a VM or container), which Google Benchmark leaves
// out and results.json records as null.
std::optional<bool> CpuScalingEnabled() {
  namespace fs = std::filesystem;
  std::error_code ec;
  bool any = false;
  for (fs::directory_iterator it("/sys/devices/system/cpu", ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() < 4 || name.rfind("cpu", 0) != 0 ||
        !std::all_of(name.begin() + 3, name.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    std::ifstream in(it->path() / "cpufreq" / "scaling_governor");
    std::string governor;
    if (!(in >> governor)) continue;
    if (governor != "performance") return true;
    any = true;
  }
  if (!any) return std::nullopt;
  return false;
}

std::string CpuInfoField(const std::string& field) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0)
      if (auto colon = line.find(':'); colon != std::string::npos) return line.substr(colon + 2);
  return "";
}

std::string IsoDate() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
  std::string s(buf);
  if (s.size() > 5) s.insert(s.size() - 2, ":");  // +0000 -> +00:00, as Google Benchmark
  return s;
}

}  // namespace

double LoadAverage1m() {
  double load[3] = {0, 0, 0};
  return getloadavg(load, 3) > 0 ? load[0] : 0.0;
}

int OtherRunnableTasks() {
  std::ifstream in("/proc/loadavg");
  double a, b, c;
  int running = 0;
  char slash;
  if (!(in >> a >> b >> c >> running >> slash)) return 0;
  return std::max(0, running - 1);  // the calling thread is running
}

nlohmann::json MachineContext(const Topology& topology, const std::string& executable) {
  char host[256] = "unknown";
  gethostname(host, sizeof host - 1);
  utsname uts{};
  uname(&uts);
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  nlohmann::json caches = nlohmann::json::array();
  for (const CacheInfo& c : topology.Caches())
    caches.push_back({{"type", c.type}, {"level", c.level}, {"size", c.size}, {"num_sharing", c.num_sharing}});
  std::string model = topology.CpuModel();
  if (model == "unknown") model = CpuInfoField("model name");
  std::string mhz = CpuInfoField("cpu MHz");
  std::optional<bool> scaling = CpuScalingEnabled();
  std::string build_type = FTB_BUILD_TYPE;
  std::string library_build_type = build_type == "Debug" ? "debug" : "release";
  return {
      {"date", IsoDate()},
      {"host_name", host},
      {"executable", executable},
      {"num_cpus", topology.Pus()},
      {"mhz_per_cpu", mhz.empty() ? 0 : static_cast<int>(std::stod(mhz))},
      {"cpu_scaling_enabled", scaling ? nlohmann::json(*scaling) : nlohmann::json(nullptr)},
      {"caches", caches},
      {"load_avg", {load[0], load[1], load[2]}},
      {"library_build_type", library_build_type},
      {"json_schema_version", 1},
      {"ftbench",
       {
           {"cpu_model", model},
           {"packages", topology.Packages()},
           {"numa_nodes", topology.NumaNodes()},
           {"cores", topology.Cores()},
           {"pus", topology.Pus()},
           {"topology", topology.Summary()},
           {"kernel", std::string(uts.sysname) + " " + uts.release + " " + uts.machine},
           {"compiler", std::string("GNU ") + __VERSION__},
           {"cxx_flags", FTB_CXX_FLAGS},
           {"build_type", build_type},
           // The commit the binary was built from, not the source tree's now (build_info.h).
           {"git_commit", GitCommit()},
           {"git_dirty", GitDirty()},
           // The runtime's switches, as the sweep's processes saw them (unset: the default).
           {"environment",
            {{"FTBENCH_GIL", std::getenv("FTBENCH_GIL") ? nlohmann::json(std::getenv("FTBENCH_GIL")) : nlohmann::json(nullptr)},
             {"FTBENCH_MECHANISMS",
              std::getenv("FTBENCH_MECHANISMS") ? nlohmann::json(std::getenv("FTBENCH_MECHANISMS")) : nlohmann::json(nullptr)}}},
       }},
  };
}

}  // namespace ftb::bench
