// ftbench run: the main job. Sweeps variants x workloads x thread counts with threads pinned by
// hwloc, repeats and interleaves, and writes results.json, results.csv and results.txt.
#include <fmt/core.h>
#include <fcntl.h>
#include <fmt/ranges.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <cerrno>
#include <filesystem>

#include "commands.h"
#include "machine_context.h"
#include "mechanism_variants.h"
#include "baseline.h"
#include "options.h"
#include "sweep.h"
#include "workload_select.h"

namespace ftb::cli {
namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0};
std::string g_second_signal_message;  // written by the handler, so composed before it is installed

// SIGINT, SIGTERM and SIGHUP alike: the first kills the running cell's child and lets the sweep
// stop, write what finished and exit 128 + the signal; a second stops at once. results.json is
// then what the last write left, whole: every write goes to a temporary file renamed over it.
extern "C" void OnSignal(int sig) {
  bench::KillRunningCell();
  if (g_signal.exchange(sig) != 0) {
    ssize_t ignored = write(STDERR_FILENO, g_second_signal_message.data(), g_second_signal_message.size());
    (void)ignored;
    _exit(128 + sig);
  }
  g_interrupted.store(true);
}

void HandleInterrupts(const std::filesystem::path& dir) {
  g_second_signal_message = fmt::format("\nftbench run: stopped at once by a second signal; {} holds the runs of its last write\n",
                                        (dir / "results.json").string());
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &action, nullptr);
}

// Holds DIR/.lock (an exclusive flock, released when this process ends, however it ends) with this
// process's pid in it: two processes never write one results directory. Held already: UsageError
// naming the holder.
void LockResultsDir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UsageError(fmt::format("cannot create the results directory {}: {}", dir.string(), ec.message()));
  std::string path = (dir / ".lock").string();
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw UsageError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    if (error != EWOULDBLOCK) {
      close(fd);
      throw UsageError(fmt::format("cannot lock {}: {}", path, std::strerror(error)));
    }
    std::string pid;
    for (int attempt = 0; attempt < 50 && pid.empty(); ++attempt) {  // the holder writes it just after locking
      char buf[32] = {};
      ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
      pid = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
      while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
      if (pid.empty()) usleep(10'000);
    }
    close(fd);
    throw UsageError(fmt::format("{} is being written by ftbench pid {} (its lock: {})", dir.string(),
                                 pid.empty() ? "unknown" : pid, path));
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
    fmt::print(stderr, "ftbench: warning: cannot write the pid into {}\n", path);
  // fd stays open: the lock lasts as long as this process.
}

// The defaults of --repetitions and --warmup: bench::kDefaultRepetitions and kDefaultWarmup
// (sweep.h says why). --quick pays for its warm-up with a fifth of each default size: the whole
// quick suite in about three minutes on 2 cores.
constexpr int kRepetitions = bench::kDefaultRepetitions;
constexpr int kWarmup = bench::kDefaultWarmup;
constexpr double kQuickSize = 0.2;
// The counts do not vary from run to run, so a counting run needs neither repetitions nor a long
// region; a tenth of each default size keeps every cell to seconds under callgrind.
constexpr double kInstructionsSize = 0.1;

struct RunOptions {
  std::vector<std::string> variants;
  std::vector<std::string> mechanisms;
  std::vector<std::string> workloads;
  std::vector<std::string> threads_words;
  std::vector<int> threads;
  std::string placement = "compact";
  std::string scaling = "strong";
  int repetitions = 0;    // 0: the default (kRepetitions; 1 with --instructions)
  int warmup = -1;        // -1: the default (kWarmup)
  double work_scale = 1;  // times kQuickSize with --quick, kInstructionsSize with --instructions
  std::uint64_t seed = 0;
  bool seed_given = false;
  bool quick = false;
  bool instructions = false;
  bool in_process = false;
  bool no_calibration = false;
  std::string out;
  std::string resume;
  std::vector<std::string> knobs;
  std::vector<std::string> pythons;  // --python: interpreter paths (python_variants.h)
  std::string command_line;
  std::string baseline_binary;      // --baseline-binary: a paired sweep (bench/baseline.h)
  double baseline_work_scale = 0;   // --baseline-work-scale; 0: the same as --work-scale
};

