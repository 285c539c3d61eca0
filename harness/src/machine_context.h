// machine_context.h: the `context` block of results.json (docs/results-format.md).
#pragma once

#include <nlohmann/json.hpp>

#include "topology.h"

namespace ftb::bench {

// Google Benchmark's context fields plus an empty `ftbench` object for the caller to fill.
nlohmann::json MachineContext(const Topology& topology, const std::string& executable);
// The 1-minute load average, or 0 if unknown.
double LoadAverage1m();

}  // namespace ftb::bench
