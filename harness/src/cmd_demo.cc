// ftbench demo: one CPU-bound workload on each variant at 1 and 2 threads, timed.
#include <fmt/core.h>

#include "cell_runner.h"
#include "commands.h"
#include "options.h"

namespace ftb::cli {

void AddDemoCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("demo", "Run fib on every variant at 1 and 2 threads (weak scaling) and print times");
  auto size = std::make_shared<std::int64_t>(60);
  cmd->add_option("--size", *size, "units of work per thread")->check(WholeNumber(1, std::int64_t{1} << 30));
  cmd->callback([size] {
    fmt::print("{:<8} {:>7} {:>10} {:>12} {:>18}\n", "variant", "threads", "seconds", "units/s", "checksum");
    for (const bench::Variant& variant : bench::Variants()) {
      const bench::WorkloadEntry* fib = variant.Find("fib");
      if (fib == nullptr) throw UsageError("variant " + variant.runtime.name + " has no fib workload");
      for (int threads : {1, 2}) {
        bench::CellConfig config{threads, *size, bench::Scaling::kWeak, {}};
        for (const auto& knob : fib->spec.knobs) config.knobs[knob.name] = knob.default_value;
        bench::CellRecord r = bench::RunCell(variant, *fib, config);
        double units = static_cast<double>(*size) * threads;
        fmt::print("{:<8} {:>7} {:>10.3f} {:>12.1f} {:>18x}\n", variant.runtime.name, threads, r.wall_seconds,
                   units / r.wall_seconds, r.checksum);
      }
    }
  });
}

}  // namespace ftb::cli
