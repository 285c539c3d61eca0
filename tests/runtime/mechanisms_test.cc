// The mechanisms of ftb/mechanisms.h: deferred reference counts and their collector, per-thread
// reference counts for classes, immortal constants. The same tests run on every variant: brc with
// the switches on takes the mechanisms' paths, gil and atomic (and brc with the switches off) the
// plain ones, and every invariant (exact counts, nothing freed early, nothing leaked) holds in all.
#include <atomic>
#include <barrier>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "ftb/extend.h"
#include "ftb/stackref.h"
#include "test_support.h"

namespace ftb {
namespace {

using namespace std::chrono_literals;

// brc with the defaults: every mechanism is on.
constexpr bool kMechanisms = Policy::kHasOwnerThread;

class MechanismsTest : public testing::RuntimeTest {
 protected:
  void TearDown() override {
    testing::RuntimeTest::TearDown();
    SetMechanisms(saved_);
  }

 private:
  Mechanisms saved_ = CurrentMechanisms();
};

// Runs fn(index) on n new attached threads; the caller lets them run (detached) until they end.
void RunThreads(int n, const std::function<void(int)>& fn) {
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&fn, i] {
      ThreadAttach attach;
      fn(i);
    });
  }
  AllowThreads allow;
  for (std::thread& t : threads) t.join();
}

// A barrier wait that does not hold up a stop-the-world (or the global lock).
void Wait(std::barrier<>& barrier) {
  AllowThreads allow;
  barrier.arrive_and_wait();
}

// A frame's StackRef region linked into the calling thread's chain, as the eval loop does.
template <std::size_t N>
struct FakeFrame {
  StackRef slots[N];
  StackRef* top = slots;
  StackRoots roots{nullptr, slots, &top};
  FakeFrame() {
    roots.previous = CurrentThreadState()->stack_roots;
    CurrentThreadState()->stack_roots = &roots;
  }
  ~FakeFrame() {
    CurrentThreadState()->stack_roots = roots.previous;
    while (top > slots) (--top)->Close();
  }
  void Push(StackRef ref) { *top++ = ref; }
};

Ref Noop(std::span<Object* const>) { return None(); }

// A function-like object of the interpreter tier that holds its module's globals, as a Python
// function does (func_globals).
struct TestFunction : Object {
  Object* globals;
};
void TestFunctionDealloc(Object* op) noexcept {
  Decref(static_cast<TestFunction*>(op)->globals);
  FreeObject(op);
}
constinit TypeObject g_test_function_type{
    Object{Policy::ImmortalHeader(), &g_type_type}, "testfunction", Kind::kPyFunction, TestFunctionDealloc, nullptr,
    nullptr, sizeof(TestFunction)};

// N threads create instances of one class; some are freed by the thread that made them, some by
// another thread (queued to their owner in brc), some only after their creators exited. The true
// count (per-thread slots merged) is exact at every step.
TEST_F(MechanismsTest, ClassCountIsExactAfterMerges) {
  constexpr int kThreads = 4;
  constexpr int kPer = 400;
  const std::int64_t instances_before = LiveObjects(Kind::kInstance);
  Ref cls = Class("Point", {});
  auto* type = static_cast<TypeObject*>(cls.get());
  EXPECT_EQ(type->unique_id > 0, kMechanisms);
  EXPECT_EQ(HasDeferredRefcount(cls.get()), kMechanisms);
  EXPECT_EQ(TrueRefcount(cls.get()), 1);

  std::vector<std::vector<Ref>> made(kThreads, std::vector<Ref>(kPer));
  std::barrier<> sync(kThreads + 1);
  std::thread main_side([&] {
    ThreadAttach attach;  // an attached thread that only counts
    Wait(sync);           // 1: every instance made
    EXPECT_EQ(TrueRefcount(cls.get()), 1 + kThreads * kPer);
    Wait(sync);  // 2
    Wait(sync);  // 3: frees done (some queued to their owners)
    Wait(sync);  // 4: queues merged
    EXPECT_EQ(TrueRefcount(cls.get()), 1 + kThreads * kPer / 4);
    Wait(sync);  // 5
  });
  RunThreads(kThreads, [&](int t) {
    for (Ref& r : made[t]) r = NewInstance(cls.get());
    Wait(sync);  // 1
    Wait(sync);  // 2
    // Our first half, and the third quarter of the next thread's (instances another thread made).
    for (int i = 0; i < kPer / 2; ++i) made[t][i].reset();
    for (int i = kPer / 2; i < 3 * kPer / 4; ++i) made[(t + 1) % kThreads][i].reset();
    Wait(sync);          // 3
    EvalBreakerCheck();  // brc: free what the others queued to us
    Wait(sync);          // 4
    Wait(sync);          // 5; then exit, merging our slots
  });
  {
    AllowThreads allow;
    main_side.join();
  }
  EXPECT_EQ(TrueRefcount(cls.get()), 1 + kThreads * kPer / 4);
  EXPECT_EQ(LiveObjects(Kind::kInstance), instances_before + kThreads * kPer / 4);
  made.clear();  // the last quarter, freed by a thread that made none of them
  EvalBreakerCheck();
  EXPECT_EQ(TrueRefcount(cls.get()), 1);
  EXPECT_EQ(LiveObjects(Kind::kInstance), instances_before);

  // The class goes only when its true count is zero: at once in gil and atomic, by the collector
  // in brc.
  const std::int64_t types_before = LiveObjects(Kind::kType);
  cls.reset();
  EXPECT_EQ(LiveObjects(Kind::kType), types_before - (kMechanisms ? 0 : 1));
  CollectDeferred();
  EXPECT_EQ(LiveObjects(Kind::kType), types_before - 1);
}

