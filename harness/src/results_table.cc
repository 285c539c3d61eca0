#include "results_table.h"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <utility>

#include "aggregate.h"
#include "calibration.h"

namespace ftb::bench {
using nlohmann::json;

namespace {
constexpr double kMsPerSecond = 1000.0;

// The widths of the workload and variant columns: the longest name among the median rows, at
// least the usual 20 and 7 (variants such as cpython-3.13t or brc:3.13 are longer).
std::pair<std::size_t, std::size_t> NameWidths(const json& benchmarks) {
  std::size_t workload = 20, variant = 7;
  for (const json& row : benchmarks) {
    if (row.value("aggregate_name", "") != "median") continue;
    workload = std::max(workload, row["workload"].get_ref<const std::string&>().size());
    variant = std::max(variant, row["variant"].get_ref<const std::string&>().size());
  }
  return {workload, variant};
}
}  // namespace

std::string RenderTable(const json& benchmarks, const json& ft, const json& calibration) {
  const auto [ww, vw] = NameWidths(benchmarks);
  if (ft.value("mode", "time") == "instructions") {
    // run --instructions: the count is the measurement; wall time under valgrind means little.
    std::string out = fmt::format("{:<{}} {:<{}} {:>4} {:>16} {:>12}\n", "workload", ww, "variant", vw, "thr", "instructions",
                                  "vs gil 1t");
    std::map<std::string, double> gil;
    for (const json& row : benchmarks)
      if (row.value("aggregate_name", "") == "median" && row["variant"] == "gil" && row.contains("instructions"))
        gil[row["workload"]] = row["instructions"];
    for (const json& row : benchmarks) {
      if (row.value("aggregate_name", "") != "median" || !row.contains("instructions")) continue;
      double count = row["instructions"];
      auto base = gil.find(row["workload"]);
      out += fmt::format("{:<{}} {:<{}} {:>4} {:>16.0f} {:>12}\n", row["workload"].get<std::string>(), ww,
                         row["variant"].get<std::string>(), vw, row["threads"].get<int>(), count,
                         base == gil.end() ? "-" : fmt::format("{:.3f}", count / base->second));
    }
    return out;
  }
  std::string out = fmt::format("{:<{}} {:<{}} {:>4} {:>11} {:>6} {:>8} {:>9} {:>9}  {}\n", "workload", ww, "variant",
                                vw, "thr", "median ms", "cv%", "speedup", "vs gil 1t", "overhead", "warnings");
  std::map<std::string, double> cvs;
  for (const json& row : benchmarks)
    if (row.value("aggregate_name", "") == "cv") cvs[row["run_name"]] = row["real_time"];
  auto num = [](const json& estimate, const char* fmtstr) {
    return estimate.is_null() ? std::string("-") : fmt::format(fmt::runtime(fmtstr), estimate["value"].get<double>());
  };
  for (const json& row : benchmarks) {
    if (row.value("aggregate_name", "") != "median") continue;
    std::string warnings;
    for (const json& w : row["warnings"]) warnings += (warnings.empty() ? "" : "; ") + w.get<std::string>();
    out += fmt::format("{:<{}} {:<{}} {:>4} {:>11.2f} {:>6.1f} {:>8} {:>9} {:>9}  {}\n", row["workload"].get<std::string>(),
                       ww, row["variant"].get<std::string>(), vw, row["threads"].get<int>(), row["wall_seconds"].get<double>() * kMsPerSecond,
                       cvs[row["run_name"]] * 100, num(row["speedup"], "{:.2f}"), num(row["speedup_vs_gil_1t"], "{:.2f}"),
                       num(row["overhead_vs_gil"], "{:.3f}"), warnings);
  }
  if (json noise = NoiseFigure(benchmarks); noise["median_cell_cv"].is_number())
    out += fmt::format("noise: median cell CV {:.1f}%, p90 {:.1f}% (robust CV, {} cells)\n",
                       noise["median_cell_cv"].get<double>() * 100, noise["p90_cell_cv"].get<double>() * 100,
                       noise["cells"].get<int>());
  return out + CalibrationSummary(calibration);
}

}  // namespace ftb::bench
