// matmul.cc: pure-object matrix multiply, the example every free-threading introduction shows.
//
//   def matmul_rows(A, B, C, rows):
//       for i in rows:
//           for j in range(n):
//               s = 0.0
//               for k in range(n):
//                   s += A[i][k] * B[k][j]
//               C[i][j] = s
//
// matmul: A, B and C (lists of lists of floats) are shared by every thread, exactly as the
//   textbook writes it. Every A[i][k] and B[k][j] load increfs an object other threads load too,
//   so in the free-threaded variants the reference counts of the shared rows and floats bounce
//   between cores (the contention CPython 3.13t users reported on shared objects).
// matmul_private: the same, after each thread copies what it reads into new float objects (as
//   `[[x + 0.0 for x in row] for row in A]` would; `list(row)` or `copy.deepcopy` would still share
//   the floats), following the advice to keep hot data thread-private and combine at the end. The
//   copy is part of the measured time.
//
// A unit computes one row of C: row u % n. Entries are multiples of 1/8 so every sum is exact.
#include "workload_support.h"

FTB_NAMESPACE_BEGIN
namespace workloads {
namespace {

Ref MakeMatrix(std::int64_t n, std::int64_t seed) {
  Ref m = List();
  for (std::int64_t i = 0; i < n; ++i) {
    Ref row = List();
    for (std::int64_t k = 0; k < n; ++k) {
      Ref x = Float(static_cast<double>((i * 31 + k * 17 + seed) % 97) / 8.0);
      ListAppend(row.get(), x.get());
    }
    ListAppend(m.get(), row.get());
  }
  return m;
}

// A deep copy into fresh floats owned by the calling thread.
Ref CopyMatrix(Object* m) {
  Ref copy = List();
  Ref zero = Float(0.0);
  std::int64_t n = static_cast<std::int64_t>(ListSize(m));
  for (std::int64_t i = 0; i < n; ++i) {
    Ref row = ListGet(m, i);
    Ref new_row = List();
    std::int64_t cols = static_cast<std::int64_t>(ListSize(row.get()));
    for (std::int64_t k = 0; k < cols; ++k) {
      Ref x = ListGet(row.get(), k);
      Ref y = Add(x.get(), zero.get());
      ListAppend(new_row.get(), y.get());
    }
    ListAppend(copy.get(), new_row.get());
    EvalBreakerCheck();
  }
  return copy;
}

// Computes row i of A x B into c_row (a list of n items); returns a hash of the row's values.
std::uint64_t MultiplyRow(Object* a, Object* b, Object* c_row, std::int64_t i, std::int64_t n) {
  std::uint64_t h = 0;
  Ref a_row = ListGet(a, i);
  for (std::int64_t j = 0; j < n; ++j) {
    Ref s = Float(0.0);
    for (std::int64_t k = 0; k < n; ++k) {
      Ref aik = ListGet(a_row.get(), k);  // A[i][k]
      Ref b_row = ListGet(b, k);          // B[k]
      Ref bkj = ListGet(b_row.get(), j);  // B[k][j]
      Ref p = Mul(aik.get(), bkj.get());
      s = Add(s.get(), p.get());
      EvalBreakerCheck();
    }
    ListSet(c_row, j, s.get());  // C[i][j] = s
    h = Mix(h ^ DoubleBits(AsFloat(s.get())));
  }
  return h;
}

Ref MakeResult(std::int64_t n) {
  Ref c = List();
  Ref zero = Float(0.0);
  for (std::int64_t i = 0; i < n; ++i) {
    Ref row = List();
    for (std::int64_t j = 0; j < n; ++j) ListAppend(row.get(), zero.get());
    ListAppend(c.get(), row.get());
  }
  return c;
}

class MatmulWorkload : public UnitWorkload {
 public:
  MatmulWorkload(const bench::CellConfig& config, bool private_copy)
      : UnitWorkload(config),
        n_(IntKnob("n")),
        private_copy_(private_copy),
        a_(MakeMatrix(n_, 0)),
        b_(MakeMatrix(n_, 5)),
        c_(MakeResult(n_)) {}

  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    Ref a = a_, b = b_, c = c_;  // the shared globals
    Ref c_private;
    if (private_copy_) {
      a = CopyMatrix(a.get());
      b = CopyMatrix(b.get());
      c_private = MakeResult(n_);
    }
    Object* target = private_copy_ ? c_private.get() : c.get();
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      std::int64_t i = u % n_;
      Ref c_row = ListGet(target, i);
      sum += Mix(MultiplyRow(a.get(), b.get(), c_row.get(), i, n_), u);
      ++out.work_units;
      EvalBreakerCheck();
    }
    if (private_copy_) {
      // Combine at the end: publish the rows this thread computed into the shared result.
      std::int64_t rows = std::min<std::int64_t>(units.end - units.begin, n_);
      for (std::int64_t r = 0; r < rows; ++r) {
        std::int64_t i = (units.begin + r) % n_;
        Ref row = ListGet(target, i);
        ListSet(c.get(), i, row.get());
      }
    }
    return sum;
  }

 private:
  std::int64_t n_;
  bool private_copy_;
  Ref a_, b_, c_;
};

struct SharedMatmul : MatmulWorkload {
  explicit SharedMatmul(const bench::CellConfig& config) : MatmulWorkload(config, false) {}
};
struct PrivateMatmul : MatmulWorkload {
  explicit PrivateMatmul(const bench::CellConfig& config) : MatmulWorkload(config, true) {}
};

FTB_REGISTER_WORKLOAD(SharedMatmul, {
    .name = "matmul",
    .category = "cpu-shared",
    .description = "textbook pure-object matrix multiply: shared list-of-lists inputs and result, whole rows per thread",
    .origin = "the free-threading introductions' matmul example",
    .default_size = 960,
    .validate_size = 6,
    .knobs = {{"n", 64, 2, 4096, "matrix dimension (a unit computes one row)"}},
});
FTB_REGISTER_WORKLOAD(PrivateMatmul, {
    .name = "matmul_private",
    .category = "cpu",
    .description = "matmul after each thread copies its inputs into new floats; rows published at the end",
    .origin = "core developers' advice: keep hot objects thread-private",
    .default_size = 960,
    .validate_size = 6,
    .knobs = {{"n", 64, 2, 4096, "matrix dimension (a unit computes one row)"}},
});

}  // namespace
}  // namespace workloads
FTB_NAMESPACE_END