// A freed class's id goes to the next class (brc; no class has an id elsewhere).
TEST_F(MechanismsTest, ClassIdsAreReusedOnceTheClassIsFreed) {
  std::int32_t id;
  {
    Ref cls = Class("A", {});
    id = static_cast<TypeObject*>(cls.get())->unique_id;
    Ref instance = NewInstance(cls.get());
  }
  EXPECT_EQ(id > 0, kMechanisms);
  EXPECT_EQ(CollectDeferred(), kMechanisms ? 1 : 0);
  Ref again = Class("B", {});
  EXPECT_EQ(static_cast<TypeObject*>(again.get())->unique_id, id);
  Ref instance = NewInstance(again.get());
  EXPECT_EQ(TrueRefcount(again.get()), 2);
}

// Nothing deferred is freed while a StackRef to it is linked in some thread's StackRoots.
TEST_F(MechanismsTest, DeferredObjectOnAnotherThreadsStackIsNotFreed) {
  const std::int64_t live_before = LiveObjectsTotal();
  Ref fn = Function("f", Noop);
  SetDeferredRefcount(fn.get());
  EXPECT_EQ(HasDeferredRefcount(fn.get()), kMechanisms);
  Object* raw = fn.get();
  std::barrier<> sync(2);
  std::thread worker([&] {
    ThreadAttach attach;
    FakeFrame<1> frame;
    frame.Push(StackRef::New(raw));
    EXPECT_EQ(frame.slots[0].owns_reference(), !kMechanisms);  // tagged in brc: no count written
    Wait(sync);  // 1: the frame holds it
    Wait(sync);  // 2: the main thread dropped its reference and collected
  });              // the frame unlinks and closes its slot
  Wait(sync);
  fn.reset();
  EvalBreakerCheck();
  EXPECT_EQ(CollectDeferred(), 0);
  EXPECT_EQ(LiveObjectsTotal(), live_before + 1) << "freed while a stack held it";
  EXPECT_EQ(raw->type, &g_function_type);
  Wait(sync);
  {
    AllowThreads allow;
    worker.join();
  }
  EvalBreakerCheck();
  EXPECT_EQ(CollectDeferred(), kMechanisms ? 1 : 0);
  EXPECT_EQ(LiveObjectsTotal(), live_before);
}

TEST_F(MechanismsTest, DeferredObjectOnOwnStackIsNotFreed) {
  const std::int64_t live_before = LiveObjectsTotal();
  {
    FakeFrame<2> frame;
    {
      Ref fn = Function("f", Noop);
      SetDeferredRefcount(fn.get());
      frame.Push(StackRef::New(fn.get()));
      frame.Push(frame.slots[0].Dup());
    }
    EXPECT_EQ(CollectDeferred(), 0);
    EXPECT_EQ(LiveObjectsTotal(), live_before + 1);
    EXPECT_EQ(frame.slots[1].get()->type, &g_function_type);
  }
  EXPECT_EQ(CollectDeferred(), kMechanisms ? 1 : 0);
  EXPECT_EQ(LiveObjectsTotal(), live_before);
}

