// RunCell at the workload framework's boundary: an exception in a workload's setup, in one of its
// threads or in its checksum reaches the caller as CellFailure naming where and why (never
// std::terminate), and a resource refused by the system is told apart from a wrong workload.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "cell_runner.h"

namespace ftb::bench {
namespace {

// A runtime whose hooks do nothing: the cell runner's own logic is what is tested.
Variant FakeVariant() {
  Variant v;
  v.runtime.name = "fake";
  v.runtime.attach = [] { return std::make_unique<RuntimeScope>(); };
  v.runtime.allow_threads = [] { return std::make_unique<RuntimeScope>(); };
  v.runtime.counters = [] { return std::map<std::string, std::uint64_t>{}; };
  v.runtime.live_objects = [] { return std::int64_t{0}; };
  v.runtime.object_memory = [] { return std::map<std::string, KindMemory>{}; };
  v.runtime.gil_enabled = [] { return false; };
  v.runtime.eval_breaker = [] {};
  return v;
}

// Thread `fail_thread` throws `error` (-1: none); the others count their work.
class Instance : public WorkloadInstance {
 public:
  Instance(int fail_thread, std::exception_ptr error, bool fail_finish)
      : fail_thread_(fail_thread), error_(std::move(error)), fail_finish_(fail_finish) {}
  void RunThread(int index, ThreadOutput& out) override {
    if (index == fail_thread_) std::rethrow_exception(error_);
    out.work_units = 1;
    finished_.fetch_add(1);
  }
  std::uint64_t Finish() override {
    if (fail_finish_) throw std::logic_error("checksum of nothing");
    return 42;
  }
  static std::atomic<int> finished_;

 private:
  int fail_thread_;
  std::exception_ptr error_;
  bool fail_finish_;
};
std::atomic<int> Instance::finished_{0};

WorkloadEntry Entry(std::function<std::unique_ptr<WorkloadInstance>(const CellConfig&)> create) {
  WorkloadEntry e;
  e.spec.name = "fake_io";
  e.create = std::move(create);
  return e;
}

CellConfig Config(int threads) {
  CellConfig c;
  c.threads = threads;
  c.size = 1;
  return c;
}

TEST(CellRunner, RunsACell) {
  Variant v = FakeVariant();
  WorkloadEntry e = Entry([](const CellConfig&) { return std::make_unique<Instance>(-1, nullptr, false); });
  CellRecord r = RunCell(v, e, Config(4));
  EXPECT_EQ(r.checksum, 42u);
  EXPECT_EQ(r.threads.size(), 4u);
}

TEST(CellRunner, SetupOutOfDescriptorsIsAnEnvironmentFailure) {
  Variant v = FakeVariant();
  WorkloadEntry e = Entry([](const CellConfig&) -> std::unique_ptr<WorkloadInstance> {
    throw std::system_error(EMFILE, std::generic_category(), "socket");
  });
  try {
    RunCell(v, e, Config(8));
    FAIL() << "no CellFailure";
  } catch (const CellFailure& f) {
    EXPECT_TRUE(f.environment);
    std::string what = f.what();
    EXPECT_NE(what.find("fake_io at 8 threads failed in its setup: socket"), std::string::npos) << what;
    EXPECT_NE(what.find("ulimit -n"), std::string::npos) << what;
  }
}

TEST(CellRunner, AThreadsExceptionReachesTheCaller) {
  Variant v = FakeVariant();
  Instance::finished_ = 0;
  auto error = std::make_exception_ptr(std::system_error(EMFILE, std::generic_category(), "connect"));
  WorkloadEntry e = Entry([error](const CellConfig&) { return std::make_unique<Instance>(2, error, false); });
  try {
    RunCell(v, e, Config(4));
    FAIL() << "no CellFailure";
  } catch (const CellFailure& f) {
    EXPECT_TRUE(f.environment);
    EXPECT_NE(std::string(f.what()).find("failed in thread 2: connect"), std::string::npos) << f.what();
  }
  EXPECT_EQ(Instance::finished_.load(), 3) << "the other threads run to their end";
}

TEST(CellRunner, AWrongWorkloadIsNotAnEnvironmentFailure) {
  Variant v = FakeVariant();
  auto error = std::make_exception_ptr(std::out_of_range("map::at"));
  WorkloadEntry thrower = Entry([error](const CellConfig&) { return std::make_unique<Instance>(0, error, false); });
  try {
    RunCell(v, thrower, Config(1));
    FAIL() << "no CellFailure";
  } catch (const CellFailure& f) {
    EXPECT_FALSE(f.environment);
    EXPECT_NE(std::string(f.what()).find("map::at"), std::string::npos) << f.what();
  }
  WorkloadEntry finisher = Entry([](const CellConfig&) { return std::make_unique<Instance>(-1, nullptr, true); });
  EXPECT_THROW(RunCell(v, finisher, Config(2)), CellFailure);
}

}  // namespace
}  // namespace ftb::bench
