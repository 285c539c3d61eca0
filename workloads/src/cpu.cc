// cpu.cc: CPU-bound workloads on thread-private data.
//
// Each models what CPython's interpreter does for the equivalent Python code: every value loaded
// from a variable, a container or an attribute is a new owned reference (a Ref) released when no
// longer needed, and the eval breaker is checked on loop back-edges and calls. All the data a
// unit touches is created by the thread that runs it, so in the free-threaded variants the
// reference counts stay owner-local (brc) and the locks uncontended: these workloads measure the
// single-thread overhead of free threading and its best-case scaling.
#include <cmath>

#include "ftb/stackref.h"
#include "workload_support.h"

FTB_NAMESPACE_BEGIN
namespace workloads {
namespace {

// ---- fib ----------------------------------------------------------------------------------------

// def fib(n): return n if n < 2 else fib(n - 1) + fib(n - 2)
// Values up to 256 are immortal small ints; larger ones are allocated and freed.
Ref Fib(Object* n, Object* one, Object* two) {
  EvalBreakerCheck();  // a call: CPython checks the eval breaker on function entry
  if (Compare(n, two) < 0) return Ref::New(n);
  Ref n1 = Sub(n, one);
  Ref n2 = Sub(n, two);
  Ref a = Fib(n1.get(), one, two);
  Ref b = Fib(n2.get(), one, two);
  return Add(a.get(), b.get());
}

class FibWorkload : public UnitWorkload {
 public:
  using UnitWorkload::UnitWorkload;
  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    Ref one = Int(1), two = Int(2), depth = Int(IntKnob("depth"));
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      Ref result = Fib(depth.get(), one.get(), two.get());
      sum += Mix(static_cast<std::uint64_t>(AsInt(result.get())), u);
      ++out.work_units;
      EvalBreakerCheck();
    }
    return sum;
  }
};

FTB_REGISTER_WORKLOAD(FibWorkload, {
    .name = "fib",
    .category = "cpu",
    .description = "recursive Fibonacci on boxed ints, every value an owned reference",
    .origin = "nogil 3.9 README (fib on 20 cores)",
    .default_size = 400,
    .validate_size = 8,
    .knobs = {{"depth", 20, 2, 40, "the n of fib(n) computed per unit"}},
});

// ---- nbody --------------------------------------------------------------------------------------

// The benchmarks-game n-body system (pyperformance bm_nbody): five bodies, each a list
// [x, y, z, vx, vy, vz, mass] of floats. Every arithmetic operation allocates a new float.
constexpr double kPi = 3.14159265358979323;
constexpr double kSolarMass = 4 * kPi * kPi;
constexpr double kDaysPerYear = 365.24;
constexpr double kBodies[5][7] = {
    {0, 0, 0, 0, 0, 0, kSolarMass},
    {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01, 1.66007664274403694e-03 * kDaysPerYear,
     7.69901118419740425e-03 * kDaysPerYear, -6.90460016972063023e-05 * kDaysPerYear, 9.54791938424326609e-04 * kSolarMass},
    {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01, -2.76742510726862411e-03 * kDaysPerYear,
     4.99852801234917238e-03 * kDaysPerYear, 2.30417297573763929e-05 * kDaysPerYear, 2.85885980666130812e-04 * kSolarMass},
    {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01, 2.96460137564761618e-03 * kDaysPerYear,
     2.37847173959480950e-03 * kDaysPerYear, -2.96589568540237556e-05 * kDaysPerYear, 4.36624404335156298e-05 * kSolarMass},
    {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01, 2.68067772490389322e-03 * kDaysPerYear,
     1.62824170038242295e-03 * kDaysPerYear, -9.51592254519715870e-05 * kDaysPerYear, 5.15138902046611451e-05 * kSolarMass},
};

Ref At(Object* list, std::int64_t i) { return ListGet(list, i); }

// body_i[field] op= value
void Update(Object* body, std::int64_t field, Object* delta, bool subtract) {
  Ref old = At(body, field);
  Ref updated = subtract ? Sub(old.get(), delta) : Add(old.get(), delta);
  ListSet(body, field, updated.get());
}

