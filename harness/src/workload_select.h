// workload_select.h: from command-line words to workloads, variants and cell configurations.
//
// Shared by the subcommands that run workloads (validate, run). Every function reports bad input
// by throwing ftb::cli::UsageError with a message that names the valid choices; main turns it into
// exit code 2.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "commands.h"
#include "ftb/workload.h"

namespace ftb::cli {

// Every workload's spec, in registration order (every variant registers the same workloads).
std::vector<const bench::WorkloadSpec*> AllWorkloadSpecs();
const bench::WorkloadSpec* FindWorkloadSpec(const std::string& name);

// Workload names and category names, expanded to workload names in registration order, without
// duplicates; workloads with a process-wide side effect (WorkloadSpec::process_wide_side_effect)
// are moved to the end. An empty list means every workload. Unknown names: UsageError listing the
// valid workloads and categories.
std::vector<std::string> ResolveWorkloads(const std::vector<std::string>& names_or_categories);

// Variant names; an empty list means every registered variant. Unknown names: UsageError.
std::vector<const bench::Variant*> ResolveVariants(const std::vector<std::string>& names);

// Parses `--knob` words: "name=value" (applies to every selected workload that has the knob) or
// "workload.name=value". Malformed words or values that are not finite numbers: UsageError.
std::map<std::string, double> ParseKnobs(const std::vector<std::string>& assignments);

// Checks that every override names a knob of at least one of `workloads` (and, when qualified, a
// workload among them) and is in range for each workload it applies to.
void CheckKnobs(const std::vector<std::string>& workloads, const std::map<std::string, double>& overrides);

// A size must be a positive number of work units (at most 2^40).
void CheckSize(std::int64_t size);

// A cell of `spec` at `threads` threads must fit its file descriptors (WorkloadSpec::fds_per_thread
// per thread, plus those this process holds and a margin) under the soft RLIMIT_NOFILE. Otherwise
// UsageError naming the need and the limit (ulimit -n).
void CheckDescriptors(const bench::WorkloadSpec& spec, int threads);

// A cell's configuration: every knob of the spec, defaults overridden by `overrides` (plain or
// qualified with this workload's name; others are ignored). Out-of-range values, or more file
// descriptors than the limit allows (CheckDescriptors): UsageError.
bench::CellConfig MakeConfig(const bench::WorkloadSpec& spec, int threads, std::int64_t size, bench::Scaling scaling,
                             const std::map<std::string, double>& overrides);

}  // namespace ftb::cli