// The runtime's own CallMethod holds the method it calls (tagged, in brc) in the thread's stack
// roots: the method deletes itself from its class and collects, and survives until it returns.
Object* g_self_deleting_class = nullptr;
std::int64_t g_functions_during_call = -1;
Ref DeleteSelfAndCollect(std::span<Object* const>) {
  Ref name = InternStr("m");
  EXPECT_TRUE(DictDel(static_cast<TypeObject*>(g_self_deleting_class)->dict, name.get()));
  EXPECT_EQ(CollectDeferred(), 0) << "the running method (or another deferred object) was freed";
  g_functions_during_call = LiveObjects(Kind::kFunction);
  return None();
}

TEST_F(MechanismsTest, MethodRunningThroughCallMethodIsNotFreed) {
  const std::int64_t functions_before = LiveObjects(Kind::kFunction);
  Ref cls;
  {
    Ref method = Function("m", DeleteSelfAndCollect);
    cls = Class("C", {{"m", method.get()}});
  }
  g_self_deleting_class = cls.get();
  Ref instance = NewInstance(cls.get());
  Ref name = InternStr("m");
  CallMethod(instance.get(), name.get());
  EXPECT_EQ(g_functions_during_call, functions_before + 1);
  EXPECT_EQ(CollectDeferred(), kMechanisms ? 1 : 0);
  EXPECT_EQ(LiveObjects(Kind::kFunction), functions_before);
  g_self_deleting_class = nullptr;
}

// A function and its module's globals reference each other: neither goes while the cycle stands
// (in any variant), both once the globals' entry is cleared, as the interpreter does at teardown.
TEST_F(MechanismsTest, FunctionAndGlobalsAreFreedOnceTheCycleIsCut) {
  const std::int64_t live_before = LiveObjectsTotal();
  const std::int64_t deferred_before = DeferredObjectCount();
  Object* globals_raw;
  {
    Ref globals = Dict();
    SetDeferredRefcount(globals.get());
    Ref fn = Ref::Steal(NewObject<TestFunction>(&g_test_function_type));
    static_cast<TestFunction*>(fn.get())->globals = Ref::New(globals.get()).release();
    SetDeferredRefcount(fn.get());
    Ref name = Str("f");
    DictSet(globals.get(), name.get(), fn.get());
    globals_raw = globals.get();
  }
  EXPECT_EQ(CollectDeferred(), 0);
  EXPECT_EQ(LiveObjectsTotal(), live_before + 3);  // the dict, the function, the key
  EXPECT_EQ(DeferredObjectCount(), deferred_before + (kMechanisms ? 2 : 0));
  {
    Ref name = Str("f");
    EXPECT_TRUE(DictDel(globals_raw, name.get()));
  }
  // gil and atomic free both at once; brc's collector frees the function, then (a second round)
  // the dict that only the function kept alive.
  EXPECT_EQ(CollectDeferred(), kMechanisms ? 2 : 0);
  EXPECT_EQ(LiveObjectsTotal(), live_before);
  EXPECT_EQ(DeferredObjectCount(), deferred_before);
}

TEST_F(MechanismsTest, ImmortalizedConstantsLeaveAndReenterTheTallies) {
  const ObjectMemory before = ReadObjectMemory()[static_cast<int>(Kind::kFloat)];
  const std::int64_t live_total_before = LiveObjectsTotal();
  const std::int64_t registered_before = ImmortalizedObjectCount();
  Object* c = Float(2.5).release();
  Immortalize(c);
  EXPECT_EQ(IsImmortal(c), kMechanisms);
  EXPECT_EQ(ImmortalizedObjectCount(), registered_before + (kMechanisms ? 1 : 0));
  ObjectMemory now = ReadObjectMemory()[static_cast<int>(Kind::kFloat)];
  EXPECT_EQ(now.live_objects, before.live_objects + (kMechanisms ? 0 : 1));
  EXPECT_EQ(now.live_bytes, before.live_bytes + (kMechanisms ? 0 : static_cast<std::int64_t>(sizeof(FloatObject))));
  if (kMechanisms) {
    std::int64_t count = Refcount(c);
    for (int i = 0; i < 100; ++i) Incref(c);
    for (int i = 0; i < 200; ++i) Decref(c);
    EXPECT_EQ(Refcount(c), count) << "an immortal count was written";
  }
  Immortalize(Ref::New(c).release());  // a second holder (a constant shared by two code objects)
  ReleaseImmortalized(c);
  EXPECT_EQ(static_cast<FloatObject*>(c)->value, 2.5);  // still held by the second
  EXPECT_EQ(LiveObjects(Kind::kFloat), before.live_objects + (kMechanisms ? 0 : 1));
  ReleaseImmortalized(c);
  now = ReadObjectMemory()[static_cast<int>(Kind::kFloat)];
  EXPECT_EQ(now.live_objects, before.live_objects);
  EXPECT_EQ(now.live_bytes, before.live_bytes);
  EXPECT_EQ(now.allocated_objects, before.allocated_objects + 1);  // one allocation, counted once
  EXPECT_EQ(ImmortalizedObjectCount(), registered_before);

  // A tuple constant keeps its (mortal) items until it is released.
  Ref item = Float(1.25);
  Object* t = Tuple({item.get()}).release();
  Immortalize(t);
  item.reset();
  EXPECT_EQ(AsFloat(TupleGet(t, 0).get()), 1.25);
  ReleaseImmortalized(t);
  EXPECT_EQ(LiveObjectsTotal(), live_total_before);

  // Already immortal objects are left alone; their release is a plain (no-op) decref.
  Ref none = None();
  Immortalize(Ref::New(none.get()).release());
  ReleaseImmortalized(none.get());
  EXPECT_EQ(ImmortalizedObjectCount(), registered_before);
}

