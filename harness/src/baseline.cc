#include "baseline.h"

#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "cell_json.h"
#include "input_error.h"
#include "process.h"

namespace ftb::bench {
using nlohmann::json;

void BaselineSettings::WriteTo(json& b) const {
  b = {{"binary", binary}, {"version", version}, {"work_scale", work_scale},
       {"file", std::string(kBaselineStem) + ".json"}};
}

BaselineSettings BaselineSettings::ReadFrom(const json& b) {
  if (!b.is_object()) throw std::runtime_error("the recorded baseline is not an object");
  auto field = [&](const char* key) -> const json& {
    auto it = b.find(key);
    if (it == b.end()) throw std::runtime_error(fmt::format("the recorded baseline has no '{}'", key));
    return *it;
  };
  BaselineSettings s;
  if (!field("binary").is_string() || field("binary").get<std::string>().empty())
    throw std::runtime_error("the recorded baseline.binary is not a path");
  if (!field("version").is_string()) throw std::runtime_error("the recorded baseline.version is not a string");
  if (!field("work_scale").is_number()) throw std::runtime_error("the recorded baseline.work_scale is not a number");
  s.binary = field("binary").get<std::string>();
  s.version = field("version").get<std::string>();
  s.work_scale = field("work_scale").get<double>();
  return s;
}

namespace {

struct Output {
  ExitStatus status;
  std::string out, err;
};

// How long one probe of the base binary (--version, list, a size-1 cell) may take: a binary that
// hangs is killed and refused rather than hanging the sweep before it starts. 60 s, or
// FTBENCH_PROBE_TIMEOUT_S seconds (for tests).
std::chrono::seconds ProbeLimit() {
  if (const char* env = std::getenv("FTBENCH_PROBE_TIMEOUT_S"); env != nullptr && std::atoi(env) > 0)
    return std::chrono::seconds(std::atoi(env));
  return std::chrono::seconds(60);
}

// Kills process group `group` once `limit` has passed, unless End() came first. End() before the
// child is reaped (Wait's before_reap), so that the group's id cannot belong to others yet; the
// destructor ends and joins it on every path, exceptions included.
class Watchdog {
 public:
  Watchdog(pid_t group, std::chrono::seconds limit)
      : thread_([this, group, limit] {
          std::unique_lock lock(mu_);
          if (!ended_cv_.wait_for(lock, limit, [this] { return ended_; })) {
            KillProcessGroup(group);
            killed_ = true;
          }
        }) {}
  ~Watchdog() {
    End();
    thread_.join();
  }
  void End() {
    std::lock_guard lock(mu_);
    ended_ = true;
    ended_cv_.notify_all();
  }
  bool Killed() {
    std::lock_guard lock(mu_);
    return killed_;
  }

 private:
  std::mutex mu_;
  std::condition_variable ended_cv_;
  bool ended_ = false, killed_ = false;
  std::thread thread_;  // last: started once the members it uses exist
};

// Runs `argv` to its end, or kills it (its process group: what it started too) after ProbeLimit;
// its output captured. Cannot start, or killed: InputError.
Output Capture(const std::vector<std::string>& argv) {
  const std::chrono::seconds limit = ProbeLimit();
  std::optional<ChildProcess> child;
  try {
    child.emplace(argv, SpawnOptions{.own_group = true, .die_with_parent = true, .capture_stdout = true,
                                     .capture_stderr = true, .default_signals = {}, .environment = {}});
  } catch (const std::runtime_error& e) {
    throw InputError(fmt::format("--baseline-binary {}: cannot run it: {}", argv.front(), e.what()));
  }
  Watchdog watchdog(child->pid(), limit);
  Output o;
  o.out = child->ReadStdout();
  o.status = child->Wait([&] { watchdog.End(); });
  o.err = child->Stderr();
  if (watchdog.Killed())
    throw InputError(fmt::format("--baseline-binary {}: `{}` did not finish in {} s (killed)", argv.front(),
                                 argv.size() > 1 ? argv[1] : "", limit.count()));
  return o;
}

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.size() > 120 ? line.substr(0, 117) + "..." : line;
}

// The workload names of `ftbench list`'s table; empty when `text` is not that table (its header
// is NAME [TIER] CATEGORY SIZE DESCRIPTION).
std::set<std::string> ListedWorkloads(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::set<std::string> names;
  if (!std::getline(in, line)) return names;
  std::istringstream header(line);
  std::vector<std::string> words;
  for (std::string w; header >> w;) words.push_back(w);
  bool table = (words == std::vector<std::string>{"NAME", "CATEGORY", "SIZE", "DESCRIPTION"}) ||
               (words == std::vector<std::string>{"NAME", "TIER", "CATEGORY", "SIZE", "DESCRIPTION"});
  if (!table) return names;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    if (std::string name; fields >> name) names.insert(name);
  }
  return names;
}

}  // namespace

