// ftbench cell (hidden): runs one cell (after --warmup unmeasured runs) and prints its record as
// JSON. `ftbench run` runs every measured run this way, in a fresh process, unless --in-process.
#include <fmt/core.h>

#include "calibration.h"
#include "cell_json.h"
#include "commands.h"
#include "mechanism_variants.h"
#include "options.h"
#include "sweep.h"
#include "workload_select.h"

namespace ftb::cli {

namespace {

struct CellOptions {
  std::string variant, workload, scaling = "strong", placement = "none";
  int threads = 1;
  int warmup = 0;
  std::int64_t size = 1;
  std::vector<std::string> knobs;
};

// The calibration cell (workload `calibration`, variant `machine`): no runtime, no knobs.
void RunCalibrationCell(const CellOptions& o) {
  bench::CheckSize(o.size);
  bench::Scaling scaling = *bench::ParseScaling(o.scaling);  // checked by ScalingChoice
  bench::Topology topology = bench::Topology::Load();
  bench::BindFn bind = bench::MakeBinder(topology, topology.Plan(o.threads, *bench::ParsePlacement(o.placement)));
  for (int w = 0; w < o.warmup; ++w) bench::RunCalibration(o.threads, o.size, scaling, bind);
  bench::CellRecord record = bench::RunCalibration(o.threads, o.size, scaling, bind);
  fmt::print("{}\n", bench::CellRecordToJson(record).dump());
}

}  // namespace

void AddCellCommand(CLI::App& app) {
  auto o = std::make_shared<CellOptions>();
  CLI::App* cmd = app.add_subcommand("cell", "Run one cell and print its record as JSON (used by run)");
  cmd->group("");  // hidden from --help
  cmd->add_option("--variant", o->variant)->required();
  cmd->add_option("--workload", o->workload)->required();
  cmd->add_option("--threads", o->threads)->check(WholeNumber(1, kMaxThreads));
  cmd->add_option("--size", o->size)->check(WholeNumber(INT64_MIN, INT64_MAX));  // the range: CheckSize
  cmd->add_option("--scaling", o->scaling)->check(ScalingChoice());
  cmd->add_option("--placement", o->placement)->check(PlacementChoice());
  cmd->add_option("--knob", o->knobs);
  cmd->add_option("--warmup", o->warmup, "unmeasured runs first, in this process")->check(WholeNumber(0, 100));
  cmd->callback([o] {
    if (bench::IsCalibration(o->workload, o->variant)) {
      RunCalibrationCell(*o);
      return;
    }
    bench::MechanismVariant resolved = bench::ResolveMechanismVariant(o->variant);  // brc:3.13 (mechanism_variants.h)
    bench::CheckMechanismsEnvironment(resolved);
    const bench::Variant* variant = resolved.variant;
    const bench::WorkloadSpec* spec = bench::FindWorkloadSpec(o->workload);
    if (spec == nullptr) throw UsageError("unknown workload " + o->workload);
    bench::CheckSize(o->size);
    bench::Scaling scaling = *bench::ParseScaling(o->scaling);  // checked by ScalingChoice
    bench::CellConfig config = bench::MakeConfig(*spec, o->threads, o->size, scaling, ParseKnobs(o->knobs));
    bench::Topology topology = bench::Topology::Load();
    bench::BindFn bind = bench::MakeBinder(topology, topology.Plan(o->threads, *bench::ParsePlacement(o->placement)));
    for (int w = 0; w < o->warmup; ++w) bench::RunCell(*variant, *variant->Find(o->workload), config, bind);
    bench::CellRecord record = bench::RunCell(*variant, *variant->Find(o->workload), config, bind);
    fmt::print("{}\n", bench::CellRecordToJson(record).dump());
  });
}

}  // namespace ftb::cli