void Advance(Object* bodies, Object* dt) {
  std::int64_t n = static_cast<std::int64_t>(ListSize(bodies));
  for (std::int64_t i = 0; i < n; ++i) {
    Ref bi = At(bodies, i);
    for (std::int64_t j = i + 1; j < n; ++j) {
      Ref bj = At(bodies, j);
      Ref d[3];
      for (int k = 0; k < 3; ++k) {
        Ref xi = At(bi.get(), k), xj = At(bj.get(), k);
        d[k] = Sub(xi.get(), xj.get());
      }
      Ref dx2 = Mul(d[0].get(), d[0].get()), dy2 = Mul(d[1].get(), d[1].get()), dz2 = Mul(d[2].get(), d[2].get());
      Ref s1 = Add(dx2.get(), dy2.get());
      Ref d2 = Add(s1.get(), dz2.get());
      Ref root = Float(std::sqrt(AsFloat(d2.get())));  // math.sqrt: a C function returning a new float
      Ref d3 = Mul(d2.get(), root.get());
      Ref mag = TrueDiv(dt, d3.get());
      Ref mi = At(bi.get(), 6), mj = At(bj.get(), 6);
      Ref bmj = Mul(mj.get(), mag.get()), bmi = Mul(mi.get(), mag.get());
      for (int k = 0; k < 3; ++k) {
        Ref dvi = Mul(d[k].get(), bmj.get());
        Update(bi.get(), 3 + k, dvi.get(), /*subtract=*/true);
        Ref dvj = Mul(d[k].get(), bmi.get());
        Update(bj.get(), 3 + k, dvj.get(), /*subtract=*/false);
      }
      EvalBreakerCheck();
    }
  }
  for (std::int64_t i = 0; i < n; ++i) {
    Ref b = At(bodies, i);
    for (int k = 0; k < 3; ++k) {
      Ref v = At(b.get(), 3 + k);
      Ref dx = Mul(dt, v.get());
      Update(b.get(), k, dx.get(), /*subtract=*/false);
    }
    EvalBreakerCheck();
  }
}

class NbodyWorkload : public UnitWorkload {
 public:
  using UnitWorkload::UnitWorkload;
  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    std::int64_t steps = IntKnob("steps");
    Ref dt = Float(0.01);
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      // Each unit simulates its own system, nudged by the unit number.
      Ref bodies = List();
      for (const auto& init : kBodies) {
        Ref body = List();
        for (double v : init) {
          Ref f = Float(v);
          ListAppend(body.get(), f.get());
        }
        ListAppend(bodies.get(), body.get());
      }
      {
        Ref jupiter = At(bodies.get(), 1);
        Ref nudge = Float(1e-6 * static_cast<double>(u));
        Update(jupiter.get(), 3, nudge.get(), /*subtract=*/false);
      }
      for (std::int64_t s = 0; s < steps; ++s) Advance(bodies.get(), dt.get());
      // The checksum: every coordinate's bits.
      std::uint64_t h = 0;
      for (std::int64_t i = 0; i < 5; ++i) {
        Ref b = At(bodies.get(), i);
        for (std::int64_t k = 0; k < 6; ++k) {
          Ref v = At(b.get(), k);
          h = Mix(h ^ DoubleBits(AsFloat(v.get())));
        }
      }
      sum += Mix(h, u);
      ++out.work_units;
      EvalBreakerCheck();
    }
    return sum;
  }
};

FTB_REGISTER_WORKLOAD(NbodyWorkload, {
    .name = "nbody",
    .category = "cpu",
    .description = "n-body simulation on lists of floats; every float operation allocates a new float",
    .origin = "pyperformance bm_nbody (benchmarks game)",
    .default_size = 500,
    .validate_size = 4,
    .knobs = {{"steps", 40, 1, 100000, "simulation steps per unit"}},
});

// ---- dict_churn ---------------------------------------------------------------------------------