// 1, then powers of two up to the number of cores, plus the core count itself.
std::vector<int> DefaultThreads(int cores) {
  std::vector<int> t = {1};
  for (int n = 2; n <= cores; n *= 2) t.push_back(n);
  if (t.back() != cores) t.push_back(cores);
  return t;
}

// The first executable NAME on PATH, or "" when there is none.
std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = (end > start ? dirs.substr(start, end - start) : ".") + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

// --instructions: the defaults of a counting run, and what it cannot do.
void SetInstructionDefaults(RunOptions& o, bench::SweepSettings& settings) {
  for (int t : settings.threads)
    if (t != 1)
      throw UsageError(fmt::format(
          "--instructions counts single-thread cells only (threads that wait for each other do not run a "
          "deterministic number of instructions): drop --threads {} or pass --threads 1", t));
  if (o.placement != "compact" && o.placement != "none")
    throw UsageError("--instructions runs under valgrind, which runs one thread at a time: drop --placement");
  settings.placement = bench::Placement::kNone;
  settings.calibration = false;  // one thread: there is no parallelism to calibrate
  // Every counting run is a callgrind child process, whatever --in-process says: record it so.
  if (settings.in_process)
    fmt::print(stderr, "ftbench: note: --instructions runs every cell in a callgrind child process; --in-process has no effect\n");
  settings.in_process = false;
  settings.repetitions = o.repetitions > 0 ? o.repetitions : 1;
  settings.warmup = 0;
  settings.work_scale = o.work_scale * kInstructionsSize;
  settings.valgrind = FindOnPath("valgrind");
  if (settings.valgrind.empty())
    throw UsageError("--instructions needs valgrind (callgrind) on PATH: apt-get install valgrind");
}

// --python: probes each interpreter (exit 2 for a bad one, before anything runs) and adds its
// variant, which runs the Python workloads only (python_variants.h).
void AddPythonVariants(const RunOptions& o, bench::SweepSettings& settings) {
  if (o.pythons.empty()) return;
  if (o.instructions) throw UsageError("--instructions counts ftbench's own cells: drop --python");
  if (std::none_of(settings.workloads.begin(), settings.workloads.end(),
                   [](const std::string& w) { return bench::FindWorkloadSpec(w)->tier == "py"; }))
    throw UsageError("--python runs the Python workloads (py.*), and none is selected: add --workloads py");
  if (bench::CellDriverPath().empty())
    throw UsageError("--python needs ftbench's cell driver (share/ftbench/python/cell_driver.py), which is not installed");
  settings.pythons = bench::ProbePythons(o.pythons);
  for (const bench::PythonInterpreter& p : settings.pythons) {
    if (std::find(settings.variants.begin(), settings.variants.end(), p.variant) != settings.variants.end())
      throw UsageError(fmt::format("--python {}: its variant {} is already in the sweep", p.path, p.variant));
    settings.variants.push_back(p.variant);
    fmt::print(stderr, "{}: {} (Python {}, GIL {})\n", p.variant, p.path, p.version, p.gil_enabled ? "on" : "off");
  }
}

// Stops before the first run when a cell would run out of file descriptors (UsageError).
void CheckSweepDescriptors(const bench::SweepSettings& settings) {
  int max_threads = *std::max_element(settings.threads.begin(), settings.threads.end());
  for (const std::string& w : settings.workloads) bench::CheckDescriptors(*bench::FindWorkloadSpec(w), max_threads);
}

// --out: a directory this process can create and write into; else UsageError (exit 2) now, not a
// failure after the sweep ran.
void CheckOutputDirectory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UsageError(fmt::format("--out {}: cannot create the results directory: {}", dir, ec.message()));
  if (!std::filesystem::is_directory(dir, ec)) throw UsageError(fmt::format("--out {}: not a directory", dir));
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    throw UsageError(fmt::format("--out {}: cannot write into the directory: {}", dir, std::strerror(errno)));
}

std::string DefaultOutDir(const std::string& host) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d-%H%M%S", &tm);
  return fmt::format("results/{}-{}", date, host);
}

