// results_table.h: the console table of a sweep (results.txt, and what `ftbench run` prints at its
// end), rendered from what aggregate.h computed.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ftb::bench {

// One line per complete cell (its median row): the median wall time, CV, speedup, speedup against
// gil at one thread, overhead and warnings; or, when `ftbench` (context.ftbench) records an
// instruction-counting sweep, the instruction count and its ratio to gil. Then the noise figure
// and the calibration's summary (CalibrationSummary of `calibration`). Only the estimates' values
// are shown, so benchmarks with and without bootstrap intervals render alike.
std::string RenderTable(const nlohmann::json& benchmarks, const nlohmann::json& ftbench, const nlohmann::json& calibration);

}  // namespace ftb::bench
