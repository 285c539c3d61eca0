// Every container operation, on every variant.
#include <atomic>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

namespace ftb {
namespace {

using ContainersTest = testing::RuntimeTest;

std::vector<std::int64_t> Ints(Object* list) {
  std::vector<std::int64_t> out;
  for (std::int64_t i = 0, n = static_cast<std::int64_t>(ListSize(list)); i < n; ++i) out.push_back(AsInt(ListGet(list, i).get()));
  return out;
}

TEST_F(ContainersTest, Arithmetic) {
  Ref a = Int(7), b = Int(-2), f = Float(0.5);
  EXPECT_EQ(AsInt(Add(a.get(), b.get()).get()), 5);
  EXPECT_EQ(AsInt(Sub(a.get(), b.get()).get()), 9);
  EXPECT_EQ(AsInt(Mul(a.get(), b.get()).get()), -14);
  EXPECT_EQ(AsInt(FloorDiv(a.get(), b.get()).get()), -4);  // Python floors
  EXPECT_EQ(AsInt(Mod(a.get(), b.get()).get()), -1);       // sign of the divisor
  EXPECT_DOUBLE_EQ(AsFloat(Mul(a.get(), f.get()).get()), 3.5);
  EXPECT_DOUBLE_EQ(AsFloat(TrueDiv(a.get(), b.get()).get()), -3.5);
  Ref big = Int(int64_t{1} << 40);
  EXPECT_EQ(AsInt(Mul(big.get(), Int(4).get()).get()), int64_t{1} << 42);
  EXPECT_EQ(Compare(a.get(), f.get()), 1);
  EXPECT_TRUE(Eq(Int(2).get(), Float(2.0).get()));
  EXPECT_EQ(Hash(Int(2).get()), Hash(Float(2.0).get()));
}

TEST_F(ContainersTest, Strings) {
  Ref a = Str("foo"), b = Str("bar");
  EXPECT_EQ(AsStr(Concat(a.get(), b.get()).get()), "foobar");
  EXPECT_EQ(AsStr(Add(a.get(), b.get()).get()), "foobar");
  EXPECT_EQ(AsStr(Mul(b.get(), Int(3).get()).get()), "barbarbar");
  Ref list = List();
  ListAppend(list.get(), a.get());
  ListAppend(list.get(), b.get());
  EXPECT_EQ(AsStr(Join(Str(", ").get(), list.get()).get()), "foo, bar");
  Ref n = Int(42), x = Float(2.5), y = Float(3.0);
  Object* args[] = {a.get(), n.get(), x.get(), y.get(), None().get()};
  EXPECT_EQ(AsStr(Format("{}={} {} {} {}", args).get()), "foo=42 2.5 3.0 None");
  EXPECT_EQ(AsStr(ToStr(Tuple({n.get(), a.get()}).get()).get()), "(42, foo)");
  EXPECT_EQ(Compare(a.get(), b.get()), 1);
}

TEST_F(ContainersTest, Tuples) {
  Ref one = Int(1), two = Int(2);
  Ref t = Tuple({one.get(), two.get()});
  EXPECT_EQ(TupleSize(t.get()), 2u);
  EXPECT_EQ(AsInt(TupleGet(t.get(), 1).get()), 2);
  EXPECT_FALSE(TupleGet(t.get(), 2));
  Ref u = Tuple({one.get(), two.get()});
  EXPECT_TRUE(Eq(t.get(), u.get()));
  EXPECT_EQ(Hash(t.get()), Hash(u.get()));
  Ref v = Tuple({two.get(), one.get()});
  EXPECT_EQ(Compare(t.get(), v.get()), -1);
}

TEST_F(ContainersTest, ListAppendGetSetPop) {
  Ref list = List();
  for (int i = 0; i < 50; ++i) ListAppend(list.get(), Int(i * 1000).get());
  EXPECT_EQ(ListSize(list.get()), 50u);
  EXPECT_EQ(AsInt(ListGet(list.get(), 3).get()), 3000);
  EXPECT_EQ(AsInt(ListGet(list.get(), -1).get()), 49000);
  EXPECT_FALSE(ListGet(list.get(), 50));
  EXPECT_FALSE(ListGet(list.get(), -51));
  EXPECT_TRUE(ListSet(list.get(), 0, Int(-1).get()));
  EXPECT_FALSE(ListSet(list.get(), 99, Int(1).get()));
  EXPECT_EQ(AsInt(ListGet(list.get(), 0).get()), -1);
  EXPECT_EQ(AsInt(ListPop(list.get()).get()), 49000);
  EXPECT_EQ(AsInt(ListPop(list.get(), 0).get()), -1);
  EXPECT_EQ(AsInt(ListGet(list.get(), 0).get()), 1000);
  EXPECT_EQ(ListSize(list.get()), 48u);
  Ref empty = List();
  EXPECT_FALSE(ListPop(empty.get()));
}

TEST_F(ContainersTest, ListSortExtendCopy) {
  Ref list = List();
  for (int v : {5, 3, 9, 1, 7}) ListAppend(list.get(), Int(v * 1000).get());
  ListSort(list.get());
  EXPECT_EQ(Ints(list.get()), (std::vector<std::int64_t>{1000, 3000, 5000, 7000, 9000}));
  Ref copy = ListCopy(list.get());
  ListExtend(list.get(), copy.get());
  EXPECT_EQ(ListSize(list.get()), 10u);
  ListExtend(list.get(), list.get());  // the same list twice: one lock, no deadlock
  EXPECT_EQ(ListSize(list.get()), 20u);
  EXPECT_EQ(Ints(copy.get()).size(), 5u);
  Ref strs = List();
  for (const char* s : {"pear", "apple", "fig"}) ListAppend(strs.get(), Str(s).get());
  ListSort(strs.get());
  EXPECT_EQ(AsStr(ListGet(strs.get(), 0).get()), "apple");
}

TEST_F(ContainersTest, ListInsertAndSetItems) {
  Ref list = List();
  for (int v : {1000, 2000, 3000}) ListAppend(list.get(), Int(v).get());
  ListInsert(list.get(), 0, Int(500).get());
  ListInsert(list.get(), 2, Int(1500).get());
  ListInsert(list.get(), -1, Int(2500).get());   // before the last, as list.insert
  ListInsert(list.get(), 99, Int(4000).get());   // past the end: appended
  ListInsert(list.get(), -99, Int(100).get());   // before the start: first
  EXPECT_EQ(Ints(list.get()), (std::vector<std::int64_t>{100, 500, 1000, 1500, 2000, 2500, 3000, 4000}));
  Ref empty = List();
  ListInsert(empty.get(), 5, Int(7000).get());
  EXPECT_EQ(Ints(empty.get()), (std::vector<std::int64_t>{7000}));

  // Items replaced in place: the list takes references to the new items and drops the old ones.
  Ref old_item = Int(123456);
  Ref small = List();
  ListAppend(small.get(), old_item.get());
  ListAppend(small.get(), Int(654321).get());
  EXPECT_EQ(Refcount(old_item.get()), 2);
  Ref a = Int(111111), b = Int(222222), c = Int(333333);
  Object* items[] = {a.get(), b.get(), c.get()};
  ListSetItems(small.get(), items);  // longer than the list: only the first two are stored
  EXPECT_EQ(Ints(small.get()), (std::vector<std::int64_t>{111111, 222222}));
  EXPECT_EQ(Refcount(old_item.get()), 1);
  EXPECT_EQ(Refcount(a.get()), 2);
  EXPECT_EQ(Refcount(c.get()), 1);
  ListSetItems(small.get(), std::span<Object* const>(items + 2, 1));  // shorter: the rest stays
  EXPECT_EQ(Ints(small.get()), (std::vector<std::int64_t>{333333, 222222}));
  EXPECT_EQ(Refcount(a.get()), 1);
}

TEST_F(ContainersTest, NewContainersFilledWithoutTheirLock) {
  Ref list = List();
  for (int v : {3000, 1000, 2000}) ListAppendNew(list.get(), Int(v).get());
  EXPECT_EQ(Ints(list.get()), (std::vector<std::int64_t>{3000, 1000, 2000}));
  ListAppend(list.get(), Int(4000).get());  // then used as any list
  EXPECT_EQ(ListSize(list.get()), 4u);
  Ref dict = Dict();
  for (int i = 0; i < 20; ++i) DictSetNew(dict.get(), Str("k" + std::to_string(i)).get(), Int(i * 1000).get());
  DictSetNew(dict.get(), Str("k3").get(), Int(-1).get());  // replace
  EXPECT_EQ(DictSize(dict.get()), 20u);
  EXPECT_EQ(AsInt(DictGet(dict.get(), Str("k19").get()).get()), 19000);
  EXPECT_EQ(AsInt(DictGet(dict.get(), Str("k3").get()).get()), -1);
}

// Iteration by the owner (lock-free in brc), by another thread (the locked path until the dict
// is shared, then lock-free for what that thread can take a reference to without a re-check),
// and by the owner again after that: every pass sees every live entry once, in order.
TEST_F(ContainersTest, DictIterationByOwnerAndOthers) {
  Ref dict = Dict();
  for (int i = 0; i < 40; ++i) DictSet(dict.get(), Int(i).get(), Float(i * 0.5).get());
  for (int i = 0; i < 40; i += 3) EXPECT_TRUE(DictDel(dict.get(), Int(i).get()));
  auto keys = [&dict] {
    std::vector<std::int64_t> out;
    std::size_t pos = 0;
    Ref key, value;
    while (DictNext(dict.get(), pos, key, value)) {
      EXPECT_DOUBLE_EQ(AsFloat(value.get()), AsInt(key.get()) * 0.5);
      out.push_back(AsInt(key.get()));
    }
    return out;
  };
  std::vector<std::int64_t> expected;
  for (int i = 0; i < 40; ++i)
    if (i % 3 != 0) expected.push_back(i);
  EXPECT_EQ(keys(), expected);
  std::thread other([&] {
    ThreadAttach attach;
    EXPECT_EQ(keys(), expected);
    DictSet(dict.get(), Int(1000).get(), Float(500.0).get());  // an entry this thread owns
    std::vector<std::int64_t> with_own = expected;
    with_own.push_back(1000);
    EXPECT_EQ(keys(), with_own);
    EXPECT_TRUE(DictDel(dict.get(), Int(1000).get()));
  });
  {
    AllowThreads allow;
    other.join();
  }
  EXPECT_EQ(keys(), expected);
  if constexpr (Policy::kLockFreeReads) {
    EXPECT_NE(Policy::LoadGcBits(dict->hdr) & kGcShared, 0);
  }
}

// The owner iterates (lock-free in brc) while another thread inserts and deletes entries and
// replaces the table: every entry seen is a live key with its own value, and the entries that stay
// are all seen once the writer is done (ThreadSanitizer checks the lock-free reads).
TEST_F(ContainersTest, DictIterationWhileAnotherThreadWrites) {
  Ref dict = Dict();
  for (int i = 0; i < 16; ++i) DictSet(dict.get(), Int(i).get(), Float(i).get());
  std::atomic<bool> done{false};
  std::thread writer([&] {
    ThreadAttach attach;
    for (int r = 0; r < 3000; ++r) {
      Ref key = Int(1000 + r % 40);
      DictSet(dict.get(), key.get(), Float(1000 + r % 40).get());
      if (r % 3 != 0) DictDel(dict.get(), key.get());
      if (r % 64 == 0) EvalBreakerCheck();
    }
    done.store(true, std::memory_order_release);
  });
  int passes = 0;
  while (!done.load(std::memory_order_acquire) || passes == 0) {
    std::size_t pos = 0;
    Ref key, value;
    while (DictNext(dict.get(), pos, key, value)) {
      ASSERT_DOUBLE_EQ(AsFloat(value.get()), static_cast<double>(AsInt(key.get())));
    }
    ++passes;
    EvalBreakerCheck();  // lets the writer take the global lock (gil); a quiescent point (brc)
  }
  {
    AllowThreads allow;
    writer.join();
  }
  std::size_t pos = 0, seen = 0;
  Ref key, value;
  while (DictNext(dict.get(), pos, key, value)) seen += AsInt(key.get()) < 16 ? 1 : 0;
  EXPECT_EQ(seen, 16u);
}

TEST_F(ContainersTest, DictSetGetDeleteIterate) {
  Ref dict = Dict();
  for (int i = 0; i < 100; ++i) {
    Ref key = Str("k" + std::to_string(i));
    DictSet(dict.get(), key.get(), Int(i * 10).get());
  }
  EXPECT_EQ(DictSize(dict.get()), 100u);
  EXPECT_EQ(AsInt(DictGet(dict.get(), Str("k42").get()).get()), 420);
  EXPECT_FALSE(DictGet(dict.get(), Str("nope").get()));
  DictSet(dict.get(), Str("k42").get(), Int(-1).get());  // replace
  EXPECT_EQ(DictSize(dict.get()), 100u);
  EXPECT_EQ(AsInt(DictGet(dict.get(), Str("k42").get()).get()), -1);
  for (int i = 0; i < 100; i += 2) EXPECT_TRUE(DictDel(dict.get(), Str("k" + std::to_string(i)).get()));
  EXPECT_FALSE(DictDel(dict.get(), Str("k0").get()));
  EXPECT_EQ(DictSize(dict.get()), 50u);
  // Iteration in insertion order, deleted keys skipped.
  std::size_t pos = 0;
  Ref key, value;
  std::vector<std::string> keys;
  while (DictNext(dict.get(), pos, key, value)) keys.emplace_back(AsStr(key.get()));
  ASSERT_EQ(keys.size(), 50u);
  EXPECT_EQ(keys.front(), "k1");
  EXPECT_EQ(keys.back(), "k99");
  // Int and mixed keys; re-insert after delete.
  DictSet(dict.get(), Int(7).get(), Str("seven").get());
  DictSet(dict.get(), Str("k0").get(), Int(0).get());
  EXPECT_EQ(AsStr(DictGet(dict.get(), Int(7).get()).get()), "seven");
  EXPECT_EQ(AsStr(DictGet(dict.get(), Float(7.0).get()).get()), "seven");
  EXPECT_EQ(AsInt(DictGet(dict.get(), Str("k0").get()).get()), 0);
}

TEST_F(ContainersTest, DictUpdate) {
  Ref a = Dict(), b = Dict();
  DictSet(a.get(), Int(1).get(), Int(10).get());
  DictSet(b.get(), Int(1).get(), Int(11).get());
  DictSet(b.get(), Int(2).get(), Int(20).get());
  DictUpdate(a.get(), b.get());
  EXPECT_EQ(DictSize(a.get()), 2u);
  EXPECT_EQ(AsInt(DictGet(a.get(), Int(1).get()).get()), 11);
  DictUpdate(a.get(), a.get());
  EXPECT_EQ(DictSize(a.get()), 2u);
}

Ref PointInit(std::span<Object* const> args) {
  SetAttr(args[0], InternStr("x").get(), args[1]);
  SetAttr(args[0], InternStr("y").get(), args[2]);
  return None();
}
Ref PointNorm1(std::span<Object* const> args) {
  Ref x = GetAttr(args[0], InternStr("x").get());
  Ref y = GetAttr(args[0], InternStr("y").get());
  return Add(x.get(), y.get());
}

TEST_F(ContainersTest, ClassesInstancesAttributesMethods) {
  std::int64_t instances = LiveObjects(Kind::kInstance);
  Ref init = Function("__init__", PointInit);
  Ref norm = Function("norm1", PointNorm1);
  Ref origin = Int(0);
  Ref cls = Class("Point", {{"__init__", init.get()}, {"norm1", norm.get()}, {"origin", origin.get()}});
  EXPECT_STREQ(cls->type->name, "type");
  EXPECT_STREQ(static_cast<TypeObject*>(cls.get())->name, "Point");
  {
    Ref p = Call(cls.get(), {Int(3).get(), Int(4).get()});
    EXPECT_STREQ(TypeName(p.get()), "Point");
    EXPECT_EQ(LiveObjects(Kind::kInstance), instances + 1);
    EXPECT_EQ(AsInt(GetAttr(p.get(), InternStr("x").get()).get()), 3);
    EXPECT_EQ(AsInt(CallMethod(p.get(), InternStr("norm1").get()).get()), 7);
    EXPECT_EQ(AsInt(GetAttr(p.get(), InternStr("origin").get()).get()), 0);  // class attribute
    SetAttr(p.get(), InternStr("x").get(), Int(10).get());
    EXPECT_EQ(AsInt(CallMethod(p.get(), InternStr("norm1").get()).get()), 14);
    EXPECT_FALSE(GetAttr(p.get(), InternStr("missing").get()));
  }
  EXPECT_EQ(LiveObjects(Kind::kInstance), instances);
  // The class outlives its last reference while an instance holds it.
  Ref one = Int(1), two = Int(2);
  Object* args[] = {one.get(), two.get()};
  Ref p = NewInstance(cls.get(), args);
  cls.reset();
  EXPECT_EQ(AsInt(CallMethod(p.get(), InternStr("norm1").get()).get()), 3);
}

}  // namespace
}  // namespace ftb