// d = {}; for k in range(n): d[key(k)] = k * u  (int and str keys)
// then look every key up, delete every other one, and iterate what is left.
class DictChurnWorkload : public UnitWorkload {
 public:
  using UnitWorkload::UnitWorkload;
  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    std::int64_t keys = IntKnob("keys");
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      Ref d = Dict();
      std::vector<Ref> key_refs;
      key_refs.reserve(static_cast<std::size_t>(keys));
      for (std::int64_t k = 0; k < keys; ++k) {
        Ref kk = Int(k);
        Ref key = (k % 2 == 0) ? Int(k * 7919 + u) : Format("key{}", std::span<Object* const>(std::array{kk.get()}));
        Ref value = Int(k * (u + 1));
        DictSet(d.get(), key.get(), value.get());
        key_refs.push_back(std::move(key));
        EvalBreakerCheck();
      }
      std::int64_t total = 0;
      for (const Ref& key : key_refs) {
        Ref v = DictGet(d.get(), key.get());
        total += AsInt(v.get());
        EvalBreakerCheck();
      }
      for (std::size_t k = 0; k < key_refs.size(); k += 2) DictDel(d.get(), key_refs[k].get());
      std::size_t pos = 0;
      Ref key, value;
      std::uint64_t rest = 0;  // unsigned: the rolling hash wraps (signed overflow is undefined)
      while (DictNext(d.get(), pos, key, value)) {
        rest = rest * 31 + static_cast<std::uint64_t>(AsInt(value.get()));  // insertion order is part of the result
        EvalBreakerCheck();
      }
      sum += Mix(static_cast<std::uint64_t>(total) * 1000003u + rest + DictSize(d.get()), u);
      ++out.work_units;
      EvalBreakerCheck();
    }
    return sum;
  }
};

FTB_REGISTER_WORKLOAD(DictChurnWorkload, {
    .name = "dict_churn",
    .category = "cpu",
    .description = "build a private dict of int and str keys, look up, delete and iterate",
    .origin = "",
    .default_size = 16000,
    .validate_size = 20,
    .knobs = {{"keys", 64, 1, 1 << 20, "keys inserted per unit"}},
});

// ---- list_ops -----------------------------------------------------------------------------------

// l = []; append n ints in scrambled order; index every one; sort; pop them all.
class ListOpsWorkload : public UnitWorkload {
 public:
  using UnitWorkload::UnitWorkload;
  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    std::int64_t items = IntKnob("items");
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      Ref l = List();
      for (std::int64_t k = 0; k < items; ++k) {
        Ref v = Int((k * 7919 + u * 104729) % 1009);  // some small (immortal) ints, most not
        ListAppend(l.get(), v.get());
        EvalBreakerCheck();
      }
      std::int64_t indexed = 0;
      for (std::int64_t k = 0; k < items; ++k) {
        Ref v = ListGet(l.get(), k);
        indexed += AsInt(v.get()) * (k + 1);
        EvalBreakerCheck();
      }
      ListSort(l.get());
      std::uint64_t popped = 0;  // unsigned: the rolling hash wraps
      while (ListSize(l.get()) > 0) {
        Ref v = ListPop(l.get());
        popped = popped * 31 + static_cast<std::uint64_t>(AsInt(v.get()));
        EvalBreakerCheck();
      }
      sum += Mix(static_cast<std::uint64_t>(indexed) ^ (popped << 1), u);
      ++out.work_units;
      EvalBreakerCheck();
    }
    return sum;
  }
};

FTB_REGISTER_WORKLOAD(ListOpsWorkload, {
    .name = "list_ops",
    .category = "cpu",
    .description = "append, index, sort and pop on a private list of ints",
    .origin = "ftscalingbench list pop/append/index",
    .default_size = 16000,
    .validate_size = 20,
    .knobs = {{"items", 100, 1, 1 << 20, "list length per unit"}},
});

// ---- str_build ----------------------------------------------------------------------------------

// parts = [f"{u}:{k}" for k in range(n)]; s = ",".join(parts) + str(len(parts)); s += "!" ...
class StrBuildWorkload : public UnitWorkload {
 public:
  explicit StrBuildWorkload(const bench::CellConfig& config)
      : UnitWorkload(config), sep_(InternStr(",")), bang_(InternStr("!")) {}
  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    std::int64_t parts_n = IntKnob("parts");
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      Ref parts = List();
      Ref uu = Int(u);
      for (std::int64_t k = 0; k < parts_n; ++k) {
        Ref kk = Int(k * 1000);
        Ref part = Format("{}:{}", std::span<Object* const>(std::array{uu.get(), kk.get()}));
        ListAppend(parts.get(), part.get());
        EvalBreakerCheck();
      }
      Ref sep = sep_, bang = bang_;  // LOAD_CONST: interned, immortal
      Ref joined = Join(sep.get(), parts.get());
      Ref count = Int(static_cast<std::int64_t>(ListSize(parts.get())));
      Ref count_str = ToStr(count.get());
      Ref s = Concat(joined.get(), count_str.get());
      for (int k = 0; k < 4; ++k) {
        s = Concat(s.get(), bang.get());
        EvalBreakerCheck();
      }
      sum += Mix(Fnv1a(AsStr(s.get())), u);
      ++out.work_units;
      EvalBreakerCheck();
    }
    return sum;
  }

 private:
  Ref sep_, bang_;
};