// The switches on: instance creation on another thread, stack loads and dict loads write no count
// of the shared class and functions (brc); everywhere else, and with the switches off, they do.
void CheckWhichCountsAreWritten(bool mechanisms) {
  Ref method = Function("m", Noop);
  Ref cls = Class("C", {{"m", method.get()}});
  Ref instance = NewInstance(cls.get());  // the class's owner: a plain add either way
  EXPECT_EQ(static_cast<TypeObject*>(cls.get())->unique_id > 0, mechanisms);
  EXPECT_EQ(HasDeferredRefcount(cls.get()), mechanisms);
  EXPECT_EQ(HasDeferredRefcount(method.get()), mechanisms);
  const std::int64_t cls_count = Refcount(cls.get());
  const std::int64_t method_count = Refcount(method.get());
  Ref name = InternStr("m");
  RunThreads(1, [&](int) {
    Ref other = NewInstance(cls.get());
    EXPECT_EQ(Refcount(cls.get()), cls_count + (mechanisms ? 0 : 1));
    StackRef ref = DictGetStackRef(static_cast<TypeObject*>(cls.get())->dict, name.get());
    EXPECT_EQ(ref.get(), method.get());
    EXPECT_EQ(ref.owns_reference(), !mechanisms);
    EXPECT_EQ(Refcount(method.get()), method_count + (mechanisms ? 0 : 1));
    ref.Close();
    StackRef loaded = StackRef::New(method.get());
    EXPECT_EQ(loaded.owns_reference(), !mechanisms);
    loaded.Close();
    CallMethod(other.get(), name.get());
  });
  EXPECT_EQ(Refcount(method.get()), method_count);
  EXPECT_EQ(TrueRefcount(cls.get()), 2);  // ours and the instance's
  Object* constant = Str("constant").release();
  Immortalize(constant);
  EXPECT_EQ(IsImmortal(constant), mechanisms);
  ReleaseImmortalized(constant);
}

TEST_F(MechanismsTest, SwitchesOnSkipTheCountWrites) { CheckWhichCountsAreWritten(kMechanisms); }

TEST_F(MechanismsTest, SwitchesOffKeepTheOldBehaviour) {
  SetMechanisms({.deferred_refcount = false, .per_thread_type_refcount = false, .immortal_constants = false});
  const std::int64_t types_before = LiveObjects(Kind::kType);
  CheckWhichCountsAreWritten(false);
  EXPECT_EQ(LiveObjects(Kind::kType), types_before) << "a class without the mechanisms is freed by its last decref";
  EXPECT_EQ(CollectDeferred(), 0);
}

// Per-thread class counts without deferred counting: the class is still the collector's (its
// count is spread over threads) but stack loads count it.
TEST_F(MechanismsTest, PerThreadCountsAloneStillLeaveTheClassToTheCollector) {
  SetMechanisms({.deferred_refcount = false, .per_thread_type_refcount = true, .immortal_constants = true});
  Ref cls = Class("C", {});
  EXPECT_EQ(HasDeferredRefcount(cls.get()), kMechanisms);
  StackRef ref = StackRef::New(cls.get());
  EXPECT_TRUE(ref.owns_reference());
  ref.Close();
  Ref instance = NewInstance(cls.get());
  EXPECT_EQ(TrueRefcount(cls.get()), 2);
}

