// Reference-count semantics, the same assertions on every variant.
#include <thread>

#include "test_support.h"

namespace ftb {
namespace {

using testing::RuntimeTest;
using RefcountTest = RuntimeTest;

TEST_F(RefcountTest, NewObjectHasCountOneAndIsFreedAtZero) {
  std::int64_t before = LiveObjects(Kind::kFloat);
  Object* raw;
  {
    Ref f = Float(1.5);
    raw = f.get();
    EXPECT_EQ(Refcount(raw), 1);
    EXPECT_EQ(LiveObjects(Kind::kFloat), before + 1);
    Ref copy = f;
    EXPECT_EQ(Refcount(raw), 2);
  }
  EXPECT_EQ(LiveObjects(Kind::kFloat), before);
}

TEST_F(RefcountTest, ImmortalObjectsNeverChange) {
  for (Object* op : {None().get(), Bool(true).get(), Bool(false).get(), Int(0).get(), Int(256).get(),
                     Int(-5).get(), InternStr("immortal").get()}) {
    ASSERT_TRUE(IsImmortal(op)) << TypeName(op);
    std::int64_t count = Refcount(op);
    for (int i = 0; i < 1000; ++i) Incref(op);
    for (int i = 0; i < 2000; ++i) Decref(op);  // more decrefs than increfs: still alive
    EXPECT_EQ(Refcount(op), count) << TypeName(op);
  }
}

TEST_F(RefcountTest, SmallIntsAreSharedLargeOnesAreNot) {
  EXPECT_EQ(Int(7).get(), Int(7).get());
  EXPECT_EQ(Int(-5).get(), Int(-5).get());
  Ref a = Int(257), b = Int(257);
  EXPECT_NE(a.get(), b.get());
  EXPECT_FALSE(IsImmortal(a.get()));
  Ref c = Int(-6);
  EXPECT_FALSE(IsImmortal(c.get()));
}

TEST_F(RefcountTest, InternedStringsAreUniqueAndImmortal) {
  Ref a = InternStr("spam");
  Ref b = InternStr("spam");
  EXPECT_EQ(a.get(), b.get());
  EXPECT_TRUE(IsImmortal(a.get()));
  Ref c = Str("spam");
  EXPECT_NE(a.get(), c.get());
  EXPECT_TRUE(Eq(a.get(), c.get()));
  EXPECT_EQ(Hash(a.get()), Hash(c.get()));
}

TEST_F(RefcountTest, RefMovesAndReleases) {
  Ref a = Float(2.0);
  Object* raw = a.get();
  Ref b = std::move(a);
  EXPECT_FALSE(a);
  EXPECT_EQ(b.get(), raw);
  EXPECT_EQ(Refcount(raw), 1);
  Object* owned = b.release();
  EXPECT_FALSE(b);
  Ref c = Ref::Steal(owned);
  EXPECT_EQ(Refcount(raw), 1);
}

TEST_F(RefcountTest, ContainersReleaseTheirItems) {
  std::int64_t floats = LiveObjects(Kind::kFloat);
  {
    Ref list = List();
    Ref dict = Dict();
    for (int i = 0; i < 100; ++i) {
      Ref f = Float(i);
      ListAppend(list.get(), f.get());
      Ref key = Int(1000 + i);
      DictSet(dict.get(), key.get(), f.get());
      EXPECT_EQ(Refcount(f.get()), 3);
    }
    Ref tuple = Tuple({list.get(), dict.get()});
    EXPECT_EQ(LiveObjects(Kind::kFloat), floats + 100);
  }
  EXPECT_EQ(LiveObjects(Kind::kFloat), floats);
}

// Another thread takes and drops references to an object this thread created: in brc these go
// through the shared count; the object must still be freed exactly once, by whichever thread
// drops the last reference.
TEST_F(RefcountTest, CrossThreadIncrefDecrefBalances) {
  Ref obj = Float(3.0);
  Object* raw = obj.get();
  std::thread other([raw] {
    ThreadAttach attach;
    for (int i = 0; i < 1000; ++i) {
      Ref r = Ref::New(raw);
      EvalBreakerCheck();
    }
  });
  {
    AllowThreads allow;  // gil: let the other thread run
    other.join();
  }
  EvalBreakerCheck();
  EXPECT_EQ(Refcount(raw), 1);
}

TEST_F(RefcountTest, ObjectReleasedLastByNonOwnerIsFreedOnce) {
  std::int64_t floats = LiveObjects(Kind::kFloat);
  Ref obj = Float(4.0);
  Object* handed = obj.release();  // the other thread now owns this reference
  std::thread other([handed] {
    ThreadAttach attach;
    Decref(handed);  // brc: non-owner decref to zero queues it to the owner
  });
  {
    AllowThreads allow;
    other.join();
  }
  EvalBreakerCheck();  // brc: the owner merges here and frees it
  EXPECT_EQ(LiveObjects(Kind::kFloat), floats);
  if constexpr (Policy::kHasOwnerThread) {
    EXPECT_GE(ReadCounters().queued_objects, 1u);
  }
}

TEST_F(RefcountTest, ObjectReleasedLastAfterOwnerExitedIsFreedOnce) {
  std::int64_t floats = LiveObjects(Kind::kFloat);
  Object* handed = nullptr;
  std::thread owner([&handed] {
    ThreadAttach attach;
    handed = Float(5.0).release();  // created (and owned) by a thread that exits next
  });
  {
    AllowThreads allow;
    owner.join();
  }
  ASSERT_NE(handed, nullptr);
  EXPECT_EQ(LiveObjects(Kind::kFloat), floats + 1);
  std::uint64_t merges = ReadCounters().merges;
  Decref(handed);  // brc: the owner is gone, so this thread merges and frees
  EXPECT_EQ(LiveObjects(Kind::kFloat), floats);
  if constexpr (Policy::kHasOwnerThread) {
    EXPECT_GT(ReadCounters().merges, merges);
  }
}

TEST_F(RefcountTest, SharedCountGoesNegativeThenMerges) {
  // The owner holds one reference; another thread drops two references it was given, taking
  // the shared part negative; the owner's final decref must then free the object.
  std::int64_t floats = LiveObjects(Kind::kFloat);
  Ref obj = Float(6.0);
  Object* raw = obj.get();
  Incref(raw);
  Incref(raw);  // two references for the other thread (taken by the owner: local count 3)
  std::thread other([raw] {
    ThreadAttach attach;
    Decref(raw);
    Decref(raw);
  });
  {
    AllowThreads allow;
    other.join();
  }
  EvalBreakerCheck();
  EXPECT_EQ(Refcount(raw), 1);
  obj.reset();
  EvalBreakerCheck();
  EXPECT_EQ(LiveObjects(Kind::kFloat), floats);
}

TEST(VariantTraits, HeaderSizesMatchTheDocumentedLayout) {
  if (Policy::kName == "gil") { EXPECT_EQ(sizeof(Object), 16u); }
  if (Policy::kName == "atomic") { EXPECT_EQ(sizeof(Object), 24u); }
  if (Policy::kName == "brc") { EXPECT_EQ(sizeof(Object), 32u); }
  EXPECT_EQ(sizeof(Mutex), 1u);
}

}  // namespace
}  // namespace ftb
