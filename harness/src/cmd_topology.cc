// ftbench topology: the machine as hwloc sees it, and the placement plan for N threads.
#include <fmt/core.h>

#include "commands.h"
#include "options.h"
#include "topology.h"

namespace ftb::cli {

void AddTopologyCommand(CLI::App& app) {
  struct Options {
    int threads = 0;
    std::string placement = "compact";
    std::string synthetic;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("topology", "Print the machine's topology and a thread placement plan");
  cmd->add_option("--threads", o->threads, "threads to place (default: one per core)")->check(WholeNumber(1, kMaxThreads));
  cmd->add_option("--placement", o->placement, "compact | scatter | none")->check(PlacementChoice());
  cmd->add_option("--synthetic", o->synthetic, "an hwloc synthetic topology instead of this machine, e.g. \"pack:2 core:8 pu:2\"");
  cmd->callback([o] {
    bench::Topology topology = [&] {
      try {
        return bench::Topology::Load(o->synthetic);
      } catch (const std::runtime_error& e) {
        throw UsageError(e.what());
      }
    }();
    fmt::print("machine:   {}\n", o->synthetic.empty() ? topology.CpuModel() : "synthetic: " + o->synthetic);
    fmt::print("topology:  {}\n", topology.Summary());
    fmt::print("packages {}, NUMA nodes {}, cores {}, PUs {}\n", topology.Packages(), topology.NumaNodes(), topology.Cores(),
               topology.Pus());
    for (const bench::CacheInfo& c : topology.Caches())
      fmt::print("L{} {:<11} {:>8} KiB x {:<3} shared by {} PUs\n", c.level, c.type, c.size / 1024, c.count, c.num_sharing);
    int threads = o->threads > 0 ? o->threads : topology.Cores();
    std::vector<int> plan = topology.Plan(threads, *bench::ParsePlacement(o->placement));  // checked by PlacementChoice
    fmt::print("placement {} for {} threads:\n", o->placement, threads);
    if (plan.empty()) fmt::print("  (threads are not bound)\n");
    for (std::size_t i = 0; i < plan.size(); ++i) fmt::print("  thread {:>3} -> PU {}\n", i, plan[i]);
    if (threads > topology.Pus()) fmt::print("warning: {} threads on {} PUs: oversubscribed\n", threads, topology.Pus());
  });
}

}  // namespace ftb::cli