namespace ftb {
namespace {

// brc's shared-count state of an object (a template, so the other variants never instantiate it).
template <class P = Policy>
bool IsMaybeWeakref(Object* op) {
  if constexpr (P::kHasOwnerThread) {
    return (P::Shared(op->hdr).load() & P::kSharedFlagMask) == P::kStateMaybeWeakref;
  } else {
    return false;
  }
}

// brc: the first access by a thread that is not the owner marks a container shared and publishes
// its items to lock-free readers (deferred free, shared count out of INIT so that TryIncref
// succeeds); the owner's private containers are left alone.
TEST_F(ContainersTest, NonOwnerAccessPublishesContainerItems) {
  Ref list = List();
  Ref item = Float(1.0);
  ListAppend(list.get(), item.get());
  Ref private_list = List();
  ListAppend(private_list.get(), item.get());
  if constexpr (Policy::kLockFreeReads) {
    EXPECT_EQ(Policy::LoadGcBits(list->hdr) & kGcShared, 0);
    EXPECT_EQ(Policy::LoadGcBits(item->hdr) & kGcDeferredFree, 0);
  }
  std::thread reader([&] {
    ThreadAttach attach;
    for (int i = 0; i < 3; ++i) {
      Ref got = ListGet(list.get(), 0);
      EXPECT_EQ(got.get(), item.get());
    }
  });
  {
    AllowThreads allow;
    reader.join();
  }
  if constexpr (Policy::kLockFreeReads) {
    EXPECT_NE(Policy::LoadGcBits(list->hdr) & kGcShared, 0);
    EXPECT_NE(Policy::LoadGcBits(item->hdr) & kGcDeferredFree, 0);
    EXPECT_TRUE(IsMaybeWeakref(item.get()));
    EXPECT_EQ(Policy::LoadGcBits(private_list->hdr) & kGcShared, 0);
  }
  EXPECT_EQ(Refcount(item.get()), 3);
}

}  // namespace
}  // namespace ftb
