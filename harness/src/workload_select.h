// workload_select.h: from names to workloads, variants and cell configurations.
//
// Shared by the sweep engine and the subcommands that run workloads (validate, run, cell); it knows
// nothing of the command line (parsing `--knob` words is options.h's job). Every function reports
// bad input by throwing InputError (input_error.h) with a message that names the valid choices;
// the command line turns it into exit code 2.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ftb/workload.h"
#include "input_error.h"

namespace ftb::bench {

// The most threads a cell may have (every thread count of a sweep, `--threads` of every subcommand).
inline constexpr int kMaxThreads = 4096;

// Scaling modes by name: "strong" and "weak". ParseScaling: nullopt for any other text.
const char* ScalingName(Scaling scaling);
std::optional<Scaling> ParseScaling(std::string_view name);

// Every workload's spec, in registration order (every variant registers the same workloads).
std::vector<const WorkloadSpec*> AllWorkloadSpecs();
const WorkloadSpec* FindWorkloadSpec(const std::string& name);

// Workload names and category names, expanded to workload names in registration order, without
// duplicates; workloads with a process-wide side effect (WorkloadSpec::process_wide_side_effect)
// are moved to the end. An empty list means every workload. Unknown names: InputError listing the
// valid workloads and categories.
std::vector<std::string> ResolveWorkloads(const std::vector<std::string>& names_or_categories);

// Variant names; an empty list means every registered variant. Unknown names: InputError.
std::vector<const Variant*> ResolveVariants(const std::vector<std::string>& names);

// Checks that every override names a knob of at least one of `workloads` (and, when qualified, a
// workload among them) and is in range for each workload it applies to.
void CheckKnobs(const std::vector<std::string>& workloads, const std::map<std::string, double>& overrides);

// A size must be a positive number of work units (at most 2^40).
void CheckSize(std::int64_t size);

// A cell of `spec` at `threads` threads must fit its file descriptors (WorkloadSpec::fds_per_thread
// per thread, plus those this process holds and a margin) under the soft RLIMIT_NOFILE. Otherwise
// InputError naming the need and the limit (ulimit -n).
void CheckDescriptors(const WorkloadSpec& spec, int threads);

// A cell's configuration: every knob of the spec, defaults overridden by `overrides` (plain or
// qualified with this workload's name; others are ignored). Out-of-range values, or more file
// descriptors than the limit allows (CheckDescriptors): InputError.
CellConfig MakeConfig(const WorkloadSpec& spec, int threads, std::int64_t size, Scaling scaling,
                      const std::map<std::string, double>& overrides);

}  // namespace ftb::bench
