// machine_context.h: the `context` block of results.json (docs/results-format.md).
#pragma once

#include <nlohmann/json.hpp>

#include "topology.h"

namespace ftb::bench {

// Google Benchmark's context fields plus an empty `ftbench` object for the caller to fill.
nlohmann::json MachineContext(const Topology& topology, const std::string& executable);
// The 1-minute load average, or 0 if unknown.
double LoadAverage1m();
// Runnable tasks on the machine right now, this process's running threads excluded (the fourth
// field of /proc/loadavg, minus the caller): what else competes for the cores. 0 if unknown.
int OtherRunnableTasks();

}  // namespace ftb::bench