// --resume of a paired sweep: the base runs recorded so far, and the base binary checked again; a
// binary that now says another --version is refused (its runs would not pair with the old ones).
std::unique_ptr<bench::ResultsStore> ResumeBaseline(const std::string& dir, bench::SweepSettings& settings) {
  std::unique_ptr<bench::ResultsStore> base;
  try {
    base = std::make_unique<bench::ResultsStore>(bench::ResultsStore::Load(dir, bench::kBaselineStem));
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());  // "cannot resume: DIR/baseline.json ...", one line
  }
  bench::BaselineSettings probed = bench::ProbeBaselineBinary(settings.baseline.binary, settings.workloads,
                                                              settings.variants, settings.baseline.work_scale);
  if (probed.version != settings.baseline.version)
    throw UsageError(fmt::format("cannot resume {}: the base binary {} now reports another version", dir,
                                 settings.baseline.binary));
  return base;
}

int Run(RunOptions& o) {
  bench::Topology topology = bench::Topology::Load();
  std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::unique_ptr<bench::ResultsStore> store, base_store;
  bench::SweepSettings settings;
  if (!o.resume.empty()) {
    if (std::filesystem::is_directory(o.resume)) LockResultsDir(o.resume);
    try {
      store = std::make_unique<bench::ResultsStore>(bench::ResultsStore::Load(o.resume));
      settings = bench::SweepSettings::ReadFrom(store->context()["ftbench"]);
      bench::CheckSweepSettings(settings, true);
      CheckSweepDescriptors(settings);
      bench::ReprobePythons(settings.pythons);
    } catch (const std::runtime_error& e) {
      std::string message = e.what();
      if (std::size_t eol = message.find('\n'); eol != std::string::npos) {  // one line: a list that follows is dropped
        message.resize(eol);
        if (message.back() == ':') message.resize(std::min(message.size(), message.rfind(';')));
      }
      throw UsageError(message.rfind("cannot resume", 0) == 0 ? message : "cannot resume " + o.resume + ": " + message);
    }
    if (settings.baseline.enabled()) base_store = ResumeBaseline(o.resume, settings);
    fmt::print(stderr, "resuming {}: {} runs already done\n", o.resume,
               store->size() + (base_store ? base_store->size() : 0));
  } else {
    settings.variants = bench::ExpandMechanismVariants(o.variants, o.mechanisms);
    settings.mechanisms = bench::ParseMechanismsList(o.mechanisms);
    settings.workloads = bench::ResolveWorkloads(o.workloads);
    settings.threads = o.threads.empty() ? DefaultThreads(topology.Cores()) : o.threads;
    settings.placement = *bench::ParsePlacement(o.placement);  // checked by PlacementChoice
    settings.scaling = *bench::ParseScaling(o.scaling);        // checked by ScalingChoice
    settings.quick = o.quick;
    settings.repetitions = o.repetitions > 0 ? o.repetitions : kRepetitions;
    settings.warmup = o.warmup >= 0 ? o.warmup : kWarmup;
    settings.work_scale = o.work_scale * (o.quick ? kQuickSize : 1.0);
    settings.in_process = o.in_process;
    settings.calibration = !o.no_calibration;
    if (o.instructions) {
      if (o.threads.empty()) settings.threads = {1};
      SetInstructionDefaults(o, settings);
    }
    settings.seed = o.seed_given ? o.seed : static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
    settings.knobs = ParseKnobs(o.knobs);
    AddPythonVariants(o, settings);
    bench::CheckSweepSettings(settings, false);
    CheckSweepDescriptors(settings);
    if (!o.baseline_binary.empty())
      settings.baseline = bench::ProbeBaselineBinary(
          o.baseline_binary, settings.workloads, settings.variants,
          o.baseline_work_scale > 0 ? o.baseline_work_scale * (o.quick ? kQuickSize : 1.0) : settings.work_scale);
    settings.command_line = o.command_line;
    nlohmann::json context = bench::MachineContext(topology, self);
    settings.WriteTo(context["ftbench"]);
    std::string dir = o.out.empty() ? DefaultOutDir(context["host_name"]) : o.out;
    CheckOutputDirectory(dir);
    LockResultsDir(dir);
    if (std::filesystem::exists(std::filesystem::path(dir) / "results.json"))
      throw UsageError(dir + " already holds results.json: use --resume " + dir + " to complete it, or another --out");
    store = std::make_unique<bench::ResultsStore>(dir, context);
    store->Flush();
    if (settings.baseline.enabled()) {
      base_store = std::make_unique<bench::ResultsStore>(dir, bench::BaselineContext(context, settings.baseline),
                                                         bench::kBaselineStem);
      base_store->Flush();
    }
  }
  if (settings.baseline.enabled())
    fmt::print(stderr, "paired with the base binary {} ({}), work scale {}, its runs into {}.json\n",
               settings.baseline.binary, settings.baseline.version.substr(0, settings.baseline.version.find('\n')),
               settings.baseline.work_scale, (store->dir() / bench::kBaselineStem).string());
  int max_threads = *std::max_element(settings.threads.begin(), settings.threads.end());
  if (max_threads > topology.Pus())
    fmt::print(stderr, "ftbench: warning: {} threads on {} PUs: oversubscribed (a legitimate experiment for the global lock)\n",
               max_threads, topology.Pus());
  double load = bench::LoadAverage1m();
  if (load > topology.Pus() - 0.5 && settings.valgrind.empty())
    fmt::print(stderr, "ftbench: warning: the machine is busy (load average {:.2f} on {} PUs): results will be noisy\n", load,
               topology.Pus());
  if (!settings.valgrind.empty())
    fmt::print(stderr, "counting instructions under {} --tool=callgrind (work scale {}); callgrind's files go to {}\n",
               settings.valgrind, settings.work_scale, (store->dir() / "callgrind").string());
  fmt::print(stderr, "sweep: {} variants x {} workloads x threads {} x {} repetitions{}, seed {}, into {}\n",
             settings.variants.size(), settings.workloads.size(), fmt::format("{}", fmt::join(settings.threads, ",")),
             settings.repetitions, settings.calibration ? ", with a machine calibration cell per thread count" : "",
             settings.seed, store->dir().string());

  HandleInterrupts(store->dir());
  std::vector<std::string> problems = bench::RunSweep(settings, *store, topology, self, g_interrupted, base_store.get());

  fmt::print("{}", store->Table());
  for (const std::string& p : problems) fmt::print(stderr, "ftbench: error: {}\n", p);
  if (int sig = g_signal.load(); sig != 0) {
    std::size_t planned = bench::PlanSweep(settings).size();  // a real interpreter's variant: py.* only; both builds
    std::fflush(stdout);
    fmt::print(stderr, "ftbench run: interrupted by {}; {} of {} runs kept in {}; --resume {} continues\n",
               sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP",
               store->size() + (base_store ? base_store->size() : 0), planned,
               store->dir().string(), store->dir().string());
    return 128 + sig;
  }
  fmt::print("results: {}\n", (store->dir() / "results.json").string());
  return problems.empty() ? 0 : 1;
}

}  // namespace

