// ftscaling.cc: patterns from CPython's own scaling benchmark (Tools/ftscalingbench), the ones that
// make sense on this runtime: multiply a float by a constant, create dicts, create objects, and
// compare with a str constant and with a tuple constant.
//
// Each unit runs `iters` iterations of a tiny loop body, as ftscalingbench's functions do. Code
// constants are shared by every thread; CPython's free-threaded build makes them immortal
// (PEP 703), so the free-threaded variants do the same here, and the gil variant keeps them mortal
// like the default build (where an incref is a plain add, no contention).
#include "ftb/stackref.h"
#include "workload_support.h"

FTB_NAMESPACE_BEGIN
namespace workloads {
namespace {

// A code constant: immortal in the free-threaded variants, as in CPython 3.13t.
class CodeConstant {
 public:
  explicit CodeConstant(Ref value) : value_(std::move(value)) {
    if constexpr (!Policy::kGlobalLockAlwaysOn) immortal_.Add(value_.get());
  }
  // LOAD_CONST: a new reference (skipped when immortal).
  Ref Load() const { return value_; }

 private:
  Ref value_;
  ScopedImmortal immortal_;  // declared after value_: mortal again before value_ is released
};

std::int64_t Iters(const bench::CellConfig& config) { return static_cast<std::int64_t>(config.knobs.at("iters")); }

// ---- mult_constant: x = 1.0; for i in range(n): x *= 1.0001 ------------------------------------

class MultConstantWorkload : public UnitWorkload {
 public:
  explicit MultConstantWorkload(const bench::CellConfig& config) : UnitWorkload(config), factor_(Float(1.0001)) {}
  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    std::int64_t iters = Iters(config_);
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      Ref x = Float(1.0 + static_cast<double>(u % 7));
      for (std::int64_t i = 0; i < iters; ++i) {
        Ref c = factor_.Load();
        x = Mul(x.get(), c.get());
        EvalBreakerCheck();
      }
      sum += Mix(DoubleBits(AsFloat(x.get())), u);
      ++out.work_units;
    }
    return sum;
  }

 private:
  CodeConstant factor_;
};

// ---- create_dict: for i in range(n): d = {"key": "value"} ---------------------------------------

class CreateDictWorkload : public UnitWorkload {
 public:
  explicit CreateDictWorkload(const bench::CellConfig& config)
      : UnitWorkload(config), key_(InternStr("key")), value_(InternStr("value")) {}
  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    std::int64_t iters = Iters(config_);
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      std::uint64_t sizes = 0;
      for (std::int64_t i = 0; i < iters; ++i) {
        Ref key = key_, value = value_;  // LOAD_CONST x2 (interned strs: immortal)
        Ref d = Dict();
        DictSet(d.get(), key.get(), value.get());
        sizes += DictSize(d.get());
        EvalBreakerCheck();
      }
      sum += Mix(sizes, u);
      ++out.work_units;
    }
    return sum;
  }

 private:
  Ref key_, value_;
};

// ---- create_object: class MyObject: pass; for i in range(n): o = MyObject() ---------------------

class CreateObjectWorkload : public UnitWorkload {
 public:
  explicit CreateObjectWorkload(const bench::CellConfig& config) : UnitWorkload(config), cls_(Class("MyObject", {})) {}
  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    std::int64_t iters = Iters(config_);
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      std::uint64_t created = 0;
      for (std::int64_t i = 0; i < iters; ++i) {
        // LOAD_GLOBAL MyObject as CPython 3.14t's stack holds it: a tagged reference to the
        // (deferred) class, no count written; with the mechanisms off a counted reference, as
        // 3.13t's interpreter takes one.
        ScopedStackRef cls(StackRef::New(cls_.get()));
        Ref o = Call(cls.get(), {});
        created += (KindOf(o.get()) == Kind::kInstance);
        EvalBreakerCheck();
      }
      sum += Mix(created, u);
      ++out.work_units;
    }
    return sum;
  }

 private:
  Ref cls_;
};

// ---- cmp_str_const: for s in strs: if s == "a constant string": ... -----------------------------

