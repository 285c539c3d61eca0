#include "workload_select.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <filesystem>
#include <sys/resource.h>

namespace ftb::bench {
namespace {

std::vector<std::string> Categories() {
  std::vector<std::string> out;
  for (const WorkloadSpec* spec : AllWorkloadSpecs())
    if (std::find(out.begin(), out.end(), spec->category) == out.end()) out.push_back(spec->category);
  for (const WorkloadSpec* spec : AllWorkloadSpecs())  // the tiers select like categories
    if (std::find(out.begin(), out.end(), spec->tier) == out.end()) out.push_back(spec->tier);
  return out;
}

std::vector<std::string> WorkloadNames() {
  std::vector<std::string> out;
  for (const WorkloadSpec* spec : AllWorkloadSpecs()) out.push_back(spec->name);
  return out;
}

const Knob* FindKnob(const WorkloadSpec& spec, const std::string& name) {
  for (const Knob& k : spec.knobs)
    if (k.name == name) return &k;
  return nullptr;
}

std::string KnobNames(const WorkloadSpec& spec) {
  if (spec.knobs.empty()) return "none";
  std::vector<std::string> names;
  for (const Knob& k : spec.knobs) names.push_back(fmt::format("{} [{}, {}]", k.name, k.min, k.max));
  return fmt::format("{}", fmt::join(names, ", "));
}

// "workload.knob" -> {"workload", "knob"}; "knob" -> {"", "knob"}.
std::pair<std::string, std::string> SplitQualified(const std::string& key) {
  std::size_t dot = key.find('.');
  if (dot == std::string::npos) return {"", key};
  return {key.substr(0, dot), key.substr(dot + 1)};
}

void CheckRange(const WorkloadSpec& spec, const Knob& knob, double value) {
  if (!(value >= knob.min && value <= knob.max))
    throw InputError(fmt::format("knob {} of workload {} must be in [{}, {}], got {}", knob.name, spec.name, knob.min,
                                 knob.max, value));
  if (knob.integer && value != std::floor(value))
    throw InputError(fmt::format("knob {} of workload {} takes whole numbers, got {}", knob.name, spec.name, value));
}

}  // namespace

const char* ScalingName(Scaling scaling) { return scaling == Scaling::kWeak ? "weak" : "strong"; }

std::optional<Scaling> ParseScaling(std::string_view name) {
  if (name == "strong") return Scaling::kStrong;
  if (name == "weak") return Scaling::kWeak;
  return std::nullopt;
}

std::vector<const WorkloadSpec*> AllWorkloadSpecs() {
  std::vector<const WorkloadSpec*> out;
  const auto& variants = Variants();
  if (variants.empty()) return out;
  for (const WorkloadEntry& w : variants.front().workloads) out.push_back(&w.spec);
  return out;
}

const WorkloadSpec* FindWorkloadSpec(const std::string& name) {
  for (const WorkloadSpec* spec : AllWorkloadSpecs())
    if (spec->name == name) return spec;
  return nullptr;
}

std::vector<std::string> ResolveWorkloads(const std::vector<std::string>& names_or_categories) {
  std::vector<std::string> selected;
  auto add = [&](const std::string& name) {
    if (std::find(selected.begin(), selected.end(), name) == selected.end()) selected.push_back(name);
  };
  if (names_or_categories.empty()) {
    for (const std::string& name : WorkloadNames()) add(name);
  }
  for (const std::string& word : names_or_categories) {
    if (FindWorkloadSpec(word) != nullptr) {
      add(word);
      continue;
    }
    bool category = false;
    for (const WorkloadSpec* spec : AllWorkloadSpecs()) {
      if (spec->category == word || spec->tier == word) {
        add(spec->name);
        category = true;
      }
    }
    if (!category)
      throw InputError(fmt::format("unknown workload or category '{}'\n  workloads: {}\n  categories: {}", word,
                                   fmt::join(WorkloadNames(), ", "), fmt::join(Categories(), ", ")));
  }
  std::stable_partition(selected.begin(), selected.end(),
                        [](const std::string& name) { return !FindWorkloadSpec(name)->process_wide_side_effect; });
  return selected;
}

std::vector<const Variant*> ResolveVariants(const std::vector<std::string>& names) {
  std::vector<const Variant*> out;
  if (names.empty()) {
    for (const Variant& v : Variants()) out.push_back(&v);
    return out;
  }
  for (const std::string& name : names) {
    const Variant* v = FindVariant(name);
    if (v == nullptr) {
      std::vector<std::string> valid;
      for (const Variant& known : Variants()) valid.push_back(known.runtime.name);
      throw InputError(fmt::format("unknown variant '{}' (valid: {})", name, fmt::join(valid, ", ")));
    }
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  return out;
}

void CheckKnobs(const std::vector<std::string>& workloads, const std::map<std::string, double>& overrides) {
  for (const auto& [key, value] : overrides) {
    auto [workload, knob] = SplitQualified(key);
    if (!workload.empty()) {
      const WorkloadSpec* spec = FindWorkloadSpec(workload);
      if (spec == nullptr || std::find(workloads.begin(), workloads.end(), workload) == workloads.end())
        throw InputError(fmt::format("knob {}: workload '{}' is not selected", key, workload));
      const Knob* k = FindKnob(*spec, knob);
      if (k == nullptr)
        throw InputError(fmt::format("workload {} has no knob '{}' (its knobs: {})", workload, knob, KnobNames(*spec)));
      CheckRange(*spec, *k, value);
      continue;
    }
    bool found = false;
    for (const std::string& name : workloads) {
      const WorkloadSpec* spec = FindWorkloadSpec(name);
      if (const Knob* k = FindKnob(*spec, knob)) {
        CheckRange(*spec, *k, value);
        found = true;
      }
    }
    if (!found) {
      std::vector<std::string> lines;
      for (const std::string& name : workloads) lines.push_back(fmt::format("  {}: {}", name, KnobNames(*FindWorkloadSpec(name))));
      throw InputError(fmt::format("no selected workload has a knob '{}'; knobs:\n{}", knob, fmt::join(lines, "\n")));
    }
  }
}

void CheckSize(std::int64_t size) {
  if (size < 1 || size > (std::int64_t{1} << 40))
    throw InputError(fmt::format("size must be between 1 and 2^40 work units, got {}", size));
}

void CheckDescriptors(const WorkloadSpec& spec, int threads) {
  if (spec.fds_per_thread <= 0) return;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return;
  // What the process holds already (standard streams, hwloc, the results file) and a margin for
  // what the cell opens once (a listening socket, a temporary file).
  constexpr std::int64_t kMargin = 32;
  std::error_code ec;
  std::int64_t open_now = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec))
    ++open_now;
  std::int64_t need = std::int64_t{spec.fds_per_thread} * threads + open_now + kMargin;
  auto have = static_cast<std::int64_t>(limit.rlim_cur);
  if (need > have)
    throw InputError(fmt::format("{} at {} threads needs about {} file descriptors; the limit (ulimit -n) is {}: raise it "
                                 "(ulimit -n {}) or run fewer threads",
                                 spec.name, threads, need, have, need));
}

CellConfig MakeConfig(const WorkloadSpec& spec, int threads, std::int64_t size, Scaling scaling,
                             const std::map<std::string, double>& overrides) {
  CheckSize(size);
  if (threads < 1 || threads > kMaxThreads)
    throw InputError(fmt::format("thread count must be in [1, {}], got {}", kMaxThreads, threads));
  CheckDescriptors(spec, threads);
  CellConfig config;
  config.threads = threads;
  config.size = size;
  config.scaling = scaling;
  for (const Knob& k : spec.knobs) config.knobs[k.name] = k.default_value;
  for (const auto& [key, value] : overrides) {
    auto [workload, knob] = SplitQualified(key);
    if (!workload.empty() && workload != spec.name) continue;
    const Knob* k = FindKnob(spec, knob);
    if (k == nullptr) continue;  // a knob of another selected workload
    CheckRange(spec, *k, value);
    config.knobs[knob] = value;
  }
  return config;
}

}  // namespace ftb::bench