void AddRunCommand(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Sweep variants x workloads x thread counts and write results");
  CLI::Option* variants = AddListOption(cmd, "--variants", o->variants, "variants to run (default: all)");
  CLI::Option* mechanisms = AddListOption(
      cmd, "--mechanisms", o->mechanisms,
      "brc's mechanisms for shared objects, each setting its own variant: 3.14 (the default, plain brc), 3.13 "
      "(brc:3.13), none (brc:none), or mechanisms joined by '+' (default: 3.14)");
  CLI::Option* workloads = AddListOption(cmd, "--workloads", o->workloads, "workload names or categories (default: all)");
  AddWorkloadFileOption(cmd);
  CLI::Option* threads = AddListOption(
      cmd, "--threads", o->threads_words,
      "thread counts, e.g. 1,2,4, each once (default: 1, powers of two up to the core count, and the core count)");
  cmd->add_option("--placement", o->placement, "compact | scatter | none")->check(PlacementChoice());
  cmd->add_option("--scaling", o->scaling, "strong (fixed total work) | weak (fixed work per thread)")
      ->check(ScalingChoice());
  cmd->add_option("--repetitions", o->repetitions,
                  fmt::format("measured runs per cell (default {}, --quick too; --instructions: 1)", kRepetitions))
      ->check(WholeNumber(1, 1000));
  cmd->add_option("--warmup", o->warmup,
                  "unmeasured runs before each measured run, in its process (with --in-process: before a cell's first) "
                  "(default 1, --quick too)")
      ->check(WholeNumber(0, 100));
  cmd->add_option("--work-scale", o->work_scale,
                  "multiply every workload's default size (default 1; --quick then takes a fifth, --instructions "
                  "a tenth)")
      ->check(FiniteNumber(1e-6, 1e6));
  cmd->add_flag("--in-process", o->in_process,
                "run everything in this process (faster; a cell's repetitions then share one address-space "
                "layout, which compare cannot see)");
  cmd->add_flag("--no-calibration", o->no_calibration,
                "leave out the machine calibration cell (a pure-CPU kernel run at every thread count in "
                "every repetition round, whose speedup is the machine's own)");
  auto* seed = cmd->add_option("--seed", o->seed, "shuffle seed (default: from the clock; always recorded)");
  cmd->add_option("--out", o->out, "results directory (default results/<date>-<host>)");
  cmd->add_option("--resume", o->resume, "complete an interrupted sweep in DIR with its recorded settings");
  cmd->add_option("--knob", o->knobs, "NAME=VALUE or WORKLOAD.NAME=VALUE (repeatable)");
  CLI::Option* pythons = AddListOption(
      cmd, "--python", o->pythons,
      "real Python interpreters (3.11 or newer), each a variant cpython-X.Y[t] running the Python workloads");
  auto* baseline = cmd->add_option(
      "--baseline-binary", o->baseline_binary,
      "a paired sweep: every cell also run by this other ftbench build, back to back with this build's run in "
      "every repetition round (its runs in DIR/baseline.json; compare --paired DIR tests them)");
  auto* baseline_scale = cmd->add_option(
      "--baseline-work-scale", o->baseline_work_scale,
      "the base side's --work-scale (default: the same as this side's): a testing aid, e.g. --work-scale 1.05 "
      "--baseline-work-scale 1 with this binary as base makes this side do 5% more work")
      ->check(FiniteNumber(1e-6, 1e6));
  cmd->add_flag("--quick", o->quick,
                fmt::format("{} repetitions, each after {} warm-up run, a fifth of the work: the whole suite in about "
                            "three minutes on 2 cores",
                            kRepetitions, kWarmup));
  cmd->add_flag("--instructions", o->instructions,
                "count the instructions of single-thread cells under valgrind's callgrind instead of timing them "
                "(deterministic, for noisy CI machines; 1 repetition, a tenth of each size)");
  cmd->callback([o, seed, cmd, variants, mechanisms, workloads, threads, pythons, baseline, baseline_scale] {
    o->seed_given = seed->count() > 0;
    o->variants = SplitList(o->variants, "--variants", variants->count() > 0);
    o->mechanisms = SplitList(o->mechanisms, "--mechanisms", mechanisms->count() > 0);
    o->workloads = SplitList(o->workloads, "--workloads", workloads->count() > 0);
    o->threads = ParseThreadList(o->threads_words, "--threads", threads->count() > 0);
    o->pythons = SplitList(o->pythons, "--python", pythons->count() > 0);
    if (!o->resume.empty()) {
      for (const char* other : {"--variants", "--workloads", "--threads", "--placement", "--scaling", "--repetitions",
                                "--warmup", "--work-scale", "--seed", "--out", "--knob", "--quick", "--instructions",
                                "--in-process", "--no-calibration", "--mechanisms", "--python", "--baseline-binary",
                                "--baseline-work-scale"})
        if (cmd->count(other) > 0) throw UsageError(std::string("--resume uses the recorded settings; drop ") + other);
    }
    if (baseline_scale->count() > 0 && baseline->count() == 0)
      throw UsageError("--baseline-work-scale needs --baseline-binary");
    if (baseline->count() > 0 && o->baseline_binary.empty()) throw UsageError("--baseline-binary: the path is empty");
    if (baseline->count() > 0 && pythons->count() > 0)
      throw UsageError("--baseline-binary pairs two ftbench builds; real interpreters (--python) have no base build: "
                       "drop one");
    if (baseline->count() > 0 && (o->in_process || o->instructions))
      throw UsageError(std::string("--baseline-binary runs every cell in a child process and times it: drop ") +
                       (o->in_process ? "--in-process" : "--instructions"));
    o->command_line = InvocationLine();
    if (int code = Run(*o); code != 0) throw ExitStatus{code};
  });
}

}  // namespace ftb::cli
