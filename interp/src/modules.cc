// modules.cc: the built-in modules `time` and `os`, as much of them as the I/O workloads need.
//
//   time.sleep(seconds), time.perf_counter(), time.monotonic(), time.time()
//   os.pipe() -> (r, w), os.read(fd, n) -> str, os.write(fd, str) -> n, os.close(fd)
//
// ftbench has no bytes type: os.read returns the bytes read as a str and os.write takes a str
// (a documented deviation). A workload that must also run on CPython writes `s.encode()` and
// reads `os.read(fd, n).decode()`: ftbench's str has encode() and decode(), both the identity.
// Every blocking call detaches the thread around the system call
// (AllowThreads: the global lock is released in gil, critical sections are suspended), as the C++
// I/O workloads do. A failing call raises OSError("[Errno N] message"), as CPython words it.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>

#include "object_support.h"

FTB_NAMESPACE_BEGIN
namespace interp {

namespace {

using Args = std::span<Object* const>;

void ModuleDealloc(Object* op) noexcept {
  Decref(static_cast<ModuleObject*>(op)->dict);
  FreeObject(op);
}

Ref RaiseErrno(int err) {
  return Raise(ExcType::kOSError, "[Errno " + std::to_string(err) + "] " + std::strerror(err));
}

bool IntArg(Object* v, std::int64_t& out) {
  if (!IsIntLike(v)) {
    Raise(ExcType::kTypeError, QuotedTypeName(v) + " object cannot be interpreted as an integer");
    return false;
  }
  out = IntOf(v);
  return true;
}

bool FdArg(Object* v, int& fd) {
  std::int64_t x;
  if (!IntArg(v, x)) return false;
  if (x < INT32_MIN || x > INT32_MAX) {
    Raise(ExcType::kOverflowError, "fd is out of range");
    return false;
  }
  fd = static_cast<int>(x);
  return true;
}

// ---- time ----

Ref TimeSleep(Args args) {
  if (!CheckArgs("time.sleep", args.size(), 1, 1)) return {};
  if (!IsNumber(args[0]))
    return Raise(ExcType::kTypeError, QuotedTypeName(args[0]) + " object cannot be interpreted as an integer");
  double seconds = FloatOf(args[0]);
  if (std::isnan(seconds)) return Raise(ExcType::kValueError, "Invalid value NaN (not a number)");
  if (seconds < 0) return Raise(ExcType::kValueError, "sleep length must be non-negative");
  {
    AllowThreads allow;
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  }
  return None();
}

Ref TimePerfCounter(Args args) {
  if (!CheckArgs("time.perf_counter", args.size(), 0, 0)) return {};
  auto now = std::chrono::steady_clock::now().time_since_epoch();
  return Float(std::chrono::duration<double>(now).count());
}

Ref TimeTime(Args args) {
  if (!CheckArgs("time.time", args.size(), 0, 0)) return {};
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return Float(std::chrono::duration<double>(now).count());
}

// ---- os ----

Ref OsPipe(Args args) {
  if (!CheckArgs("os.pipe", args.size(), 0, 0)) return {};
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return RaiseErrno(errno);  // non-inheritable, as CPython's
  Ref r = Int(fds[0]), w = Int(fds[1]);
  return Tuple({r.get(), w.get()});
}

Ref OsRead(Args args) {
  if (!CheckArgs("os.read", args.size(), 2, 2)) return {};
  int fd;
  std::int64_t n;
  if (!FdArg(args[0], fd) || !IntArg(args[1], n)) return {};
  if (n < 0) return Raise(ExcType::kValueError, "negative buffersize in read");
  std::string buffer(static_cast<std::size_t>(n), '\0');
  ssize_t got;
  int err = 0;
  {
    AllowThreads allow;
    do {
      got = ::read(fd, buffer.data(), buffer.size());
    } while (got < 0 && errno == EINTR);
    if (got < 0) err = errno;
  }
  if (got < 0) return RaiseErrno(err);
  buffer.resize(static_cast<std::size_t>(got));
  return Str(buffer);
}

Ref OsWrite(Args args) {
  if (!CheckArgs("os.write", args.size(), 2, 2)) return {};
  int fd;
  if (!FdArg(args[0], fd)) return {};
  if (args[1]->type != &g_str_type)
    return Raise(ExcType::kTypeError, "a bytes-like object is required, not '" + TypeNameOf(args[1]) + "'");
  std::string_view data = StrView(args[1]);  // the str stays alive: the caller holds it
  ssize_t wrote;
  int err = 0;
  {
    AllowThreads allow;
    do {
      wrote = ::write(fd, data.data(), data.size());
    } while (wrote < 0 && errno == EINTR);
    if (wrote < 0) err = errno;
  }
  if (wrote < 0) return RaiseErrno(err);
  return Int(wrote);
}

Ref OsClose(Args args) {
  if (!CheckArgs("os.close", args.size(), 1, 1)) return {};
  int fd;
  if (!FdArg(args[0], fd)) return {};
  int rc, err = 0;
  {
    AllowThreads allow;
    rc = ::close(fd);
    if (rc != 0) err = errno;
  }
  if (rc != 0 && err != EINTR) return RaiseErrno(err);  // EINTR: the fd is closed on Linux
  return None();
}

constinit Object* g_time_module = nullptr;
constinit Object* g_os_module = nullptr;

Object* MakeModule(const char* name, std::initializer_list<std::pair<const char*, NativeFunction>> functions) {
  Object* dict = Dict().release();
  MakeImmortal(dict);
  Ref name_str = InternStr(name);
  DictSet(dict, InternStr("__name__").get(), name_str.get());
  for (const auto& [fname, fn] : functions) DictSet(dict, InternStr(fname).get(), ImmortalFunction(fname, fn));
  auto* module = NewObject<ModuleObject>(&g_module_type);
  module->dict = static_cast<DictObject*>(dict);
  module->name = name;
  MakeImmortal(module);
  return module;
}

}  // namespace

constinit TypeObject g_module_type{StaticHeader(&g_type_type), "module", Kind::kModule, ModuleDealloc, nullptr, nullptr,
                                   sizeof(ModuleObject)};

void InitModules() {
  g_time_module = MakeModule("time", {{"sleep", TimeSleep},
                                      {"perf_counter", TimePerfCounter},
                                      {"monotonic", TimePerfCounter},
                                      {"time", TimeTime}});
  g_os_module = MakeModule("os", {{"pipe", OsPipe}, {"read", OsRead}, {"write", OsWrite}, {"close", OsClose}});
}

Ref ImportBuiltinModule(Object* name) {
  InitInterpreter();
  if (name->type == &g_str_type) {
    std::string_view n = StrView(name);
    if (n == "time") return Ref::New(g_time_module);
    if (n == "os") return Ref::New(g_os_module);
  }
  std::string message = "No module named ";
  AppendRepr(message, name);
  return Raise(ExcType::kImportError, std::move(message));
}

}  // namespace interp
FTB_NAMESPACE_END
