// ftbench validate: every workload, every variant, 1, 2 and 8 threads, strong and weak scaling,
// at a small size. A cell passes when its checksum equals the single-thread gil result of the same
// mode and no object leaked (ck's regressions: validate before you benchmark). Exits 0 only if
// every cell passes; each failure gets one line naming variant, workload, threads and mode.
//
// Workloads with a process-wide side effect (legacy_ext turns the global lock on for the rest of
// the process) run after all the others, so that they cannot change what the others test.
#include <fmt/core.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "cell_runner.h"
#include "commands.h"
#include "options.h"
#include "workload_select.h"

namespace ftb::cli {
namespace {

struct ValidateOptions {
  std::vector<std::string> workloads;
  std::vector<std::string> variants;
  std::vector<std::string> threads_words;
  std::vector<int> threads{1, 2, 8};
  double size_scale = 1.0;
  std::int64_t size = 0;
  bool size_given = false;  // else each workload's own size, times size_scale
  std::vector<std::string> knobs;
  bool verbose = false;
  bool time = false;
};

const bench::WorkloadEntry& EntryOf(const bench::Variant& variant, const std::string& workload) {
  const bench::WorkloadEntry* entry = variant.Find(workload);
  if (entry == nullptr) throw std::runtime_error("variant " + variant.runtime.name + " has no workload " + workload);
  return *entry;
}

// legacy_ext must leave the global lock on in every variant, unless FTBENCH_GIL=0 keeps it off in
// the free-threaded ones.
bool ExpectGilAfter(const bench::Variant& variant) {
  const char* env = std::getenv("FTBENCH_GIL");
  bool forced_off = env != nullptr && std::strcmp(env, "0") == 0;
  return variant.runtime.name == "gil" || !forced_off;
}

// The size a workload runs at: --size if given, else its own size scaled by --size-scale.
std::int64_t SizeFor(const ValidateOptions& opts, std::int64_t own_size) {
  if (opts.size_given) return opts.size;
  return std::max<std::int64_t>(1, std::llround(static_cast<double>(own_size) * opts.size_scale));
}

// --time (hidden): one strong-scaling cell per workload, variant and thread count at the default
// size, to tune default sizes.
void RunTiming(const ValidateOptions& opts) {
  auto workloads = bench::ResolveWorkloads(opts.workloads);
  auto variants = bench::ResolveVariants(opts.variants);
  auto knobs = ParseKnobs(opts.knobs);
  bench::CheckKnobs(workloads, knobs);
  fmt::print("{:<18} {:>8}", "seconds", "size");
  for (const bench::Variant* v : variants)
    for (int threads : opts.threads) fmt::print(" {:>9}", fmt::format("{}@{}", v->runtime.name, threads));
  fmt::print("\n");
  for (const std::string& name : workloads) {
    const bench::WorkloadSpec& spec = *bench::FindWorkloadSpec(name);
    std::int64_t size = SizeFor(opts, spec.default_size);
    fmt::print("{:<18} {:>8}", name, size);
    std::fflush(stdout);
    for (const bench::Variant* v : variants) {
      for (int threads : opts.threads) {
        bench::CellRecord r =
            bench::RunCell(*v, EntryOf(*v, name), bench::MakeConfig(spec, threads, size, bench::Scaling::kStrong, knobs));
        fmt::print(" {:>9.3f}", r.wall_seconds);
        std::fflush(stdout);
      }
    }
    fmt::print("\n");
  }
}

void RunValidate(const ValidateOptions& opts) {
  if (opts.size_given) bench::CheckSize(opts.size);
  if (opts.time) return RunTiming(opts);
  auto workloads = bench::ResolveWorkloads(opts.workloads);
  auto variants = bench::ResolveVariants(opts.variants);
  auto knobs = ParseKnobs(opts.knobs);
  bench::CheckKnobs(workloads, knobs);
  // Every cell's descriptors fit, before the first cell runs.
  int max_threads = *std::max_element(opts.threads.begin(), opts.threads.end());
  for (const std::string& name : workloads) bench::CheckDescriptors(*bench::FindWorkloadSpec(name), max_threads);
  // The reference: the gil variant on one thread, whether or not gil is among the variants tested.
  const bench::Variant* reference = bench::FindVariant("gil");
  if (reference == nullptr) reference = variants.front();

  int cells = 0, failures = 0;
  auto fail = [&](const bench::CellRecord& r, const std::string& what) {
    ++failures;
    fmt::print("FAIL {}/{} threads={} {}: {}\n", r.variant, r.workload, r.config.threads, bench::ScalingName(r.config.scaling), what);
    std::fflush(stdout);
  };
  auto check_common = [&](const bench::Variant& variant, const bench::WorkloadSpec& spec, const bench::CellRecord& r) {
    ++cells;
    if (r.leaked_objects != 0) fail(r, fmt::format("{} objects leaked", r.leaked_objects));
    if (spec.category == "legacy" && r.gil_enabled_after != ExpectGilAfter(variant))
      fail(r, fmt::format("global lock {} after the legacy import, expected {}", r.gil_enabled_after ? "on" : "off",
                          ExpectGilAfter(variant) ? "on" : "off"));
  };

  for (const std::string& name : workloads) {
    const bench::WorkloadSpec& spec = *bench::FindWorkloadSpec(name);
    std::int64_t size = SizeFor(opts, spec.validate_size);
    for (bench::Scaling mode : {bench::Scaling::kStrong, bench::Scaling::kWeak}) {
      bench::CellRecord ref =
          bench::RunCell(*reference, EntryOf(*reference, name), bench::MakeConfig(spec, 1, size, mode, knobs));
      check_common(*reference, spec, ref);
      if (ref.checksum == 0) fail(ref, "checksum is 0 (the workload reported a wrong answer)");
      if (opts.verbose)
        fmt::print("ok?  {}/{} threads=1 {} reference checksum {:016x}\n", ref.variant, name, bench::ScalingName(mode), ref.checksum);
      for (const bench::Variant* variant : variants) {
        for (int threads : opts.threads) {
          bench::CellRecord r = bench::RunCell(*variant, EntryOf(*variant, name), bench::MakeConfig(spec, threads, size, mode, knobs));
          check_common(*variant, spec, r);
          if (r.checksum != ref.checksum)
            fail(r, fmt::format("checksum {:016x}, expected {:016x} (gil, 1 thread)", r.checksum, ref.checksum));
          if (opts.verbose)
            fmt::print("cell {}/{} threads={} {} {:.4f}s checksum {:016x}\n", r.variant, name, threads, bench::ScalingName(mode),
                       r.wall_seconds, r.checksum);
        }
      }
    }
  }
  fmt::print("validate: {} cells, {} workloads x {} variants, {} failure{}\n", cells, workloads.size(), variants.size(),
             failures, failures == 1 ? "" : "s");
  if (failures != 0) {
    fmt::print(stderr, "ftbench: validation failed: {} of {} cells\n", failures, cells);
    throw ExitStatus{1};
  }
}

}  // namespace

void AddValidateCommand(CLI::App& app) {
  auto opts = std::make_shared<ValidateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "validate", "Check every workload's checksum on every variant (1, 2, 8 threads; strong and weak) and that nothing leaks");
  CLI::Option* workloads = AddListOption(cmd, "-w,--workloads", opts->workloads, "workload or category names (default: all)");
  AddWorkloadFileOption(cmd);
  CLI::Option* variants =
      AddListOption(cmd, "-v,--variants", opts->variants, "variants to check (default: all; the reference is always gil)");
  CLI::Option* threads = AddListOption(cmd, "-t,--threads", opts->threads_words, "thread counts (default: 1,2,8)");
  cmd->add_option("--size-scale", opts->size_scale, "multiply every workload's validate size (e.g. 0.25 under tsan)")
      ->check(FiniteNumber(1e-6, 1e6));
  CLI::Option* size = cmd->add_option("-s,--size", opts->size, "work units for every workload instead of its validate size")
                          ->check(WholeNumber(INT64_MIN, INT64_MAX));  // the range: CheckSize
  cmd->add_option("-k,--knob", opts->knobs, "override a knob: name=value or workload.name=value (repeatable)");
  cmd->add_flag("--verbose", opts->verbose, "print every cell");
  cmd->add_flag("--time", opts->time, "time each workload's default size on one thread instead (for tuning)")->group("");
  cmd->callback([opts, size, workloads, variants, threads] {
    opts->size_given = size->count() > 0;
    opts->workloads = SplitList(opts->workloads, "--workloads", workloads->count() > 0);
    opts->variants = SplitList(opts->variants, "--variants", variants->count() > 0);
    if (threads->count() > 0) opts->threads = ParseThreadList(opts->threads_words, "--threads", true);
    RunValidate(*opts);
  });
}

}  // namespace ftb::cli
