// Multi-threaded stress: random operations on private and shared objects, then every count and
// the live-object total checked. Run in the release preset and under tsan (atomic, brc) and
// asan-ubsan (all variants).
#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

namespace ftb {
namespace {

using StressTest = testing::RuntimeTest;

// Sanitizers slow everything down ~10x; keep the run in seconds there.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int kIterations = 10000;
#else
constexpr int kIterations = 30000;
#endif
constexpr int kThreads = 4;

Ref Bump(std::span<Object* const> args) {
  Ref name = InternStr("hits");
  Ref hits = GetAttr(args[0], name.get());
  Ref one = Int(1);
  Ref next = Add(hits.get(), one.get());
  SetAttr(args[0], name.get(), next.get());
  return next;
}

TEST_F(StressTest, RandomOperationsKeepEveryCountExact) {
  std::int64_t floats_before = LiveObjects(Kind::kFloat);
  Ref shared_list = List();
  Ref shared_dict = Dict();
  Ref anchor = Float(42.0);  // referenced from the shared containers many times
  Ref bump = Function("bump", Bump);
  Ref cls = Class("Counter", {{"bump", bump.get()}});
  Ref instance = NewInstance(cls.get());
  Ref hits_name = InternStr("hits");
  {
    Ref zero = Int(0);
    SetAttr(instance.get(), hits_name.get(), zero.get());
  }

  std::atomic<std::int64_t> appended{0}, popped{0}, bumps{0};
  auto worker = [&](int seed) {
    ThreadAttach attach;
    std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
    Ref mine = List();
    Ref my_dict = Dict();
    for (int i = 0; i < kIterations; ++i) {
      switch (rng() % 12) {
        case 0: {  // hand an object to whoever pops it (freed by another thread, often)
          Ref f = Float(static_cast<double>(i));
          ListAppend(shared_list.get(), f.get());
          appended.fetch_add(1);
          break;
        }
        case 1: {
          if (Ref item = ListPop(shared_list.get(), 0)) popped.fetch_add(1);
          break;
        }
        case 2: {  // lock-free (brc) or locked read of a shared item
          std::int64_t n = static_cast<std::int64_t>(ListSize(shared_list.get()));
          if (n > 0) {
            Ref item = ListGet(shared_list.get(), static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(n)));
            if (item) {
              EXPECT_EQ(KindOf(item.get()), Kind::kFloat);
            }
          }
          break;
        }
        case 3: {
          Ref key = Int(static_cast<std::int64_t>(rng() % 64) + 1000);
          DictSet(shared_dict.get(), key.get(), anchor.get());
          break;
        }
        case 4: {
          Ref key = Int(static_cast<std::int64_t>(rng() % 64) + 1000);
          if (Ref v = DictGet(shared_dict.get(), key.get())) {
            EXPECT_EQ(v.get(), anchor.get());
          }
          break;
        }
        case 5: {
          Ref key = Int(static_cast<std::int64_t>(rng() % 64) + 1000);
          DictDel(shared_dict.get(), key.get());
          break;
        }
        case 6: {  // contended reference counting on one object
          for (int k = 0; k < 8; ++k) Ref r = anchor;
          break;
        }
        case 7: {
          CallMethod(instance.get(), Str("bump").get());
          bumps.fetch_add(1);
          break;
        }
        case 8: {  // private churn, sometimes resizing
          Ref s = Str("p" + std::to_string(i));
          ListAppend(mine.get(), s.get());
          DictSet(my_dict.get(), s.get(), mine.get() == nullptr ? None().get() : s.get());
          if (ListSize(mine.get()) > 32) {
            Ref fresh = List();
            mine = fresh;
          }
          break;
        }
        case 9: {
          AllowThreads allow;  // a blocking call
          std::this_thread::yield();
          break;
        }
        case 10: {
          Ref t = Tuple({anchor.get(), shared_list.get()});
          Ref copy = ListCopy(shared_list.get());
          break;
        }
        default:
          EvalBreakerCheck();
      }
      if (i % 64 == 0) EvalBreakerCheck();
    }
  };
  {
    AllowThreads allow;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, 7919 * (t + 1));
    for (auto& t : threads) t.join();
  }
  EvalBreakerCheck();

  EXPECT_EQ(static_cast<std::int64_t>(ListSize(shared_list.get())), appended.load() - popped.load());
  // The anchor: our reference plus one per dict value that holds it.
  EXPECT_EQ(Refcount(anchor.get()), 1 + static_cast<std::int64_t>(DictSize(shared_dict.get())));
  // self.hits += 1 is a read, an add and a write: atomic under the global lock (no eval-breaker
  // check inside), a lost-update race without it, exactly as in free-threaded CPython.
  std::int64_t hits = AsInt(GetAttr(instance.get(), hits_name.get()).get());
  if (GilEnabled()) {
    EXPECT_EQ(hits, bumps.load());
  } else {
    EXPECT_LE(hits, bumps.load());
    EXPECT_GT(hits, 0);
  }
  EXPECT_EQ(Refcount(shared_list.get()), 1);
  // What is still alive: the anchor and the floats still in the shared list.
  EXPECT_EQ(LiveObjects(Kind::kFloat), floats_before + 1 + static_cast<std::int64_t>(ListSize(shared_list.get())));
}

}  // namespace
}  // namespace ftb
