// One module's functions run by several threads at once (the shape of a Python workload: shared
// globals, functions, classes and constants); under ThreadSanitizer this is the race check.
#include <thread>
#include <vector>

#include "eval_test_support.h"

FTB_NAMESPACE_BEGIN
namespace interp::testing {
namespace {

constexpr const char* kSource = R"(
class Counter:
    def __init__(self):
        self.n = 0

    def add(self, k):
        self.n += k

SHARED = [1, 2, 3, 4]

def work(rounds):
    c = Counter()
    total = 0
    for i in range(rounds):
        c.add(SHARED[i % 4])
        d = {"k": i}
        total += d["k"] - i
        try:
            if i % 50 == 0:
                raise ValueError("x")
        except ValueError:
            total += 1
    return c.n + total
)";

TEST_F(EvalTest, TwoThreadsRunOneModule) {
  auto m = LoadSource(kSource);
  constexpr int kThreads = 2;
  constexpr std::int64_t kRounds = 2000;
  std::vector<std::int64_t> results(kThreads, 0);
  {
    // The main thread stays attached but runs no Python while the workers do.
    AllowThreads detached;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        ThreadAttach attach;
        Ref rounds = Int(kRounds);
        Ref r = m->Call("work", {rounds.get()});
        results[t] = AsInt(r.get());
      });
    }
    for (auto& t : threads) t.join();
  }
  // sum of SHARED[i % 4] over 2000 rounds = 500 * 10; one ValueError per 50 rounds.
  for (std::int64_t r : results) EXPECT_EQ(r, 5000 + 40);
}

TEST_F(EvalTest, ModuleDestroyedFreesEverything) {
  // Functions, classes and instances refer to each other through the globals; the destructor
  // breaks the cycles and (brc) collects the deferred objects: the fixture's leak check must hold.
  auto m = LoadSource(kSource);
  Ref rounds = Int(100);
  Ref r = m->Call("work", {rounds.get()});
  EXPECT_EQ(AsInt(r.get()), 250 + 2);
  m.reset();
}

}  // namespace
}  // namespace interp::testing
FTB_NAMESPACE_END
