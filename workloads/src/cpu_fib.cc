// fib: recursive Fibonacci on boxed ints, the nogil README's demonstration workload.
#include "workload_support.h"

FTB_NAMESPACE_BEGIN
namespace workloads {
namespace {

// def fib(n): return n if n < 2 else fib(n - 1) + fib(n - 2)
// Every intermediate value is an owned reference, as on the interpreter's stack. Values up to
// 256 are immortal small ints; larger ones are allocated and freed.
Ref Fib(Object* n, Object* one, Object* two) {
  EvalBreakerCheck();  // a call: CPython checks the eval breaker on function entry
  if (Compare(n, two) < 0) return Ref::New(n);
  Ref n1 = Sub(n, one);
  Ref n2 = Sub(n, two);
  Ref a = Fib(n1.get(), one, two);
  Ref b = Fib(n2.get(), one, two);
  return Add(a.get(), b.get());
}

class FibWorkload : public bench::WorkloadInstance {
 public:
  explicit FibWorkload(const bench::CellConfig& config)
      : config_(config), depth_(static_cast<std::int64_t>(config.knobs.at("depth"))), sums_(config.threads) {}

  void RunThread(int index, bench::ThreadOutput& out) override {
    bench::UnitRange units = bench::UnitsFor(config_, index);
    Ref one = Int(1), two = Int(2), depth = Int(depth_);
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      Ref result = Fib(depth.get(), one.get(), two.get());
      sum += Mix(static_cast<std::uint64_t>(AsInt(result.get())) ^ static_cast<std::uint64_t>(u));
      ++out.work_units;
      EvalBreakerCheck();
    }
    sums_[index] = sum;
  }

  std::uint64_t Finish() override {
    if (config_.scaling == bench::Scaling::kWeak) {
      for (std::uint64_t s : sums_)
        if (s != sums_[0]) return 0;  // threads disagree: a wrong answer
      return sums_[0];
    }
    std::uint64_t total = 0;
    for (std::uint64_t s : sums_) total += s;
    return total;
  }

 private:
  bench::CellConfig config_;
  std::int64_t depth_;
  std::vector<std::uint64_t> sums_;
};

FTB_REGISTER_WORKLOAD(FibWorkload, {
    .name = "fib",
    .category = "cpu",
    .description = "recursive Fibonacci on boxed ints, every value an owned reference",
    .origin = "nogil 3.9 README (fib on 20 cores)",
    .default_size = 400,
    .validate_size = 8,
    .knobs = {{"depth", 22, 2, 40, "the n of fib(n) computed per unit"}},
});

}  // namespace
}  // namespace workloads
FTB_NAMESPACE_END
