#include "sweep.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <random>
#include <set>
#include <stdexcept>

#include "calibration.h"
#include "cell_json.h"
#include "process.h"
#include "python_workloads.h"
#include "machine_context.h"
#include "mechanism_variants.h"
#include "workload_select.h"

namespace ftb::bench {
using nlohmann::json;

void SweepSettings::WriteTo(json& ft) const {
  ft["variants"] = variants;
  ft["workloads"] = workloads;
  ft["threads"] = threads;
  ft["placement"] = PlacementName(placement);
  ft["scaling"] = ScalingName(scaling);
  ft["repetitions"] = repetitions;
  ft["warmup"] = warmup;
  ft["work_scale"] = work_scale;
  ft["seed"] = seed;
  ft["quick"] = quick;
  ft["mode"] = valgrind.empty() ? "time" : "instructions";
  if (!valgrind.empty()) ft["valgrind"] = valgrind;
  ft["isolation"] = in_process ? "none" : "process";
  ft["calibration"] = calibration;
  ft["knobs"] = knobs;
  if (!mechanisms.empty()) ft["mechanisms"] = mechanisms;
  if (!pythons.empty()) ft["pythons"] = PythonInterpretersToJson(pythons);
  ft["command_line"] = command_line;
  ft["schema_version"] = kSchemaVersion;
  if (baseline.enabled()) baseline.WriteTo(ft["baseline"]);
}

namespace {

// Recorded settings, read without trusting them: every failure names the key.
const json& Setting(const json& ft, const char* key) {
  auto it = ft.find(key);
  if (it == ft.end()) throw std::runtime_error(fmt::format("the recorded settings have no '{}'", key));
  return *it;
}

[[noreturn]] void WrongType(const char* key, const char* wanted, const json& value) {
  std::string text = value.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  throw std::runtime_error(fmt::format("the recorded '{}' is not {}: {}", key, wanted, text));
}

int Int(const char* key, const json& value) {
  constexpr std::int64_t kMin = std::numeric_limits<int>::min(), kMax = std::numeric_limits<int>::max();
  if (!value.is_number_integer() || (value.is_number_unsigned() && value.get<std::uint64_t>() > kMax) ||
      value.get<std::int64_t>() < kMin || value.get<std::int64_t>() > kMax)
    WrongType(key, "an integer of at most 2^31", value);
  return value.get<int>();
}

std::string Text(const char* key, const json& value) {
  if (!value.is_string()) WrongType(key, "a string", value);
  return value.get<std::string>();
}

bool Flag(const char* key, const json& value) {
  if (!value.is_boolean()) WrongType(key, "true or false", value);
  return value.get<bool>();
}

std::vector<std::string> Names(const char* key, const json& value) {
  if (!value.is_array()) WrongType(key, "a list of names", value);
  std::vector<std::string> out;
  for (const json& v : value) out.push_back(Text(key, v));
  return out;
}

}  // namespace

SweepSettings SweepSettings::ReadFrom(const json& ft) {
  if (!ft.is_object()) throw std::runtime_error("the recorded settings (context.ftbench) are not an object");
  SweepSettings s;
  s.variants = Names("variants", Setting(ft, "variants"));
  if (ft.contains("mechanisms")) s.mechanisms = Names("mechanisms", ft["mechanisms"]);
  s.workloads = Names("workloads", Setting(ft, "workloads"));
  const json& threads = Setting(ft, "threads");
  if (!threads.is_array()) WrongType("threads", "a list of thread counts", threads);
  for (const json& t : threads) s.threads.push_back(Int("threads", t));
  std::string placement = Text("placement", Setting(ft, "placement"));
  std::optional<Placement> parsed_placement = ParsePlacement(placement);
  if (!parsed_placement)
    throw std::runtime_error(fmt::format("the recorded placement '{}' is not compact, scatter or none", placement));
  s.placement = *parsed_placement;
  std::string scaling = Text("scaling", Setting(ft, "scaling"));
  std::optional<Scaling> parsed_scaling = ParseScaling(scaling);
  if (!parsed_scaling) throw std::runtime_error(fmt::format("the recorded scaling '{}' is not strong or weak", scaling));
  s.scaling = *parsed_scaling;
  s.repetitions = Int("repetitions", Setting(ft, "repetitions"));
  s.warmup = Int("warmup", Setting(ft, "warmup"));
  const json& scale = Setting(ft, "work_scale");
  if (!scale.is_number()) WrongType("work_scale", "a number", scale);
  s.work_scale = scale.get<double>();
  const json& seed = Setting(ft, "seed");
  if (!seed.is_number_unsigned() && !(seed.is_number_integer() && seed.get<std::int64_t>() >= 0))
    WrongType("seed", "a non-negative integer", seed);
  s.seed = seed.get<std::uint64_t>();
  s.quick = ft.contains("quick") && Flag("quick", ft["quick"]);
  std::string mode = ft.contains("mode") ? Text("mode", ft["mode"]) : "time";
  if (mode != "time" && mode != "instructions")
    throw std::runtime_error(fmt::format("the recorded mode '{}' is not time or instructions", mode));
  if (mode == "instructions") s.valgrind = ft.contains("valgrind") ? Text("valgrind", ft["valgrind"]) : "valgrind";
  std::string isolation = ft.contains("isolation") ? Text("isolation", ft["isolation"]) : "none";
  if (isolation != "none" && isolation != "process")
    throw std::runtime_error(fmt::format("the recorded isolation '{}' is not process or none", isolation));
  s.in_process = isolation == "none";
  if (ft.contains("knobs")) {
    const json& knobs = ft["knobs"];
    if (!knobs.is_object()) WrongType("knobs", "an object of numbers", knobs);
    for (const auto& [name, value] : knobs.items()) {
      if (!value.is_number()) WrongType("knobs", "an object of numbers", knobs);
      s.knobs[name] = value.get<double>();
    }
  }
  s.calibration = ft.contains("calibration") && Flag("calibration", ft["calibration"]);
  s.command_line = ft.contains("command_line") ? Text("command_line", ft["command_line"]) : "";
  if (ft.contains("pythons")) s.pythons = PythonInterpretersFromJson(ft["pythons"]);
  if (ft.contains("baseline")) s.baseline = BaselineSettings::ReadFrom(ft["baseline"]);
  return s;
}

void CheckSweepSettings(const SweepSettings& s, bool recorded) {
  auto name = [&](const char* option, const char* key) {
    return recorded ? fmt::format("the recorded {}", key) : std::string(option);
  };
  auto distinct = [&](const auto& list, const char* option, const char* key) {
    std::set<typename std::decay_t<decltype(list)>::value_type> seen;
    for (const auto& item : list)
      if (!seen.insert(item).second) throw InputError(fmt::format("{}: {} appears twice", name(option, key), item));
  };
  if (s.variants.empty()) throw InputError(name("--variants", "variants") + ": no variant");
  for (const std::string& v : s.variants) {
    if (FindPython(s.pythons, v) != nullptr) continue;  // a real interpreter (python_variants.h)
    if (FindVariant(v) == nullptr && v.find(':') == std::string::npos)
      throw InputError(fmt::format("{}: unknown variant '{}'", name("--variants", "variants"), v));
    CheckMechanismVariantInSweep(v, s.in_process, name("--variants", "variants"));
  }
  distinct(s.variants, "--variants", "variants");
  if (s.workloads.empty()) throw InputError(name("--workloads", "workloads") + ": no workload");
  for (const std::string& w : s.workloads)
    if (FindWorkloadSpec(w) == nullptr)
      throw InputError(fmt::format("{}: unknown workload '{}' (ftbench list shows them)", name("--workloads", "workloads"), w));
  distinct(s.workloads, "--workloads", "workloads");
  if (s.threads.empty()) throw InputError(name("--threads", "threads") + ": no thread count");
  for (int t : s.threads)
    if (t < 1 || t > kMaxThreads)
      throw InputError(fmt::format("{}: {} is not between 1 and {}", name("--threads", "threads"), t, kMaxThreads));
  distinct(s.threads, "--threads", "threads");
  if (s.repetitions < 1 || s.repetitions > 1000)
    throw InputError(fmt::format("{}: {} is not between 1 and 1000", name("--repetitions", "repetitions"), s.repetitions));
  if (s.warmup < 0 || s.warmup > 100)
    throw InputError(fmt::format("{}: {} is not between 0 and 100", name("--warmup", "warmup"), s.warmup));
  if (!std::isfinite(s.work_scale) || s.work_scale <= 0 || s.work_scale > 1e6)
    throw InputError(fmt::format("{}: {} is not a finite number in (0, 1e6]", name("--work-scale", "work_scale"), s.work_scale));
  for (const std::string& w : s.workloads) CheckSize(ScaledSize(FindWorkloadSpec(w)->default_size, s.work_scale));
  CheckKnobs(s.workloads, s.knobs);
  if (!s.valgrind.empty()) {
    for (int t : s.threads)
      if (t != 1) throw InputError(fmt::format("{}: {}: instruction counts are single-thread only", name("--threads", "threads"), t));
    if (access(s.valgrind.c_str(), X_OK) != 0)
      throw InputError(fmt::format("counting instructions needs valgrind, and {} is not executable", s.valgrind));
  }
  // Checked last, on counts now known to be bounded: the plan holds every run in memory.
  std::size_t runs = s.variants.size() * s.workloads.size() * s.threads.size() * static_cast<std::size_t>(s.repetitions);
  if (runs > kMaxRunsPerSweep)
    throw InputError(fmt::format("a sweep of {} runs is more than {} (fewer thread counts or repetitions)", runs,
                                      kMaxRunsPerSweep));
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
      if (FindPython(s.pythons, v) == nullptr || FindWorkloadSpec(w)->tier == "py")
        for (int t : s.threads) cells.push_back({w, v, t, 0});
  if (s.calibration)
    for (int t : s.threads) cells.push_back({kCalibrationWorkload, kCalibrationVariant, t, 0});
  std::vector<PlannedRun> plan;
  for (int rep = 0; rep < s.repetitions; ++rep) {
    std::vector<RunKey> order = cells;
    std::mt19937_64 rng(s.seed + static_cast<std::uint64_t>(rep));
    std::shuffle(order.begin(), order.end(), rng);
    for (RunKey key : order) {
      key.repetition = rep;
      if (!s.baseline.enabled() || IsCalibration(key.workload, key.variant)) {
        plan.push_back({key});
        continue;
      }
      RunKey base = key;
      base.build = kBaseBuild;
      bool base_first = (rng() & 1) != 0;
      plan.push_back({base_first ? base : key});
      plan.push_back({base_first ? key : base});
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

// The process group of the cell child running now; 0 when none.
std::atomic<pid_t> g_running_group{0};
static_assert(std::atomic<pid_t>::is_always_lock_free);

}  // namespace

void KillRunningCell() noexcept { KillProcessGroup(g_running_group.load()); }

namespace {

std::string RunCellChild(const std::string& self, const RunKey& key, const std::vector<std::string>& args,
                         const std::atomic<bool>& interrupted);

// Runs one cell in a child process (`ftbench cell ...`, under `wrapper` when it is not empty) and
// reads its record from the child's standard output.
CellRecord RunIsolated(const std::string& self, const SweepSettings& s, const RunKey& key, std::int64_t size,
                       int warmup, const std::atomic<bool>& interrupted, const std::vector<std::string>& wrapper = {}) {
  std::vector<std::string> args = wrapper;
  std::vector<std::string> cell = {self, "cell", "--variant", key.variant, "--workload", key.workload,
                                   "--warmup", std::to_string(warmup),
                                   "--threads", std::to_string(key.threads), "--size", std::to_string(size),
                                   "--scaling", ScalingName(s.scaling),
                                   "--placement", PlacementName(s.placement)};
  args.insert(args.end(), cell.begin(), cell.end());
  for (const auto& [name, value] : s.knobs) {
    args.push_back("--knob");
    args.push_back(fmt::format("{}={}", name, value));
  }
  return CellRecordFromJson(json::parse(RunCellChild(self, key, args, interrupted)));
}

// One measured run of a real interpreter's cell (python_variants.h): the driver in a fresh
// process, its warm-up runs before it, its threads pinned to the PUs of the placement plan.
CellRecord RunPythonCell(const PythonInterpreter& python, const SweepSettings& s, const RunKey& key, std::int64_t size,
                         int warmup, const Topology& topology, const std::atomic<bool>& interrupted) {
  static const std::filesystem::path driver = CellDriverPath();
  std::vector<std::string> args =
      PythonCellCommand(python, driver, PythonWorkloadFile(key.workload), key.threads, size, ScalingName(s.scaling),
                        warmup, topology.Plan(key.threads, s.placement));
  std::string text = RunCellChild("", key, args, interrupted);
  try {
    return PythonCellRecordFromJson(json::parse(text));
  } catch (const json::exception& e) {
    throw std::runtime_error(fmt::format("{} printed no cell record ({})", CellName(key.workload, key.variant, key.threads),
                                         e.what()));
  }
}

// Runs `args` as a cell's child process and returns its standard output. `self`: ftbench's own
// path (messages name "the child running" it); empty for another program (a real interpreter).
std::string RunCellChild(const std::string& self, const RunKey& key, const std::vector<std::string>& args,
                         const std::atomic<bool>& interrupted) {
  if (args.front().empty() || access(args.front().c_str(), X_OK) != 0)
    throw std::runtime_error("cannot start " + args.front() + " for an isolated cell: not an executable");
  // Its own process group: Ctrl-C at the terminal reaches the sweep alone, which kills the group
  // (KillRunningCell). And it dies with the sweep, however the sweep ends (SIGKILL included): no
  // cell outlives it. Its stderr goes to a file read after it exits: a warning every run repeats
  // (the legacy module's, 40 times a quick sweep) is shown once.
  ChildProcess child(args, {.own_group = true, .die_with_parent = true, .capture_stdout = true, .capture_stderr = true,
                            .default_signals = {}, .environment = MechanismsEnvironment(key.variant)});
  g_running_group.store(child.pid());
  struct Unpublish {  // before ~ChildProcess reaps it, should anything below throw
    ~Unpublish() { g_running_group.store(0); }
  } unpublish;
  if (interrupted.load()) KillRunningCell();  // a signal that came before the store above
  std::string text = child.ReadStdout();
  ExitStatus status = child.Wait([] { g_running_group.store(0); });  // unpublished before it is reaped
  std::string messages = child.Stderr();
  const bool failed = !status.Ok();
  static std::set<std::string> shown;
  std::istringstream lines(messages);
  for (std::string line; std::getline(lines, line);)
    if (failed || shown.insert(line).second) std::fprintf(stderr, "%s\n", line.c_str());
  // Exit status 2: the cell's environment (its message is above), not a bug. A real interpreter
  // that fails (a workload raising under it: its traceback above; or the interpreter crashing) is
  // that workload's or interpreter's problem, not ftbench's: reported as unusable input too.
  if (failed)
    throw CellFailure(fmt::format("{} {} {}", args.front() == self ? "the child running" : args.front() + " running",
                                  CellName(key.workload, key.variant, key.threads), status.Describe()),
                      self.empty() || (status.signal == 0 && status.code == 2));
  return text;
}

// One run under callgrind: instrumentation off until the cell runner switches it on for the
// measured region. The output file stays in the results directory for callgrind_annotate.
CellRecord RunUnderCallgrind(const std::string& self, const SweepSettings& s, const RunKey& key, std::int64_t size,
                             const std::filesystem::path& dir, const std::atomic<bool>& interrupted) {
  std::filesystem::create_directories(dir);
  std::filesystem::path file =
      dir / fmt::format("{}.{}.t{}.r{}.out", key.workload, key.variant, key.threads, key.repetition);
  std::filesystem::remove(file);
  CellRecord record = RunIsolated(self, s, key, size, 0, interrupted,
                                  {s.valgrind, "--tool=callgrind", "--quiet", "--instr-atstart=no",
                                   "--callgrind-out-file=" + file.string()});
  record.instructions = CallgrindTotal(file);
  return record;
}

// The longest a killed sweep (SIGKILL, a crash) can lose; Ctrl-C loses nothing. The files are
// renamed into place without fsync (a sync every two seconds would put disk writes inside the
// measurements): they survive the process dying, not the machine losing power or crashing, after
// which results.json may be empty or older.
constexpr std::chrono::seconds kFlushInterval{2};

std::string FormatDuration(double seconds) {
  auto s = static_cast<long>(seconds + 0.5);
  return s >= 60 ? fmt::format("{}m{:02}s", s / 60, s % 60) : fmt::format("{}s", s);
}

}  // namespace

std::vector<std::string> RunSweep(const SweepSettings& s, ResultsStore& store, const Topology& topology,
                                  const std::string& self, const std::atomic<bool>& interrupted,
                                  ResultsStore* base_store) {
  std::vector<PlannedRun> plan = PlanSweep(s);
  if (s.baseline.enabled() && base_store == nullptr) throw std::logic_error("a paired sweep without its base store");
  auto store_of = [&](const RunKey& key) -> ResultsStore& { return key.build.empty() ? store : *base_store; };
  std::size_t total = plan.size(), done = 0;
  for (const PlannedRun& p : plan) done += store_of(p.key).Has(p.key) ? 1 : 0;
  const bool tty = isatty(STDERR_FILENO) != 0;
  const auto start = std::chrono::steady_clock::now();
  const std::size_t done_at_start = done;
  std::set<std::string> warmed;
  std::map<std::string, std::string> reference_checksums;  // per workload
  std::vector<std::string> problems;
  // Reference checksums from runs already on disk (resume), per build (a base side at another
  // work scale has other sizes).
  for (const json& row : store.Runs()) reference_checksums.try_emplace(row["workload"], row["checksum"]);
  if (base_store != nullptr)
    for (const json& row : base_store->Runs())
      reference_checksums.try_emplace(std::string(kBaseBuild) + ":" + row["workload"].get<std::string>(), row["checksum"]);

  auto last_flush = std::chrono::steady_clock::now();
  bool added = false;  // nothing added (a resume with nothing left): the files are up to date
  struct FlushAtExit {  // also when a run throws: what finished is kept
    ResultsStore& store;
    const bool& added;
    ~FlushAtExit() {
      if (!added) return;
      try {
        store.Flush();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "ftbench: error: cannot write %s: %s\n", store.dir().c_str(), e.what());
      }
    }
  } flush_at_exit{store, added};
  std::optional<FlushAtExit> flush_base_at_exit;
  if (base_store != nullptr) flush_base_at_exit.emplace(*base_store, added);
  for (const PlannedRun& p : plan) {
    if (interrupted.load()) break;
    if (store_of(p.key).Has(p.key)) continue;
    const bool base_run = !p.key.build.empty();
    // The calibration cell (calibration.h) is planned and run like a cell, without a runtime.
    const bool calibration = IsCalibration(p.key.workload, p.key.variant);
    const PythonInterpreter* python = FindPython(s.pythons, p.key.variant);  // a real interpreter's cell
    const WorkloadSpec* spec = calibration ? nullptr : FindWorkloadSpec(p.key.workload);
    const Variant* variant = calibration || python != nullptr ? nullptr : ResolveMechanismVariant(p.key.variant).variant;
    if (!calibration && (spec == nullptr || (variant == nullptr && python == nullptr)))
      throw std::runtime_error("unknown workload or variant in the plan");
    const WorkloadEntry* entry = variant == nullptr ? nullptr : variant->Find(p.key.workload);
    std::int64_t size = ScaledSize(calibration ? kCalibrationDefaultSize : spec->default_size,
                                   base_run ? s.baseline.work_scale : s.work_scale);
    CellConfig config = calibration ? CellConfig{} : MakeConfig(*spec, p.key.threads, size, s.scaling, s.knobs);
    const bool own_process = !s.in_process || (spec != nullptr && spec->process_wide_side_effect);
    auto run_once = [&](int warmup_in_child) {
      if (python != nullptr) return RunPythonCell(*python, s, p.key, size, warmup_in_child, topology, interrupted);
      if (!s.valgrind.empty()) return RunUnderCallgrind(self, s, p.key, size, store.dir() / "callgrind", interrupted);
      if (own_process || base_run)
        return RunIsolated(base_run ? s.baseline.binary : self, s, p.key, size, warmup_in_child, interrupted);
      BindFn bind = MakeBinder(topology, topology.Plan(p.key.threads, s.placement));
      if (calibration) return RunCalibration(p.key.threads, size, s.scaling, bind);
      return RunCell(*variant, *entry, config, bind);
    };
    std::string cell = CellName(p.key.workload, p.key.variant, p.key.threads) + (base_run ? " (base)" : "");
    // A real interpreter's run is always a process of its own, its warm-up runs in it.
    const bool warm_in_child = !s.in_process || python != nullptr;
    if (!warm_in_child && warmed.insert(cell).second)
      for (int w = 0; w < s.warmup && !interrupted.load(); ++w) run_once(0);
    double load = LoadAverage1m();
    int others = OtherRunnableTasks();
    CellRecord record;
    try {
      record = run_once(warm_in_child ? s.warmup : 0);
    } catch (const std::runtime_error&) {
      if (interrupted.load()) break;  // a child stopped by the same Ctrl-C (e.g. kill -INT -PGID)
      throw;
    }
    store_of(p.key).Add(p.key, calibration ? kCalibrationCategory : spec->category, record, load, others, topology.Pus());
    added = true;
    // Rewriting results.json serialises every run (and recomputes the aggregates of the cells that
    // changed), so not after every run: a sweep of a thousand runs would spend as long writing as
    // measuring. Signals and errors flush below.
    if (std::chrono::steady_clock::now() - last_flush >= kFlushInterval) {
      store.Flush();
      if (base_store != nullptr) base_store->Flush();
      last_flush = std::chrono::steady_clock::now();
    }
    ++done;

    std::string checksum = fmt::format("{:#x}", record.checksum);
    // The calibration's checksum (its threads' final states) depends on the thread count under
    // strong scaling: it shows that the kernel ran, and is not compared across cells.
    auto [ref, fresh] =
        reference_checksums.try_emplace(base_run ? std::string(kBaseBuild) + ":" + p.key.workload : p.key.workload, checksum);
    if (!calibration && !fresh && ref->second != checksum)
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
