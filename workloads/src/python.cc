// python.cc: the cells of Python workloads (workloads/py/*.py), run by the interpreter tier.
//
// A Python workload is a plain module with three functions (workloads/README.md):
//   setup(threads, size, scaling) -> state      main thread, attached, untimed
//   worker(state, index, begin, end) -> number  on worker `index`, units [begin, end)
//   finish(state, results) -> checksum          main thread, after every worker returned
// One module is loaded per cell, so every worker runs the same module: its functions, classes,
// globals and constants are shared by every thread, as in a real threaded Python program.
//
// The checksum: finish's result (an int; its low 64 bits). In weak scaling every worker does all
// units and must return the same value; finish then sees that one value (results == [r]), and a
// disagreement is a wrong answer (checksum 0), as for the C++ workloads.
#include <stdexcept>
#include <string>
#include <vector>

#include "ftb/interp/interp.h"
#include "workload_support.h"

FTB_NAMESPACE_BEGIN
namespace workloads {
namespace {

class PythonCell : public bench::WorkloadInstance {
 public:
  PythonCell(std::shared_ptr<const bc::CodeUnit> code, const bench::CellConfig& config)
      : config_(config), results_(static_cast<std::size_t>(config.threads)) {
    module_ = Call([&] { return interp::Module::Load(std::move(code)); });
    Ref threads = Int(config.threads), size = Int(config.size);
    Ref scaling = Str(config.scaling == bench::Scaling::kWeak ? "weak" : "strong");
    state_ = Call([&] { return module_->Call("setup", {threads.get(), size.get(), scaling.get()}); });
  }

  ~PythonCell() override {
    // Every reference this cell holds goes before the module does, so that the module's teardown
    // (which frees its functions, classes and constants) leaves nothing behind.
    results_.clear();
    state_.reset();
    module_.reset();
  }

  void RunThread(int index, bench::ThreadOutput& out) override {
    bench::UnitRange units = bench::UnitsFor(config_, index);
    Ref i = Int(index), begin = Int(units.begin), end = Int(units.end);
    results_[static_cast<std::size_t>(index)] =
        Call([&] { return module_->Call("worker", {state_.get(), i.get(), begin.get(), end.get()}); });
    out.work_units += static_cast<std::uint64_t>(units.end - units.begin);
  }

  std::uint64_t Finish() override {
    Ref results = List();
    if (config_.scaling == bench::Scaling::kWeak) {
      for (const Ref& r : results_)
        if (!Eq(r.get(), results_[0].get())) return 0;  // the threads disagree: a wrong answer
      ListAppend(results.get(), results_[0].get());
    } else {
      for (const Ref& r : results_) ListAppend(results.get(), r.get());
    }
    Ref checksum = Call([&] { return module_->Call("finish", {state_.get(), results.get()}); });
    if (KindOf(checksum.get()) != Kind::kInt)
      throw bench::WorkloadRaised(std::string("finish() must return an int checksum, not ") + TypeName(checksum.get()));
    return static_cast<std::uint64_t>(AsInt(checksum.get()));
  }

 private:
  // A Python exception leaves the interpreter as a C++ exception whose message is the traceback:
  // the harness fails the cell with it.
  template <class Fn>
  static auto Call(Fn&& fn) -> decltype(fn()) {
    try {
      return fn();
    } catch (const interp::PyException& e) {
      throw bench::WorkloadRaised("the Python workload raised an exception\n" + e.traceback());
    }
  }

  bench::CellConfig config_;
  std::unique_ptr<interp::Module> module_;
  Ref state_;
  std::vector<Ref> results_;
};

}  // namespace

std::unique_ptr<bench::WorkloadInstance> MakePythonCell(std::shared_ptr<const bc::CodeUnit> code,
                                                        const bench::CellConfig& config) {
  return std::make_unique<PythonCell>(std::move(code), config);
}

}  // namespace workloads
FTB_NAMESPACE_END
