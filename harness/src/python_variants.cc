#include "python_variants.h"

#include <fmt/core.h>
#include <unistd.h>

#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "cell_json.h"
#include "process.h"

namespace ftb::bench {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// One line, whatever the interpreter: the marker, the version, 1/0 for the GIL. An interpreter
// older than 3.0 fails on the syntax, and so is "not a Python interpreter" it can use either.
constexpr const char* kProbeCode =
    "import sys; g = getattr(sys, '_is_gil_enabled', None); "
    "print('ftbench-python-probe', '%d.%d.%d' % sys.version_info[:3], int(g() if g else 1))";

}  // namespace

bool IsPythonVariantName(const std::string& name) {
  static const std::regex kName(R"(cpython-[0-9]+\.[0-9]+t?)");
  return std::regex_match(name, kName);
}

PythonInterpreter ProbePython(const std::string& given) {
  std::error_code ec;
  if (given.empty()) throw InputError("--python: an empty interpreter path");
  fs::path path = fs::absolute(given, ec);
  if (ec || !fs::exists(path, ec)) throw InputError(fmt::format("--python {}: no such file", given));
  if (fs::is_directory(path, ec)) throw InputError(fmt::format("--python {}: a directory, not an interpreter", given));
  if (access(path.c_str(), X_OK) != 0) throw InputError(fmt::format("--python {}: not executable", given));
  std::string out, err;
  ExitStatus status;
  try {
    ChildProcess child({path.string(), "-c", kProbeCode},
                       {.own_group = true, .die_with_parent = true, .capture_stdout = true, .capture_stderr = true,
                        .default_signals = {}, .environment = {}});
    out = child.ReadStdout();
    status = child.Wait();
    err = child.Stderr();
  } catch (const std::runtime_error& e) {
    throw InputError(fmt::format("--python {}: cannot run it: {}", given, e.what()));
  }
  std::istringstream lines(out);
  std::string line, marker, version;
  int gil = -1;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    if (fields >> marker >> version >> gil && marker == "ftbench-python-probe") break;
    gil = -1;
  }
  static const std::regex kVersion(R"(([0-9]+)\.([0-9]+)\.([0-9]+))");
  std::smatch m;
  if (!status.Ok() || gil < 0 || gil > 1 || !std::regex_match(version, m, kVersion))
    throw InputError(fmt::format("--python {}: not a Python interpreter (it {} when asked for its version with -c)",
                                 given, status.Ok() ? "printed no version" : status.Describe()));
  int major = std::stoi(m[1]), minor = std::stoi(m[2]);
  if (major < 3 || (major == 3 && minor < kMinPythonMinor))
    throw InputError(fmt::format("--python {}: Python {}, and the Python workloads need 3.{} or newer", given, version,
                                 kMinPythonMinor));
  PythonInterpreter p;
  p.path = path.string();
  p.version = version;
  p.gil_enabled = gil == 1;
  p.variant = fmt::format("cpython-{}.{}{}", major, minor, p.gil_enabled ? "" : "t");
  return p;
}

std::vector<PythonInterpreter> ProbePythons(const std::vector<std::string>& paths) {
  std::vector<PythonInterpreter> out;
  for (const std::string& path : paths) {
    PythonInterpreter p = ProbePython(path);
    for (const PythonInterpreter& other : out)
      if (other.variant == p.variant)
        throw InputError(fmt::format("--python: {} and {} are both {} (one interpreter per variant name)", other.path,
                                     p.path, p.variant));
    out.push_back(std::move(p));
  }
  return out;
}

void ReprobePythons(const std::vector<PythonInterpreter>& recorded) {
  for (const PythonInterpreter& r : recorded) {
    PythonInterpreter now;
    try {
      now = ProbePython(r.path);
    } catch (const InputError& e) {
      throw InputError(fmt::format("the recorded interpreter of {}: {}", r.variant, e.what()));
    }
    if (now.variant != r.variant)
      throw InputError(fmt::format("the recorded interpreter {} is now {} ({}), not {} ({})", r.path, now.variant,
                                   now.version, r.variant, r.version));
  }
}

