// The object library's operations from several threads on shared containers (run clean under
// ThreadSanitizer in the free-threaded variants): every write goes through the runtime's
// operations and their critical sections, and each thread has its own pending exception.
#include <thread>
#include <vector>

#include "objects_test_support.h"

FTB_NAMESPACE_BEGIN
namespace interp::testing {
namespace {

using Threads = ObjectsTest;

constexpr int kThreads = 4;
constexpr int kIterations = 500;

TEST_F(Threads, SharedContainersThroughMethodsAndOperators) {
  Ref list = List();
  Ref dict = Dict();
  Ref counts = Dict();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ThreadAttach attach;
      Ref append = LookupBuiltinMethod(list.get(), InternStr("append").get());
      Ref setdefault = LookupBuiltinMethod(dict.get(), InternStr("setdefault").get());
      Ref key = Int(t);
      Ref mine = List();
      ASSERT_EQ(SetItem(counts.get(), key.get(), mine.get()), 0);
      for (int i = 0; i < kIterations; ++i) {
        Ref v = Int(t * kIterations + i);
        Ref r = Call(append.get(), {list.get(), v.get()});
        ASSERT_TRUE(r);
        // Shared reads: containment, subscripts (with an exception on a missing key), iteration.
        EXPECT_EQ(Contains(list.get(), v.get()), 1);
        Ref missing = Int(-1 - i);
        EXPECT_FALSE(GetItem(dict.get(), missing.get()));
        EXPECT_TRUE(PendingErrorMatches(ExcType::kKeyError));
        (void)FetchError();
        Ref slot = Int(i % 16);
        Ref empty = List();
        Ref bucket = Call(setdefault.get(), {dict.get(), slot.get(), empty.get()});
        ASSERT_TRUE(bucket);
        ListAppend(bucket.get(), v.get());
        // `mine += [v]` on a list only this thread writes, read by none.
        Ref one = Tuple({v.get()});
        Ref same = BinaryOp(bc::BinaryOp::kInplaceAdd, mine.get(), one.get());
        ASSERT_EQ(same.get(), mine.get());
        if (i % 64 == 0) {
          Ref snapshot = GetSlice(list.get(), &g_none, &g_none);
          EXPECT_GE(LengthOf(snapshot.get()), i + 1);
          Ref text = Repr(snapshot.get());
          EXPECT_TRUE(text);
        }
        EvalBreakerCheck();  // gil: hand the lock over when another thread asks for it
      }
      EXPECT_FALSE(ErrorPending());
    });
  }
  {
    AllowThreads allow;
    for (std::thread& t : threads) t.join();
  }
  EXPECT_EQ(LengthOf(list.get()), kThreads * kIterations);
  std::int64_t in_buckets = 0;
  Ref it = GetIter(dict.get());
  while (Ref key = IterNext(it.get())) {
    Ref bucket = GetItem(dict.get(), key.get());
    in_buckets += LengthOf(bucket.get());
  }
  EXPECT_EQ(in_buckets, kThreads * kIterations);
  for (int t = 0; t < kThreads; ++t) {
    Ref key = Int(t);
    Ref mine = GetItem(counts.get(), key.get());
    EXPECT_EQ(LengthOf(mine.get()), kIterations);
  }
  // Every value appended exactly once.
  Ref sorted = CallBuiltin("sorted", {list.get()});
  for (int i = 0; i < kThreads * kIterations; i += 97) {
    Ref v = GetItem(sorted.get(), Int(i).get());
    EXPECT_EQ(IntOf(v.get()), i);
  }
}

}  // namespace
}  // namespace interp::testing
FTB_NAMESPACE_END
