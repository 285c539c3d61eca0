// contention.cc: threads sharing objects, the cases where free threading fails to scale
// (as reported against CPython 3.13t: shared constants, module functions, a shared instance's
// attributes, shared locks, each an object whose reference count every thread writes).
//
//   shared_read     every thread reads the items of one list, the values of one dict and the
//                   attributes of one instance: nothing is written but reference counts, which
//                   in the free-threaded variants are atomic writes to the same cache lines.
//                   `immortal=1` makes the shared objects immortal first, the fix one user applied
//                   by hand (worst case from 0.6x to 2.5x).
//   shared_const    every thread compares against one shared str: a mortal module-level object
//                   (each load increfs it) or, with `immortal=1`, an immortal one.
//   shared_counter  a counter in one shared dict, incremented under the dict's per-object lock
//                   (Py_BEGIN_CRITICAL_SECTION in a C function), with work inside and outside the
//                   critical section as knobs (abseil's BM_Contended shape).
//   shared_append   every thread appends to one list (each append takes the list's lock).
#include <algorithm>
#include <memory>

#include "workload_support.h"

FTB_NAMESPACE_BEGIN
namespace workloads {
namespace {

// ---- shared_read --------------------------------------------------------------------------------

class SharedReadWorkload : public UnitWorkload {
 public:
  explicit SharedReadWorkload(const bench::CellConfig& config) : UnitWorkload(config), items_(IntKnob("items")) {
    Ref a = InternStr("a"), b = InternStr("b");
    cls_ = Class("Config", {});
    instance_ = NewInstance(cls_.get());
    list_ = List();
    dict_ = Dict();
    for (std::int64_t k = 0; k < items_; ++k) {
      Ref v = Int(1000 + k);  // not small ints: mortal unless immortalised
      ListAppend(list_.get(), v.get());
      Ref kk = Int(k);
      Ref name = Format("key{}", std::span<Object* const>(std::array{kk.get()}));
      keys_.push_back(InternStr(AsStr(name.get())));  // a constant key: interned, immortal
      Ref dv = Int(2000 + k);
      DictSet(dict_.get(), keys_.back().get(), dv.get());
    }
    Ref va = Int(3000), vb = Float(0.5);
    SetAttr(instance_.get(), a.get(), va.get());
    SetAttr(instance_.get(), b.get(), vb.get());
    attr_a_ = std::move(a);
    attr_b_ = std::move(b);
    if (IntKnob("immortal") != 0) {
      // The saved counts must be those of the long-lived references only: drop the locals first,
      // then collect borrowed pointers (the containers keep the objects alive).
      Object* attr_values[] = {va.get(), vb.get()};
      va.reset();
      vb.reset();
      for (Object* op : {cls_.get(), instance_.get(), list_.get(), dict_.get()}) immortal_.Add(op);
      immortal_.Add(static_cast<InstanceObject*>(instance_.get())->dict);
      for (Object* op : attr_values) immortal_.Add(op);
      for (std::int64_t k = 0; k < items_; ++k) {
        Object* item = ListGet(list_.get(), k).get();  // the temporary's reference is gone here
        Object* value = DictGet(dict_.get(), keys_[static_cast<std::size_t>(k)].get()).get();
        immortal_.Add(item);
        immortal_.Add(value);
      }
    }
  }

  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      std::int64_t total = 0;
      for (std::int64_t k = 0; k < items_; ++k) {
        Ref list = list_;                // LOAD_GLOBAL
        Ref item = ListGet(list.get(), k);  // list[k]
        Ref dict = dict_;
        Ref value = DictGet(dict.get(), keys_[static_cast<std::size_t>(k)].get());  // d["key<k>"]
        Ref obj = instance_;
        Ref attr = GetAttr(obj.get(), ((k & 1) != 0) ? attr_a_.get() : attr_b_.get());  // obj.a / obj.b
        total += AsInt(item.get()) + AsInt(value.get()) + static_cast<std::int64_t>(AsFloat(attr.get()) * 2);
        EvalBreakerCheck();
      }
      sum += Mix(static_cast<std::uint64_t>(total), u);
      ++out.work_units;
    }
    return sum;
  }

 private:
  std::int64_t items_;
  Ref cls_, instance_, list_, dict_, attr_a_, attr_b_;
  std::vector<Ref> keys_;
  ScopedImmortal immortal_;  // declared last: mortal again before the Refs above are released
};

FTB_REGISTER_WORKLOAD(SharedReadWorkload, {
    .name = "shared_read",
    .category = "contention",
    .description = "all threads read one list, dict and instance: only reference counts are contended",
    .origin = "CPython issues on shared-object refcount contention; hand immortalisation (0.6x to 2.5x)",
    .default_size = 120000,
    .validate_size = 10,
    .knobs = {{"items", 32, 1, 1 << 20, "items read from each shared container per unit"},
              {"immortal", 0, 0, 1, "1: make the shared objects immortal first"}},
});

// ---- shared_const -------------------------------------------------------------------------------

class SharedConstWorkload : public UnitWorkload {
 public:
  explicit SharedConstWorkload(const bench::CellConfig& config)
      : UnitWorkload(config), constant_(Str("a shared module-level str")) {
    if (IntKnob("immortal") != 0) immortal_.Add(constant_.get());
  }
  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    std::int64_t iters = IntKnob("iters");
    Ref same = Str("a shared module-level str"), other = Str("a private string, not equal");
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      std::uint64_t matches = 0;
      for (std::int64_t i = 0; i < iters; ++i) {
        Ref s = ((i + u) % 3 == 0) ? same : other;
        Ref c = constant_;  // LOAD_GLOBAL: a new reference to the one shared object
        matches += Eq(s.get(), c.get());
        EvalBreakerCheck();
      }
      sum += Mix(matches, u);
      ++out.work_units;
    }
    return sum;
  }

 private:
  Ref constant_;
  ScopedImmortal immortal_;  // declared last: mortal again before the Refs above are released
};

