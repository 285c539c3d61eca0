// ftbench list: one line per workload.
#include <fmt/core.h>

#include "commands.h"
#include "ftb/workload.h"

namespace ftb::cli {

void AddListCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("list", "List the workloads: name, category, description, default size");
  AddWorkloadFileOption(cmd);
  cmd->callback([] {
    const auto& variants = bench::Variants();
    if (variants.empty()) return;
    // Every variant registers the same workloads; list the first's.
    fmt::print("{:<22} {:<4} {:<11} {:>8}  {}\n", "NAME", "TIER", "CATEGORY", "SIZE", "DESCRIPTION");
    for (const bench::WorkloadEntry& w : variants.front().workloads)
      fmt::print("{:<22} {:<4} {:<11} {:>8}  {}\n", w.spec.name, w.spec.tier, w.spec.category, w.spec.default_size,
                 w.spec.description);
  });
}

}  // namespace ftb::cli