// Two threads create and free instances of one class (each freeing the other's), read a shared
// dict's deferred, immortal and plain values through DictGetStackRef onto their stacks, and one
// replaces the deferred value now and then, while the main thread collects and counts: no stacked
// object is freed (ASan), no race (TSan), and the counts are exact at the end.
TEST_F(MechanismsTest, ConcurrentInstancesStackReadsAndCollections) {
  constexpr int kIterations = 2000;
  constexpr int kCollections = 20;  // at least, while the workers run
  Ref cls = Class("Node", {});
  Ref shared = Dict();
  SetDeferredRefcount(shared.get());
  Ref key_f = InternStr("f"), key_c = InternStr("c"), key_v = InternStr("v");
  {
    Ref fn = Function("f", Noop);
    SetDeferredRefcount(fn.get());
    DictSet(shared.get(), key_f.get(), fn.get());
    Ref v = Float(0.5);
    DictSet(shared.get(), key_v.get(), v.get());
  }
  Object* constant = Str("a constant").release();
  Immortalize(constant);
  DictSet(shared.get(), key_c.get(), constant);

  std::mutex mailbox_mu;
  Ref mailbox;  // guarded by mailbox_mu: an instance left for the other thread to free
  std::atomic<int> running{2};
  std::atomic<std::int64_t> tagged_loads{0};
  std::atomic<int> collections{0};
  std::thread collector([&] {
    ThreadAttach attach;
    while (running.load() > 0) {
      CollectDeferred();
      EXPECT_GE(TrueRefcount(cls.get()), 1);
      collections.fetch_add(1);
      AllowThreads allow;
      std::this_thread::sleep_for(200us);
    }
  });
  RunThreads(2, [&](int t) {
    FakeFrame<3> frame;
    for (int i = 0; i < kIterations || collections.load() < kCollections; ++i) {
      frame.Push(DictGetStackRef(shared.get(), key_f.get()));
      frame.Push(DictGetStackRef(shared.get(), key_c.get()));
      frame.Push(DictGetStackRef(shared.get(), key_v.get()));
      Ref mine = NewInstance(cls.get());
      Ref theirs;
      {
        std::lock_guard lock(mailbox_mu);
        std::swap(mailbox, mine);
        theirs = std::move(mine);
      }
      theirs.reset();
      EvalBreakerCheck();  // a collection may run here; our stack keeps what it holds
      EXPECT_EQ(frame.slots[0].get()->type, &g_function_type);
      EXPECT_EQ(AsStr(frame.slots[1].get()), "a constant");
      EXPECT_EQ(AsFloat(frame.slots[2].get()), 0.5);
      if (!frame.slots[0].owns_reference()) tagged_loads.fetch_add(1, std::memory_order_relaxed);
      if (t == 1 && i % 16 == 0) {
        Ref fn = Function("f", Noop);
        SetDeferredRefcount(fn.get());
        DictSet(shared.get(), key_f.get(), fn.get());  // the old one: the collector's, once unstacked
      }
      while (frame.top > frame.slots) (--frame.top)->Close();
    }
    running.fetch_sub(1);
  });
  {
    AllowThreads allow;
    collector.join();
  }
  EXPECT_EQ(tagged_loads.load() > 0, kMechanisms);
  EXPECT_GE(collections.load(), kCollections);
  mailbox.reset();
  EvalBreakerCheck();
  EXPECT_EQ(TrueRefcount(cls.get()), 1);
  shared.reset();
  CollectDeferred();  // the dict first: it holds the constant
  ReleaseImmortalized(constant);
}