FTB_REGISTER_WORKLOAD(SharedConstWorkload, {
    .name = "shared_const",
    .category = "contention",
    .description = "all threads compare with one shared str: mortal (contended refcount) or immortal",
    .origin = "CPython issues on constants shared by threads; PEP 683 immortal objects",
    .default_size = 20000,
    .validate_size = 4,
    .knobs = {{"iters", 1000, 1, 1e9, "comparisons per unit"}, {"immortal", 0, 0, 1, "1: the shared str is immortal"}},
});

// ---- shared_counter -----------------------------------------------------------------------------

// Private object work: `iters` additions on a private accumulator. `check` says whether the code
// is Python (eval-breaker checks on back-edges) or C inside a critical section (none).
std::int64_t Busywork(std::int64_t iters, std::int64_t seed, bool check) {
  Ref acc = Int(seed);
  Ref step = Int(7);
  for (std::int64_t i = 0; i < iters; ++i) {
    acc = Add(acc.get(), step.get());
    if (check) EvalBreakerCheck();
  }
  return AsInt(acc.get());
}

// counter_add(d): a C function that does d["count"] += 1 under Py_BEGIN_CRITICAL_SECTION(d), after
// `inside` units of work while holding it. C code does not run the eval breaker, so under the
// global lock the increment is atomic too.
class SharedCounterWorkload : public UnitWorkload {
 public:
  explicit SharedCounterWorkload(const bench::CellConfig& config)
      : UnitWorkload(config), dict_(Dict()), key_(InternStr("count")) {
    Ref zero = Int(0);
    DictSet(dict_.get(), key_.get(), zero.get());
  }

  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    std::int64_t inside = IntKnob("inside"), outside = IntKnob("outside");
    Ref one = Int(1);
    std::uint64_t sum = 0;
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      std::int64_t result = Busywork(outside, u, /*check=*/true);
      Ref d = dict_;  // LOAD_GLOBAL
      {
        CriticalSection cs(d.get());
        Ref count = DictGet(d.get(), key_.get());
        result += Busywork(inside, u, /*check=*/false);
        Ref next = Add(count.get(), one.get());
        DictSet(d.get(), key_.get(), next.get());
      }
      sum += Mix(static_cast<std::uint64_t>(result), u);
      ++out.work_units;
      EvalBreakerCheck();
    }
    return sum;
  }

  std::uint64_t Finish() override {
    std::uint64_t per_thread = UnitWorkload::Finish();
    Ref count = DictGet(dict_.get(), key_.get());
    std::int64_t expected = config_.size * (Weak() ? config_.threads : 1);
    if (AsInt(count.get()) != expected) return 0;  // a lost update
    return per_thread + Mix(static_cast<std::uint64_t>(config_.size));
  }

 private:
  Ref dict_, key_;
};

FTB_REGISTER_WORKLOAD(SharedCounterWorkload, {
    .name = "shared_counter",
    .category = "contention",
    .description = "increment a counter in one shared dict under its per-object lock; work inside/outside",
    .origin = "abseil BM_Contended shape; CPython per-object critical sections (PEP 703)",
    .default_size = 320000,
    .validate_size = 40,
    .knobs = {{"inside", 4, 0, 1e6, "additions done while holding the dict's lock"},
              {"outside", 16, 0, 1e6, "additions done between increments, lock not held"}},
});

// ---- shared_append ------------------------------------------------------------------------------

class SharedAppendWorkload : public UnitWorkload {
 public:
  explicit SharedAppendWorkload(const bench::CellConfig& config) : UnitWorkload(config), list_(List()) {}

  std::uint64_t Run(int, bench::UnitRange units, bench::ThreadOutput& out) override {
    for (std::int64_t u = units.begin; u < units.end; ++u) {
      Ref l = list_;       // LOAD_GLOBAL
      Ref v = Int(u + 1000);  // a new object per append
      ListAppend(l.get(), v.get());
      ++out.work_units;
      EvalBreakerCheck();
    }
    return 0;
  }

  // Every unit's value must be in the list exactly once per thread (weak) or once (strong).
  std::uint64_t Finish() override {
    std::int64_t copies = Weak() ? config_.threads : 1;
    if (static_cast<std::int64_t>(ListSize(list_.get())) != config_.size * copies) return 0;
    std::vector<std::int64_t> seen(static_cast<std::size_t>(config_.size), 0);
    for (std::int64_t i = 0; i < config_.size * copies; ++i) {
      Ref v = ListGet(list_.get(), i);
      std::int64_t u = AsInt(v.get()) - 1000;
      if (u < 0 || u >= config_.size) return 0;
      ++seen[static_cast<std::size_t>(u)];
    }
    std::uint64_t sum = 0;
    for (std::int64_t u = 0; u < config_.size; ++u) {
      if (seen[static_cast<std::size_t>(u)] != copies) return 0;
      sum += Mix(static_cast<std::uint64_t>(u) * 3, u);
    }
    return sum;
  }

 private:
  Ref list_;
};

FTB_REGISTER_WORKLOAD(SharedAppendWorkload, {
    .name = "shared_append",
    .category = "contention",
    .description = "all threads append new ints to one shared list (its lock contended)",
    .origin = "core developers: built-in containers are thread-safe, not built to scale under writes",
    .default_size = 500000,
    .validate_size = 100,
    .knobs = {},
});

}  // namespace
}  // namespace workloads
FTB_NAMESPACE_END