const PythonInterpreter* FindPython(const std::vector<PythonInterpreter>& pythons, const std::string& variant) {
  for (const PythonInterpreter& p : pythons)
    if (p.variant == variant) return &p;
  return nullptr;
}

json PythonInterpretersToJson(const std::vector<PythonInterpreter>& pythons) {
  json list = json::array();
  for (const PythonInterpreter& p : pythons)
    list.push_back({{"variant", p.variant}, {"path", p.path}, {"version", p.version}, {"gil_enabled", p.gil_enabled}});
  return list;
}

std::vector<PythonInterpreter> PythonInterpretersFromJson(const json& list) {
  if (!list.is_array()) throw std::runtime_error("the recorded 'pythons' is not a list");
  std::vector<PythonInterpreter> out;
  std::set<std::string> names;
  for (const json& j : list) {
    if (!j.is_object() || !j.contains("variant") || !j["variant"].is_string() || !j.contains("path") ||
        !j["path"].is_string() || !j.contains("version") || !j["version"].is_string() || !j.contains("gil_enabled") ||
        !j["gil_enabled"].is_boolean())
      throw std::runtime_error("the recorded 'pythons' has an entry without variant, path, version and gil_enabled");
    PythonInterpreter p{j["variant"], j["path"], j["version"], j["gil_enabled"]};
    if (!IsPythonVariantName(p.variant) || !names.insert(p.variant).second)
      throw std::runtime_error(fmt::format("the recorded 'pythons' has a bad or repeated variant name '{}'", p.variant));
    out.push_back(std::move(p));
  }
  return out;
}

fs::path CellDriverPath() {
  // As ShippedPythonWorkloadDir (python_workloads.h): FTB_TOOLS_FROM_BINDIR is share/ftbench/plots
  // relative to bin/, and the driver is installed in share/ftbench/python.
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  fs::path installed =
      (exe.parent_path() / FTB_TOOLS_FROM_BINDIR / ".." / "python" / "cell_driver.py").lexically_normal();
  if (fs::is_regular_file(installed, ec)) return installed;
  fs::path build_dir = fs::weakly_canonical(FTB_BINARY_DIR, ec);
  if (!ec && exe.parent_path() == build_dir) {
    fs::path source = fs::path(FTB_SOURCE_DIR) / "harness" / "python" / "cell_driver.py";
    if (fs::is_regular_file(source, ec)) return source;
  }
  return {};
}

std::vector<std::string> PythonCellCommand(const PythonInterpreter& python, const fs::path& driver,
                                           const fs::path& workload_file, int threads, std::int64_t size,
                                           const std::string& scaling, int warmup, const std::vector<int>& pus) {
  std::vector<std::string> args = {python.path,      driver.string(),         workload_file.string(),
                                   "--threads",      std::to_string(threads), "--size",
                                   std::to_string(size), "--scaling",         scaling,
                                   "--warmup",       std::to_string(warmup),  "--record",
                                   python.variant};
  if (!pus.empty()) {
    std::string list;
    for (int pu : pus) list += (list.empty() ? "" : ",") + std::to_string(pu);
    args.push_back("--pus");
    args.push_back(list);
  }
  return args;
}

CellRecord PythonCellRecordFromJson(const json& j) {
  CellRecord r;
  r.real_interpreter = true;
  r.variant = j.at("variant");
  r.workload = j.at("workload");
  r.config.threads = j.at("threads_requested");
  r.config.size = j.at("size");
  r.config.scaling = j.at("weak").get<bool>() ? Scaling::kWeak : Scaling::kStrong;
  r.wall_seconds = j.at("wall_seconds");
  r.checksum = j.at("checksum");
  r.gil_enabled_after = j.at("gil_enabled_after");
  for (const json& t : j.at("threads")) r.threads.push_back(ThreadRecordFromJson(t));
  return r;
}

}  // namespace ftb::bench