FTB_REGISTER_WORKLOAD(StrBuildWorkload, {
    .name = "str_build",
    .category = "cpu",
    .description = "format, join and concatenate private strings",
    .origin = "",
    .default_size = 12000,
    .validate_size = 20,
    .knobs = {{"parts", 32, 1, 1 << 20, "formatted parts joined per unit"}},
});

// ---- objects ------------------------------------------------------------------------------------

// class Point:
//     def __init__(self, x, y): self.x = x; self.y = y
//     def move(self, dx): self.x = self.x + dx
//     def norm2(self): return self.x * self.x + self.y * self.y
// The class is shared by every thread, as a program's classes are: creating an instance increfs
// it and a method call increfs the function found in its dict (CPython 3.13t; 3.14 made both
// per-thread or deferred).
Object* AttrX() {
  static Object* const name = InternStr("x").release();
  return name;
}
Object* AttrY() {
  static Object* const name = InternStr("y").release();
  return name;
}

Ref PointInit(std::span<Object* const> args) {
  SetAttr(args[0], AttrX(), args[1]);
  SetAttr(args[0], AttrY(), args[2]);
  return None();
}
Ref PointMove(std::span<Object* const> args) {
  Ref x = GetAttr(args[0], AttrX());
  Ref moved = Add(x.get(), args[1]);
  SetAttr(args[0], AttrX(), moved.get());
  return None();
}
Ref PointNorm2(std::span<Object* const> args) {
  Ref x = GetAttr(args[0], AttrX());
  Ref y = GetAttr(args[0], AttrY());
  Ref xx = Mul(x.get(), x.get());
  Ref yy = Mul(y.get(), y.get());
  return Add(xx.get(), yy.get());
}

Ref MakePointClass() {
  Ref init = Function("__init__", PointInit), move = Function("move", PointMove), norm2 = Function("norm2", PointNorm2);
  return Class("Point", {{"__init__", init.get()}, {"move", move.get()}, {"norm2", norm2.get()}});
}

class ObjectsWorkload : public UnitWorkload {
 public:
  explicit ObjectsWorkload(const bench::CellConfig& config)
      : UnitWorkload(config), cls_(MakePointClass()), move_(InternStr("move")), norm2_(InternStr("norm2")) {}
  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    std::int64_t per_unit = IntKnob("instances");
    std::uint64_t sum = 0;
    Ref three = Int(3);
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      std::int64_t total = 0;
      for (std::int64_t k = 0; k < per_unit; ++k) {
        // LOAD_GLOBAL Point: a tagged stack reference to the shared (deferred) class in brc, as
        // CPython 3.14t's stack holds it; a counted reference otherwise.
        ScopedStackRef cls(StackRef::New(cls_.get()));
        Ref x = Int(u % 1000), y = Int(k);
        Ref p = Call(cls.get(), {x.get(), y.get()});
        CallMethod(p.get(), move_.get(), {three.get()});
        Ref n = CallMethod(p.get(), norm2_.get());
        total += AsInt(n.get());
        EvalBreakerCheck();
      }
      sum += Mix(static_cast<std::uint64_t>(total), u);
      ++out.work_units;
      EvalBreakerCheck();
    }
    return sum;
  }

 private:
  Ref cls_, move_, norm2_;
};

FTB_REGISTER_WORKLOAD(ObjectsWorkload, {
    .name = "objects",
    .category = "cpu",
    .description = "instantiate a class, get and set attributes, call methods through the (shared) type",
    .origin = "",
    .default_size = 25000,
    .validate_size = 20,
    .knobs = {{"instances", 16, 1, 1 << 20, "instances created per unit"}},
});

}  // namespace
}  // namespace workloads
FTB_NAMESPACE_END
