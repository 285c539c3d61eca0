// Threads, the global lock, AllowThreads, critical sections and the legacy-module switch.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

#include "ftb/environment.h"
#include "test_support.h"

namespace ftb {
namespace {

using namespace std::chrono_literals;
using ThreadsTest = testing::RuntimeTest;

// Runs fn on a new attached thread; the caller stays attached but lets it run.
template <class Fn>
void RunOnAttachedThread(Fn fn) {
  std::thread t([&] {
    ThreadAttach attach;
    fn();
  });
  AllowThreads allow;
  t.join();
}

TEST(SwitchInterval, DefaultIsCPythonsAndBadValuesAreRejected) {
  EXPECT_EQ(SwitchInterval(), 5000us);
  EXPECT_THROW(SetSwitchInterval(0us), std::invalid_argument);
  EXPECT_THROW(SetSwitchInterval(-5us), std::invalid_argument);
  SetSwitchInterval(1000us);
  EXPECT_EQ(SwitchInterval(), 1000us);
  SetSwitchInterval(kDefaultSwitchInterval);
}

// Two CPU-bound threads that only ever call EvalBreakerCheck: both must make progress. With the
// global lock that is only possible if the waiter's timed wait sets a drop request and the holder
// hands the lock over at its check (CPython's switch-interval protocol).
TEST_F(ThreadsTest, TwoCpuBoundThreadsBothProgressAndTheLockChangesHands) {
  SetSwitchInterval(1000us);
  CounterSnapshot before = ReadCounters();
  std::atomic<std::uint64_t> progress[2] = {0, 0};
  std::atomic<bool> stop{false};
  auto spin = [&](int me) {
    ThreadAttach attach;
    while (!stop.load(std::memory_order_relaxed)) {
      progress[me].fetch_add(1, std::memory_order_relaxed);
      EvalBreakerCheck();
    }
  };
  {
    AllowThreads allow;
    std::thread a(spin, 0), b(spin, 1);
    // Wait (generously, the machine may be loaded) until both have progressed.
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while ((progress[0].load() < 1000 || progress[1].load() < 1000) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    stop = true;
    a.join();
    b.join();
  }
  SetSwitchInterval(kDefaultSwitchInterval);
  EXPECT_GE(progress[0].load(), 1000u);
  EXPECT_GE(progress[1].load(), 1000u);
  CounterSnapshot after = ReadCounters();
  if (GilEnabled()) {
    EXPECT_GE(after.gil_switches - before.gil_switches, 2u);
    EXPECT_GE(after.gil_drop_requests - before.gil_drop_requests, 1u);
  } else {
    EXPECT_EQ(after.gil_switches, before.gil_switches);
  }
}

// The main thread stays attached and waits inside AllowThreads for something only another
// attached thread can do. Without the release this would block until the timeout.
TEST_F(ThreadsTest, AllowThreadsLetsAnotherThreadRun) {
  std::promise<void> ran;
  std::future<void> done = ran.get_future();
  std::thread other([&] {
    ThreadAttach attach;  // needs the global lock in gil
    Ref f = Float(1.0);
    ran.set_value();
  });
  std::future_status status;
  {
    AllowThreads allow;
    status = done.wait_for(30s);
  }
  EXPECT_EQ(status, std::future_status::ready);
  {
    AllowThreads allow;
    other.join();
  }
}

// A thread inside a critical section that enters AllowThreads releases the object's lock, so
// another thread can lock the object meanwhile (CPython's _PyCriticalSection_SuspendAll).
TEST_F(ThreadsTest, AllowThreadsSuspendsCriticalSections) {
  Ref list = List();
  std::promise<void> appended;
  std::future<void> done = appended.get_future();
  std::future_status status;
  std::thread other;
  {
    CriticalSection cs(list.get());
    {
      AllowThreads allow;
      other = std::thread([&] {
        ThreadAttach attach;
        ListAppend(list.get(), Int(1).get());  // locks the list
        appended.set_value();
      });
      status = done.wait_for(30s);
      other.join();
    }
    // Back attached: the section is ours again.
    if constexpr (Policy::kPerObjectLocks) { EXPECT_TRUE(list->hdr.mutex.IsLocked()); }
  }
  EXPECT_EQ(status, std::future_status::ready);
  EXPECT_EQ(ListSize(list.get()), 1u);
  if constexpr (Policy::kPerObjectLocks) { EXPECT_FALSE(list->hdr.mutex.IsLocked()); }
}

// Nested two-object sections taken in opposite orders by two threads cannot deadlock: a thread
// that would block releases the sections it holds.
TEST_F(ThreadsTest, OppositeOrderNestedSectionsDoNotDeadlock) {
  Ref a = List(), b = List();
  std::atomic<bool> go{false};
  auto worker = [&](Object* first, Object* second) {
    ThreadAttach attach;
    while (!go.load()) std::this_thread::yield();
    for (int i = 0; i < 2000; ++i) {
      CriticalSection outer(first);
      ListAppend(second, Int(i).get());  // locks `second` inside `first`'s section
      EvalBreakerCheck();
    }
  };
  {
    AllowThreads allow;
    std::thread t1(worker, a.get(), b.get()), t2(worker, b.get(), a.get());
    go = true;
    t1.join();
    t2.join();
  }
  EXPECT_EQ(ListSize(a.get()) + ListSize(b.get()), 4000u);
}

TEST_F(ThreadsTest, MutexIsMutuallyExclusiveAndCountsSlowPaths) {
  Mutex mutex;
  std::int64_t counter = 0;  // guarded by mutex
  constexpr int kPerThread = 20000;
  auto work = [&] {
    ThreadAttach attach;
    for (int i = 0; i < kPerThread; ++i) {
      std::lock_guard lock(mutex);
      ++counter;
    }
  };
  {
    AllowThreads allow;
    std::thread t[4] = {std::thread(work), std::thread(work), std::thread(work), std::thread(work)};
    for (auto& x : t) x.join();
  }
  EXPECT_EQ(counter, 4 * kPerThread);
  EXPECT_FALSE(mutex.IsLocked());

  // A waiter that finds the lock held takes the slow path and parks; unlocked more than 1 ms
  // later, the lock is handed off to it. Each is counted (by the runtime's hooks into the lock).
  Mutex held;
  held.lock();
  CounterSnapshot before = ReadCounters();
  std::thread waiter([&] {
    ThreadAttach attach;
    held.lock();
    held.unlock();
  });
  {
    AllowThreads allow;  // in gil, the waiter needs the global lock to attach
    auto give_up = std::chrono::steady_clock::now() + 10s;  // a park never counted fails below
    while (ReadCounters().lock_parks == before.lock_parks && std::chrono::steady_clock::now() < give_up)
      std::this_thread::yield();
    std::this_thread::sleep_for(2ms);
    held.unlock();
    waiter.join();
  }
  CounterSnapshot after = ReadCounters();
  EXPECT_GE(after.lock_slow_paths, before.lock_slow_paths + 1);
  EXPECT_EQ(after.lock_parks, before.lock_parks + 1);
  EXPECT_EQ(after.lock_handoffs, before.lock_handoffs + 1);
  EXPECT_FALSE(held.IsLocked());
}

// ---- the legacy-extension safety net: each case in a fresh process, since the switch is for
// the rest of the process's life ----

class LegacyModuleTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

[[noreturn]] void ExitWith(bool ok) { std::_Exit(ok ? 0 : 1); }

TEST_F(LegacyModuleTest, SafeModuleKeepsTheLockOff) {
  EXPECT_EXIT(
      {
        ThreadAttach attach;
        RegisterModule({"fast_ext", /*gil_not_used=*/true});
        bool before = GilEnabled();
        ImportModule("fast_ext");
        ExitWith(GilEnabled() == before && before == Policy::kGlobalLockAlwaysOn);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(LegacyModuleTest, LegacyModuleTurnsTheLockOnForEveryThread) {
  if constexpr (Policy::kGlobalLockAlwaysOn) {
    EXPECT_EXIT(
        {
          ThreadAttach attach;
          RegisterModule({"legacy_ext", false});
          ImportModule("legacy_ext");
          ExitWith(GilEnabled());
        },
        ::testing::ExitedWithCode(0), "");
  } else {
    EXPECT_EXIT(
        {
          ThreadAttach attach;
          RegisterModule({"legacy_ext", /*gil_not_used=*/false});
          if (GilEnabled()) ExitWith(false);
          // Another thread stays attached, counting, and only checks the eval breaker.
          std::atomic<std::uint64_t> count{0};
          std::atomic<bool> stop{false};
          std::thread other([&] {
            ThreadAttach other_attach;
            while (!stop.load()) {
              count.fetch_add(1);
              EvalBreakerCheck();
            }
          });
          while (count.load() < 1000) std::this_thread::yield();
          ImportModule("legacy_ext");
          // We hold the lock now and never check the eval breaker: the other thread has observed
          // the switch, so it must be stopped.
          std::uint64_t seen = count.load();
          auto until = std::chrono::steady_clock::now() + 100ms;
          while (std::chrono::steady_clock::now() < until) {
          }
          bool frozen = count.load() == seen;
          stop = true;
          {
            AllowThreads allow;
            other.join();
          }
          ExitWith(GilEnabled() && frozen);
        },
        ::testing::ExitedWithCode(0), "the global lock has been enabled to load module 'legacy_ext'");
  }
}

TEST_F(LegacyModuleTest, FtbenchGil0KeepsTheLockOff) {
  EXPECT_EXIT(
      {
        setenv("FTBENCH_GIL", "0", 1);
        ThreadAttach attach;
        RegisterModule({"legacy_ext", false});
        ImportModule("legacy_ext");
        ExitWith(GilEnabled() == Policy::kGlobalLockAlwaysOn);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(LegacyModuleTest, FtbenchGil1ForcesTheLockOn) {
  EXPECT_EXIT(
      {
        setenv("FTBENCH_GIL", "1", 1);
        ThreadAttach attach;
        ExitWith(GilEnabled());
      },
      ::testing::ExitedWithCode(0), "");
}

// The runtime does not exit on a bad value: ValidateEnvironment (which ftbench calls at startup,
// turning the message into exit code 2) and ThreadAttach both throw std::invalid_argument.
TEST_F(LegacyModuleTest, BadFtbenchGilValueIsAClearError) {
  EXPECT_EXIT(
      {
        setenv("FTBENCH_GIL", "yes", 1);
        const std::string expected = "FTBENCH_GIL must be 0 or 1, got 'yes'";
        bool validate_threw = false;
        bool attach_threw = false;
        try {
          ValidateEnvironment();
        } catch (const std::invalid_argument& e) {
          validate_threw = e.what() == expected;
          std::fprintf(stderr, "%s\n", e.what());
        }
        try {
          ThreadAttach attach;
        } catch (const std::invalid_argument& e) {
          attach_threw = e.what() == expected && CurrentThreadState() == nullptr;
        }
        ExitWith(validate_threw && attach_threw);
      },
      ::testing::ExitedWithCode(0), "FTBENCH_GIL must be 0 or 1, got 'yes'");
}

TEST(Modules, UnknownAndDuplicateNamesAreRejected) {
  RegisterModule({"dup_mod", true});
  EXPECT_THROW(RegisterModule({"dup_mod", true}), std::invalid_argument);
  ThreadAttach attach;
  EXPECT_THROW(ImportModule("no_such_module"), std::invalid_argument);
}

}  // namespace
}  // namespace ftb
