// native.cc: native kernels called from the runtime, like NumPy's.
//
//   eigen_gemm       each unit builds two n x n matrices from objects' values, then multiplies them
//                    with Eigen inside AllowThreads (the lock released, as NumPy does around its
//                    BLAS calls), then turns the result's trace back into an object.
//   eigen_gemm_held  the same kernel without releasing the lock: a badly written extension. Under a
//                    global lock it serialises every thread; in the free-threaded variants it
//                    scales anyway (nothing else is held).
// These model C-extension code: the kernel reads native memory only, never an object.
#include <Eigen/Dense>

#include "workload_support.h"

FTB_NAMESPACE_BEGIN
namespace workloads {
namespace {

class EigenGemmWorkload : public UnitWorkload {
 public:
  EigenGemmWorkload(const bench::CellConfig& config, bool release) : UnitWorkload(config), release_(release) {}

  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    auto n = static_cast<Eigen::Index>(IntKnob("n"));
    Eigen::MatrixXd a(n, n), b(n, n), c(n, n);
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      // Inputs from the unit's seed (small integers: every product and sum is exact).
      Ref seed = Int(u % 11);
      double s = AsFloat(seed.get());
      for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) {
          a(i, j) = static_cast<double>((i * 3 + j + static_cast<Eigen::Index>(s)) % 7);
          b(i, j) = static_cast<double>((i + j * 5) % 5) - s;
        }
      if (release_) {
        AllowThreads detached;  // Py_BEGIN_ALLOW_THREADS around the kernel
        c.noalias() = a * b;
      } else {
        c.noalias() = a * b;  // the lock stays held for the whole kernel
      }
      Ref trace = Float(c.trace());
      Ref total = Float(c.sum());
      sum += Mix(DoubleBits(AsFloat(trace.get())) ^ (DoubleBits(AsFloat(total.get())) << 1), u);
      ++out.work_units;
      EvalBreakerCheck();
    }
    return sum;
  }

 private:
  bool release_;
};

struct EigenGemmReleased : EigenGemmWorkload {
  explicit EigenGemmReleased(const bench::CellConfig& config) : EigenGemmWorkload(config, true) {}
};
struct EigenGemmHeld : EigenGemmWorkload {
  explicit EigenGemmHeld(const bench::CellConfig& config) : EigenGemmWorkload(config, false) {}
};

FTB_REGISTER_WORKLOAD(EigenGemmReleased, {
    .name = "eigen_gemm",
    .category = "native",
    .description = "Eigen matrix multiply inside AllowThreads (the lock released, like NumPy)",
    .origin = "NumPy releasing the GIL around BLAS",
    .default_size = 600,
    .validate_size = 2,
    .knobs = {{"n", 96, 2, 4096, "matrix dimension"}},
});
FTB_REGISTER_WORKLOAD(EigenGemmHeld, {
    .name = "eigen_gemm_held",
    .category = "native",
    .description = "the same Eigen multiply without releasing the lock (a badly written extension)",
    .origin = "",
    .default_size = 600,
    .validate_size = 2,
    .knobs = {{"n", 96, 2, 4096, "matrix dimension"}},
});

}  // namespace
}  // namespace workloads
FTB_NAMESPACE_END
