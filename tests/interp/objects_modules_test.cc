// The built-in modules: `time` and `os` (pipes), their errors, and that their blocking calls let
// other threads run.
#include <atomic>
#include <chrono>
#include <thread>

#include "objects_test_support.h"

FTB_NAMESPACE_BEGIN
namespace interp::testing {
namespace {

using Modules = ObjectsTest;

Ref Module(std::string_view name) {
  Ref n = InternStr(name);
  return ImportBuiltinModule(n.get());
}
Ref Attr(Object* module, std::string_view name) {
  EXPECT_EQ(KindOf(module), Kind::kModule);
  return DictGet(static_cast<ModuleObject*>(module)->dict, InternStr(name).get());
}
Ref CallAttr(Object* module, std::string_view name, std::initializer_list<Object*> args) {
  Ref fn = Attr(module, name);
  EXPECT_TRUE(fn) << name;
  if (!fn) return {};
  return Call(fn.get(), std::span<Object* const>(args.begin(), args.size()));
}

TEST_F(Modules, ImportKnowsTimeAndOs) {
  Ref time = Module("time");
  ASSERT_TRUE(time);
  EXPECT_TRUE(IsImmortal(time.get()));
  EXPECT_EQ(Module("time").get(), time.get());  // made once
  EXPECT_EQ(ReprString(time.get()), "<module 'time' (built-in)>");
  Ref os = Module("os");
  ASSERT_TRUE(os);
  for (const char* name : {"pipe", "read", "write", "close"}) EXPECT_TRUE(Attr(os.get(), name)) << name;
  for (const char* name : {"sleep", "perf_counter"}) EXPECT_TRUE(Attr(time.get(), name)) << name;
  EXPECT_EQ(ErrorOf(Module("socket")), "ImportError: No module named 'socket'");
}

TEST_F(Modules, TimeSleepAndPerfCounter) {
  Ref time = Module("time");
  Ref t0 = CallAttr(time.get(), "perf_counter", {});
  ASSERT_TRUE(t0);
  EXPECT_EQ(t0->type, &g_float_type);
  Ref r = CallAttr(time.get(), "sleep", {F(0.01).get()});
  EXPECT_EQ(r.get(), &g_none);
  Ref zero = CallAttr(time.get(), "sleep", {I(0).get()});
  EXPECT_EQ(zero.get(), &g_none);
  Ref t1 = CallAttr(time.get(), "perf_counter", {});
  EXPECT_GE(FloatOf(t1.get()) - FloatOf(t0.get()), 0.009);  // it slept (a lower bound only)
  EXPECT_EQ(ErrorOf(CallAttr(time.get(), "sleep", {I(-1).get()})), "ValueError: sleep length must be non-negative");
  EXPECT_EQ(ErrorOf(CallAttr(time.get(), "sleep", {S("1").get()})),
            "TypeError: 'str' object cannot be interpreted as an integer");
  EXPECT_EQ(ErrorOf(CallAttr(time.get(), "sleep", {})), "TypeError: time.sleep() takes exactly one argument (0 given)");
}

TEST_F(Modules, PipeWriteReadClose) {
  Ref os = Module("os");
  Ref fds = CallAttr(os.get(), "pipe", {});
  ASSERT_TRUE(fds) << TakeError();
  ASSERT_EQ(fds->type, &g_tuple_type);
  ASSERT_EQ(TupleSize(fds.get()), 2u);
  Ref r = TupleGet(fds.get(), 0), w = TupleGet(fds.get(), 1);
  Ref n = CallAttr(os.get(), "write", {w.get(), S("hello").get()});
  EXPECT_EQ(ReprString(n.get()), "5");
  Ref data = CallAttr(os.get(), "read", {r.get(), I(3).get()});
  EXPECT_EQ(ReprString(data.get()), "'hel'");
  Ref rest = CallAttr(os.get(), "read", {r.get(), I(100).get()});
  EXPECT_EQ(ReprString(rest.get()), "'lo'");
  EXPECT_EQ(ReprString(CallAttr(os.get(), "close", {w.get()}).get()), "None");
  Ref eof = CallAttr(os.get(), "read", {r.get(), I(10).get()});
  EXPECT_EQ(ReprString(eof.get()), "''");  // end of file once the writer is closed
  EXPECT_EQ(ReprString(CallAttr(os.get(), "close", {r.get()}).get()), "None");
  // A closed descriptor: OSError with errno's message, as CPython words it.
  EXPECT_EQ(ErrorOf(CallAttr(os.get(), "read", {r.get(), I(1).get()})), "OSError: [Errno 9] Bad file descriptor");
  EXPECT_EQ(ErrorOf(CallAttr(os.get(), "write", {w.get(), S("x").get()})), "OSError: [Errno 9] Bad file descriptor");
  EXPECT_EQ(ErrorOf(CallAttr(os.get(), "close", {r.get()})), "OSError: [Errno 9] Bad file descriptor");
  EXPECT_EQ(ErrorOf(CallAttr(os.get(), "write", {w.get(), I(1).get()})),
            "TypeError: a bytes-like object is required, not 'int'");
  EXPECT_EQ(ErrorOf(CallAttr(os.get(), "read", {r.get(), I(-1).get()})), "ValueError: negative buffersize in read");
  EXPECT_EQ(ErrorOf(CallAttr(os.get(), "read", {S("x").get(), I(1).get()})),
            "TypeError: 'str' object cannot be interpreted as an integer");
}

// A thread blocked in os.read must not hold the lock: the writer (this thread) has to run for the
// read to return. In gil, a read that kept the global lock would hang this test.
TEST_F(Modules, BlockingReadLetsOtherThreadsRun) {
  Ref os = Module("os");
  Ref fds = CallAttr(os.get(), "pipe", {});
  ASSERT_TRUE(fds);
  Ref r = TupleGet(fds.get(), 0), w = TupleGet(fds.get(), 1);
  std::atomic<bool> reading{false};
  std::string got;
  std::thread reader([&] {
    ThreadAttach attach;
    Ref read_fn = Attr(os.get(), "read");
    Ref n = Int(16);
    reading.store(true);
    Ref data = Call(read_fn.get(), {r.get(), n.get()});
    got = data ? std::string(StrView(data.get())) : "error: " + TakeError();
  });
  while (!reading.load()) EvalBreakerCheck();  // gil: hands the lock over when asked
  {
    AllowThreads allow;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let it block in read()
  }
  Ref n = CallAttr(os.get(), "write", {w.get(), S("ping").get()});
  EXPECT_EQ(ReprString(n.get()), "4");
  {
    AllowThreads allow;
    reader.join();
  }
  EXPECT_EQ(got, "ping");
  Ref c1 = CallAttr(os.get(), "close", {r.get()});
  Ref c2 = CallAttr(os.get(), "close", {w.get()});
}

}  // namespace
}  // namespace interp::testing
FTB_NAMESPACE_END
