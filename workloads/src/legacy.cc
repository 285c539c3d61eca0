// legacy.cc: a CPU-bound workload run after importing an extension module that does not declare
// itself safe without the global lock (no Py_mod_gil = Py_MOD_GIL_NOT_USED).
//
// CPython's free-threaded build then turns the GIL on for the rest of the process, with a
// RuntimeWarning, unless PYTHON_GIL=0; ftbench's runtime does the same (FTBENCH_GIL=0). So in atomic
// and brc this workload loses its scaling, and so does every cell that runs after it in the same
// process: the spec says so (process_wide_side_effect), and `ftbench validate` runs it last.
// The import happens in the workload's setup (once per cell; importing again is a no-op), not in
// the measured region, as a program imports its modules before starting threads.
#include <mutex>

#include "workload_support.h"

FTB_NAMESPACE_BEGIN
namespace workloads {
namespace {

constexpr std::string_view kLegacyModule = "legacy_ext_module";

class LegacyExtWorkload : public UnitWorkload {
 public:
  explicit LegacyExtWorkload(const bench::CellConfig& config) : UnitWorkload(config) {
    static std::once_flag registered;
    std::call_once(registered, [] { RegisterModule({.name = kLegacyModule, .gil_not_used = false}); });
    ImportModule(kLegacyModule);
  }

  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    std::int64_t iters = IntKnob("iters");
    Ref step = Int(3);
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      Ref acc = Int(1000 + u);
      for (std::int64_t i = 0; i < iters; ++i) {
        acc = Add(acc.get(), step.get());
        EvalBreakerCheck();
      }
      sum += Mix(static_cast<std::uint64_t>(AsInt(acc.get())), u);
      ++out.work_units;
    }
    return sum;
  }
};

FTB_REGISTER_WORKLOAD(LegacyExtWorkload, {
    .name = "legacy_ext",
    .category = "legacy",
    .description = "CPU work after importing a module without gil_not_used: the global lock comes back",
    .origin = "CPython Py_mod_gil / PYTHON_GIL (PEP 703)",
    .default_size = 6000,
    .validate_size = 4,
    .knobs = {{"iters", 1000, 1, 1e9, "additions per unit"}},
    .process_wide_side_effect = true,
});

}  // namespace
}  // namespace workloads
FTB_NAMESPACE_END