BaselineSettings ProbeBaselineBinary(const std::string& path, const std::vector<std::string>& workloads,
                                     const std::vector<std::string>& variants, double work_scale) {
  auto fail = [&](const std::string& why) { return InputError(fmt::format("--baseline-binary {}: {}", path, why)); };
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  struct stat st {};
  if (path.empty() || ec || stat(absolute.c_str(), &st) != 0) throw fail("no such file");
  if (!S_ISREG(st.st_mode)) throw fail("not a regular file");
  if (access(absolute.c_str(), X_OK) != 0) throw fail("not executable");
  BaselineSettings b;
  b.binary = absolute.lexically_normal().string();
  b.work_scale = work_scale;

  Output version = Capture({b.binary, "--version"});
  bool named = version.status.Ok() && version.out.rfind("ftbench ", 0) == 0;
  b.version = named ? version.out : "unknown (no --version: an older ftbench)";
  while (!b.version.empty() && b.version.back() == '\n') b.version.pop_back();

  Output list = Capture({b.binary, "list"});
  std::set<std::string> known = list.status.Ok() ? ListedWorkloads(list.out) : std::set<std::string>{};
  if (known.empty())
    throw fail(named ? fmt::format("`list` does not print ftbench's workload table ({})",
                                   list.status.Ok() ? FirstLine(list.out) : list.status.Describe())
                     : "not an ftbench (neither `--version` nor `list` answers as ftbench does)");
  for (const std::string& w : workloads)
    if (known.count(w) == 0) throw fail(fmt::format("it does not know the workload '{}' (its `list`)", w));

  // One probe cell per variant: the variant exists there, and its record reads here.
  for (const std::string& v : variants) {
    Output cell = Capture({b.binary, "cell", "--variant", v, "--workload", workloads.front(), "--threads", "1",
                           "--size", "1", "--warmup", "0", "--placement", "none"});
    if (!cell.status.Ok())
      throw fail(fmt::format("its probe cell {}/{} {}: {}", workloads.front(), v, cell.status.Describe(),
                             FirstLine(cell.err.empty() ? cell.out : cell.err)));
    try {
      CellRecordFromJson(json::parse(cell.out));
    } catch (const std::exception& e) {
      throw fail(fmt::format("its probe cell {}/{} printed no record this build reads (another cell protocol?): {}",
                             workloads.front(), v, FirstLine(e.what())));
    }
  }
  return b;
}

json BaselineContext(const json& context, const BaselineSettings& baseline) {
  json c = context;
  c["executable"] = baseline.binary;
  json& ft = c["ftbench"];
  ft.erase("baseline");
  ft["build"] = kBaseBuild;
  ft["work_scale"] = baseline.work_scale;
  ft["calibration"] = false;
  ft["version"] = baseline.version;
  // What this binary's context says about its own build is not known of the base binary.
  std::string commit;
  std::istringstream lines(baseline.version);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("commit ", 0) == 0) commit = line.substr(7);
  ft["git_commit"] = commit.empty() ? json(nullptr) : json(commit);
  ft["git_dirty"] = nullptr;
  return c;
}

}  // namespace ftb::bench