class CmpStrConstWorkload : public UnitWorkload {
 public:
  explicit CmpStrConstWorkload(const bench::CellConfig& config)
      : UnitWorkload(config), const_(InternStr("a constant string")) {}
  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    std::int64_t iters = Iters(config_);
    // The thread's own strings: every fourth equals the constant (a distinct object).
    Ref same = Str("a constant string"), other = Str("another string!!");
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      std::uint64_t matches = 0;
      for (std::int64_t i = 0; i < iters; ++i) {
        Ref s = ((i + u) % 4 == 0) ? same : other;  // LOAD_FAST
        Ref c = const_;                             // LOAD_CONST (interned: immortal)
        matches += Eq(s.get(), c.get());
        EvalBreakerCheck();
      }
      sum += Mix(matches, u);
      ++out.work_units;
    }
    return sum;
  }

 private:
  Ref const_;
};

// ---- cmp_tuple_const: for t in tuples: if t == (1, 2, "three"): ... -----------------------------

class CmpTupleConstWorkload : public UnitWorkload {
 public:
  explicit CmpTupleConstWorkload(const bench::CellConfig& config) : UnitWorkload(config), const_(MakeTuple(2)) {}
  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    std::int64_t iters = Iters(config_);
    Ref same = MakeTuple(2), other = MakeTuple(3);  // thread-private tuples
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      std::uint64_t matches = 0;
      for (std::int64_t i = 0; i < iters; ++i) {
        Ref t = ((i + u) % 4 == 0) ? same : other;
        Ref c = const_.Load();
        matches += Eq(t.get(), c.get());
        EvalBreakerCheck();
      }
      sum += Mix(matches, u);
      ++out.work_units;
    }
    return sum;
  }

 private:
  static Ref MakeTuple(std::int64_t second) {
    Ref one = Int(1), two = Int(second), three = InternStr("three");
    return Tuple({one.get(), two.get(), three.get()});
  }
  CodeConstant const_;
};

constexpr const char* kOrigin = "CPython Tools/ftscalingbench";

FTB_REGISTER_WORKLOAD(MultConstantWorkload, {
    .name = "mult_constant",
    .category = "cpu",
    .description = "x *= 1.0001 in a loop: a new float per multiply, the factor a shared code constant",
    .origin = kOrigin,
    .default_size = 8000,
    .validate_size = 4,
    .knobs = {{"iters", 1000, 1, 1e9, "loop iterations per unit"}},
});
FTB_REGISTER_WORKLOAD(CreateDictWorkload, {
    .name = "create_dict",
    .category = "cpu",
    .description = "d = {\"key\": \"value\"} in a loop: allocate and free small dicts",
    .origin = kOrigin,
    .default_size = 2000,
    .validate_size = 4,
    .knobs = {{"iters", 1000, 1, 1e9, "loop iterations per unit"}},
});
FTB_REGISTER_WORKLOAD(CreateObjectWorkload, {
    .name = "create_object",
    .category = "cpu",
    .description = "o = MyObject() in a loop: instances of one shared class (each increfs it)",
    .origin = kOrigin,
    .default_size = 2000,
    .validate_size = 4,
    .knobs = {{"iters", 1000, 1, 1e9, "loop iterations per unit"}},
});
FTB_REGISTER_WORKLOAD(CmpStrConstWorkload, {
    .name = "cmp_str_const",
    .category = "cpu",
    .description = "compare private strs with an interned (immortal) str constant",
    .origin = kOrigin,
    .default_size = 20000,
    .validate_size = 4,
    .knobs = {{"iters", 1000, 1, 1e9, "loop iterations per unit"}},
});
FTB_REGISTER_WORKLOAD(CmpTupleConstWorkload, {
    .name = "cmp_tuple_const",
    .category = "cpu",
    .description = "compare private tuples with a tuple code constant (immortal when free-threaded)",
    .origin = kOrigin,
    .default_size = 12000,
    .validate_size = 4,
    .knobs = {{"iters", 1000, 1, 1e9, "loop iterations per unit"}},
});

}  // namespace
}  // namespace workloads
FTB_NAMESPACE_END