// CPython 3.13t's stop-gap (gh-118112): the objects that would be deferred (a class, its methods)
// are made immortal when the first thread other than the main one attaches, with the world
// stopped; objects made after that are immortal at once. Until then they are counted as any object
// (3.13's interpreter wrote their counts) and only the collector frees them. Nothing leaks: what
// the immortal objects hold is freed with them by ReleaseThreadImmortalized. The trigger fires once
// per process, so this is one test.
TEST_F(MechanismsTest, ImmortalizeOnFirstThreadMakesDeferredObjectsImmortal) {
  ASSERT_FALSE(ImmortalizedOnThreadStart()) << "the trigger fires once per process: run this test once";
  SetMechanisms({.deferred_refcount = false,
                 .per_thread_type_refcount = true,  // ignored: 3.13 had no per-thread counts
                 .immortal_constants = true,
                 .immortalize_on_thread = true});
  const std::int64_t live_before = LiveObjectsTotal();
  Ref method = Function("m", Noop);
  Ref cls = Class("C", {{"m", method.get()}});
  EXPECT_EQ(static_cast<TypeObject*>(cls.get())->unique_id, 0) << "no per-thread class counts";
  EXPECT_FALSE(IsImmortal(cls.get()));
  EXPECT_EQ(HasDeferredRefcount(cls.get()), kMechanisms) << "until the trigger, the collector's";
  {
    StackRef ref = StackRef::New(cls.get());  // no kGcDeferred: the stack counts it
    EXPECT_TRUE(ref.owns_reference());
    ref.Close();
  }
  {  // made and dropped before the trigger: freed by the collector, as a deferred object
    Ref temporary = Class("T", {});
  }
  EXPECT_EQ(CollectDeferred(), kMechanisms ? 1 : 0);
  // A module's globals and a function that holds them, each held by the other (the dict's entry
  // is never cleared: ReleaseThreadImmortalized frees both, whichever goes first).
  Ref globals = Dict();
  SetDeferredRefcount(globals.get());
  Ref fn = Ref::Steal(NewObject<TestFunction>(&g_test_function_type));
  static_cast<TestFunction*>(fn.get())->globals = Ref::New(globals.get()).release();
  SetDeferredRefcount(fn.get());
  DictSet(globals.get(), Str("f").get(), fn.get());
  EXPECT_EQ(LiveObjectsTotal(), live_before + 7);  // C, m, C's dict, its name; globals, f, "f"
  const std::int64_t registered = DeferredObjectCount();
  EXPECT_EQ(registered, kMechanisms ? 4 : 0);

  // The first worker: C and m are immortal once it is attached; the workers' increfs and
  // instances write nothing to them.
  std::atomic<int> immortal_seen{0};
  RunThreads(2, [&](int) {
    if (IsImmortal(cls.get()) && IsImmortal(method.get())) immortal_seen.fetch_add(1);
    std::int64_t count = Refcount(cls.get());
    for (int k = 0; k < 1000; ++k) {
      Ref instance = AllocInstance(cls.get());
      Ref m = Ref::New(method.get());
      StackRef ref = StackRef::New(cls.get());
      EXPECT_EQ(ref.owns_reference(), !kMechanisms);
      ref.Close();
    }
    if (kMechanisms) {
      EXPECT_EQ(Refcount(cls.get()), count) << "an immortal class's count was written";
    }
  });
  EXPECT_EQ(immortal_seen.load(), kMechanisms ? 2 : 0);
  EXPECT_EQ(ImmortalizedOnThreadStart(), kMechanisms);
  EXPECT_EQ(ThreadImmortalizedObjectCount(), registered);
  EXPECT_EQ(DeferredObjectCount(), 0) << "every deferred object was made immortal";
  // Immortal objects leave the tallies; what they hold (C's dict and name, the key "f") does not.
  EXPECT_EQ(LiveObjectsTotal(), live_before + (kMechanisms ? 3 : 7));
  EXPECT_EQ(IsImmortal(globals.get()) && IsImmortal(fn.get()), kMechanisms);

  // After the trigger: a new class and its methods are immortal at once; instances stay mortal.
  Ref later_method = Function("n", Noop);
  Ref later = Class("L", {{"n", later_method.get()}});
  EXPECT_EQ(IsImmortal(later.get()), kMechanisms);
  EXPECT_EQ(IsImmortal(later_method.get()), kMechanisms);
  EXPECT_FALSE(IsImmortal(AllocInstance(later.get()).get()));
  EXPECT_EQ(ThreadImmortalizedObjectCount(), registered + (kMechanisms ? 2 : 0));
  EXPECT_EQ(CollectDeferred(), 0);

  // Nothing leaks: the owner drops its references (no-ops on immortal objects), then releases them.
  for (Ref* r : {&cls, &method, &later, &later_method, &fn}) r->reset();
  if (!kMechanisms) {
    Ref key = Str("f");
    EXPECT_TRUE(DictDel(globals.get(), key.get()));  // gil, atomic: cut the cycle, as a module's teardown
  }
  globals.reset();
  EXPECT_EQ(ReleaseThreadImmortalized(), kMechanisms ? 6 : 0);
  EXPECT_EQ(ThreadImmortalizedObjectCount(), 0);
  EXPECT_EQ(LiveObjectsTotal(), live_before);
}

}  // namespace
}  // namespace ftb
