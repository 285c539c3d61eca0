#include "sweep.h"

#include <fmt/core.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <random>
#include <set>
#include <stdexcept>

#include "cell_json.h"
#include "machine_context.h"
#include "workload_select.h"

extern char** environ;

namespace ftb::bench {
using nlohmann::json;

void SweepSettings::WriteTo(json& ft) const {
  ft["variants"] = variants;
  ft["workloads"] = workloads;
  ft["threads"] = threads;
  ft["placement"] = PlacementName(placement);
  ft["scaling"] = scaling == Scaling::kWeak ? "weak" : "strong";
  ft["repetitions"] = repetitions;
  ft["warmup"] = warmup;
  ft["work_scale"] = work_scale;
  ft["seed"] = seed;
  ft["quick"] = quick;
  ft["mode"] = valgrind.empty() ? "time" : "instructions";
  if (!valgrind.empty()) ft["valgrind"] = valgrind;
  ft["isolation"] = in_process ? "none" : "process";
  ft["knobs"] = knobs;
  ft["command_line"] = command_line;
  ft["schema_version"] = kSchemaVersion;
}

SweepSettings SweepSettings::ReadFrom(const json& ft) {
  SweepSettings s;
  s.variants = ft.at("variants").get<std::vector<std::string>>();
  s.workloads = ft.at("workloads").get<std::vector<std::string>>();
  s.threads = ft.at("threads").get<std::vector<int>>();
  std::string placement = ft.at("placement");
  s.placement = placement == "scatter" ? Placement::kScatter : placement == "none" ? Placement::kNone : Placement::kCompact;
  s.scaling = ft.at("scaling") == "weak" ? Scaling::kWeak : Scaling::kStrong;
  s.repetitions = ft.at("repetitions");
  s.warmup = ft.at("warmup");
  s.work_scale = ft.at("work_scale");
  s.seed = ft.at("seed");
  s.quick = ft.value("quick", false);
  if (ft.value("mode", "time") == "instructions") s.valgrind = ft.value("valgrind", "valgrind");
  s.in_process = ft.value("isolation", "none") == "none";
  s.knobs = ft.value("knobs", std::map<std::string, double>{});
  s.command_line = ft.value("command_line", "");
  return s;
}

std::uint64_t CallgrindTotal(const std::filesystem::path& out_file) {
  std::ifstream in(out_file);
  if (!in) throw std::runtime_error("callgrind wrote no " + out_file.string());
  std::string line;
  std::optional<std::uint64_t> summary;
  while (std::getline(in, line)) {
    for (const char* tag : {"totals:", "summary:"}) {
      if (line.rfind(tag, 0) != 0) continue;
      std::istringstream fields(line.substr(std::strlen(tag)));
      std::uint64_t value = 0;
      if (!(fields >> value)) throw std::runtime_error(out_file.string() + ": unreadable line '" + line + "'");
      if (tag[0] == 't') return value;
      summary = value;
    }
  }
  if (!summary) throw std::runtime_error(out_file.string() + " has no totals: or summary: line");
  return *summary;
}

std::int64_t ScaledSize(std::int64_t default_size, double work_scale) {
  return std::max<std::int64_t>(1, std::llround(static_cast<double>(default_size) * work_scale));
}

std::vector<PlannedRun> PlanSweep(const SweepSettings& s) {
  std::vector<RunKey> cells;
  for (const std::string& w : s.workloads)
    for (const std::string& v : s.variants)
      for (int t : s.threads) cells.push_back({w, v, t, 0});
  std::vector<PlannedRun> plan;
  for (int rep = 0; rep < s.repetitions; ++rep) {
    std::vector<RunKey> order = cells;
    std::mt19937_64 rng(s.seed + static_cast<std::uint64_t>(rep));
    std::shuffle(order.begin(), order.end(), rng);
    for (RunKey key : order) {
      key.repetition = rep;
      plan.push_back({key, false});
    }
  }
  return plan;
}

BindFn MakeBinder(const Topology& topology, std::vector<int> plan) {
  if (plan.empty()) return nullptr;
  return [&topology, plan = std::move(plan)](int index) {
    int pu = plan[static_cast<std::size_t>(index) % plan.size()];
    std::string error;
    if (!topology.BindCurrentThread(pu, &error)) std::fprintf(stderr, "ftbench: warning: %s\n", error.c_str());
    return pu;
  };
}

namespace {

// Runs one cell in a child process (`ftbench cell ...`, under `wrapper` when it is not empty) and
// reads its record from the child's standard output.
CellRecord RunIsolated(const std::string& self, const SweepSettings& s, const RunKey& key, std::int64_t size,
                       int warmup, const std::vector<std::string>& wrapper = {}) {
  std::vector<std::string> args = wrapper;
  std::vector<std::string> cell = {self, "cell", "--variant", key.variant, "--workload", key.workload,
                                   "--warmup", std::to_string(warmup),
                                   "--threads", std::to_string(key.threads), "--size", std::to_string(size),
                                   "--scaling", s.scaling == Scaling::kWeak ? "weak" : "strong",
                                   "--placement", PlacementName(s.placement)};
  args.insert(args.end(), cell.begin(), cell.end());
  for (const auto& [name, value] : s.knobs) {
    args.push_back("--knob");
    args.push_back(fmt::format("{}={}", name, value));
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  // The child's stderr goes to a file read after it exits: a warning every run repeats (the
  // legacy module's, 40 times a quick sweep) is shown once.
  char err_path[] = "/tmp/ftbench-cell-XXXXXX";
  int err = mkstemp(err_path);
  if (err < 0) throw std::runtime_error("cannot create a temporary file in /tmp");
  unlink(err_path);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err, STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  // Its own process group: Ctrl-C at the terminal reaches the sweep alone, which lets this run
  // finish and stops after it.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  pid_t pid;
  int rc = posix_spawn(&pid, args.front().c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    close(err);
    throw std::runtime_error("cannot start " + args.front() + " for an isolated cell");
  }
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  std::string messages;
  lseek(err, 0, SEEK_SET);
  for (ssize_t n; (n = read(err, buf, sizeof buf)) > 0;) messages.append(buf, static_cast<std::size_t>(n));
  close(err);
  const bool failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  static std::set<std::string> shown;
  std::istringstream lines(messages);
  for (std::string line; std::getline(lines, line);)
    if (failed || shown.insert(line).second) std::fprintf(stderr, "%s\n", line.c_str());
  if (failed)  // exit status 2: the cell's environment (its message is above), not a bug
    throw CellFailure(fmt::format("{} {}/{}/threads:{} {}", args.front() == self ? "the child running" : args.front() + " running",
                                  key.workload, key.variant, key.threads,
                                  WIFSIGNALED(status) ? fmt::format("was killed by signal {}", WTERMSIG(status))
                                                      : fmt::format("exited with status {}", WEXITSTATUS(status))),
                      WIFEXITED(status) && WEXITSTATUS(status) == 2);
  return CellRecordFromJson(json::parse(text));
}

// One run under callgrind: instrumentation off until the cell runner switches it on for the
// measured region. The output file stays in the results directory for callgrind_annotate.
CellRecord RunUnderCallgrind(const std::string& self, const SweepSettings& s, const RunKey& key, std::int64_t size,
                             const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::filesystem::path file =
      dir / fmt::format("{}.{}.t{}.r{}.out", key.workload, key.variant, key.threads, key.repetition);
  std::filesystem::remove(file);
  CellRecord record = RunIsolated(self, s, key, size, 0,
                                  {s.valgrind, "--tool=callgrind", "--quiet", "--instr-atstart=no",
                                   "--callgrind-out-file=" + file.string()});
  record.instructions = CallgrindTotal(file);
  return record;
}

// The longest a killed sweep (SIGKILL, power loss) can lose; Ctrl-C loses nothing.
constexpr std::chrono::seconds kFlushInterval{2};

std::string FormatDuration(double seconds) {
  auto s = static_cast<long>(seconds + 0.5);
  return s >= 60 ? fmt::format("{}m{:02}s", s / 60, s % 60) : fmt::format("{}s", s);
}

}  // namespace

std::vector<std::string> RunSweep(const SweepSettings& s, ResultsStore& store, const Topology& topology,
                                  const std::string& self, const std::atomic<bool>& interrupted) {
  std::vector<PlannedRun> plan = PlanSweep(s);
  std::size_t total = plan.size(), done = 0;
  for (const PlannedRun& p : plan) done += store.Has(p.key) ? 1 : 0;
  const bool tty = isatty(STDERR_FILENO) != 0;
  const auto start = std::chrono::steady_clock::now();
  const std::size_t done_at_start = done;
  std::set<std::string> warmed;
  std::map<std::string, std::string> reference_checksums;  // per workload
  std::vector<std::string> problems;
  // Reference checksums from runs already on disk (resume).
  for (const json& row : store.Benchmarks())
    if (row["run_type"] == "iteration") reference_checksums.try_emplace(row["workload"], row["checksum"]);

  auto last_flush = std::chrono::steady_clock::now();
  struct FlushAtExit {  // also when a run throws: what finished is kept
    ResultsStore& store;
    ~FlushAtExit() {
      try {
        store.Flush();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "ftbench: error: cannot write %s: %s\n", store.dir().c_str(), e.what());
      }
    }
  } flush_at_exit{store};
  for (const PlannedRun& p : plan) {
    if (interrupted.load()) break;
    if (store.Has(p.key)) continue;
    const WorkloadSpec* spec = cli::FindWorkloadSpec(p.key.workload);
    const Variant* variant = FindVariant(p.key.variant);
    if (spec == nullptr || variant == nullptr) throw std::runtime_error("unknown workload or variant in the plan");
    const WorkloadEntry* entry = variant->Find(p.key.workload);
    std::int64_t size = ScaledSize(spec->default_size, s.work_scale);
    CellConfig config = cli::MakeConfig(*spec, p.key.threads, size, s.scaling, s.knobs);
    const bool own_process = !s.in_process || spec->process_wide_side_effect;
    auto run_once = [&](int warmup_in_child) {
      if (!s.valgrind.empty()) return RunUnderCallgrind(self, s, p.key, size, store.dir() / "callgrind");
      if (own_process) return RunIsolated(self, s, p.key, size, warmup_in_child);
      return RunCell(*variant, *entry, config, MakeBinder(topology, topology.Plan(p.key.threads, s.placement)));
    };
    std::string cell = p.key.workload + "/" + p.key.variant + "/threads:" + std::to_string(p.key.threads);
    if (s.in_process && warmed.insert(cell).second)
      for (int w = 0; w < s.warmup && !interrupted.load(); ++w) run_once(0);
    double load = LoadAverage1m();
    int others = OtherRunnableTasks();
    CellRecord record;
    try {
      record = run_once(s.in_process ? 0 : s.warmup);
    } catch (const std::runtime_error&) {
      if (interrupted.load()) break;  // a child stopped by the same Ctrl-C (e.g. kill -INT -PGID)
      throw;
    }
    store.Add(p.key, spec->category, record, load, others, topology.Pus());
    // Rewriting results.json recomputes every cell's aggregates, so not after every run: a sweep
    // of a thousand runs would spend as long writing as measuring. Ctrl-C and errors flush below.
    if (std::chrono::steady_clock::now() - last_flush >= kFlushInterval) {
      store.Flush();
      last_flush = std::chrono::steady_clock::now();
    }
    ++done;

    std::string checksum = fmt::format("{:#x}", record.checksum);
    auto [ref, fresh] = reference_checksums.try_emplace(p.key.workload, checksum);
    if (!fresh && ref->second != checksum)
      problems.push_back(fmt::format("{} rep {}: checksum {} differs from {} (a wrong answer)", cell, p.key.repetition,
                                     checksum, ref->second));
    if (record.leaked_objects != 0)
      problems.push_back(fmt::format("{} rep {}: {} objects leaked", cell, p.key.repetition, record.leaked_objects));

    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double eta = elapsed / static_cast<double>(done - done_at_start) * static_cast<double>(total - done);
    if (tty) {
      constexpr int kWidth = 28;
      int filled = static_cast<int>(kWidth * done / total);
      std::fprintf(stderr, "\r[%s%s] %zu/%zu  %-36s rep %d/%d  ETA %-8s", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                   std::string(static_cast<std::size_t>(kWidth - filled), '.').c_str(), done, total, cell.c_str(),
                   p.key.repetition + 1, s.repetitions, FormatDuration(eta).c_str());
    } else {
      std::string measured = record.instructions > 0
                                 ? fmt::format("{:.2f} M instructions", static_cast<double>(record.instructions) / 1e6)
                                 : fmt::format("{:.2f} ms", record.wall_seconds * 1e3);
      std::fprintf(stderr, "[%zu/%zu] %s rep %d/%d: %s, ETA %s\n", done, total, cell.c_str(), p.key.repetition + 1,
                   s.repetitions, measured.c_str(), FormatDuration(eta).c_str());
    }
  }
  if (tty) std::fprintf(stderr, "\n");
  return problems;
}

}  // namespace ftb::bench
