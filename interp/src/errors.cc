// errors.cc: the built-in exception classes, raising and fetching exceptions, the interpreter's
// per-thread state, and the object library's shared helpers (immortal objects, argument checks).
#include <atomic>
#include <mutex>
#include <string>

#include "object_support.h"

FTB_NAMESPACE_BEGIN
namespace interp {

// ---- shared helpers ------------------------------------------------------------------------------

void MakeImmortal(Object* op) noexcept {
  if (IsImmortal(op)) return;
  ThreadState* ts = CurrentThreadState();
  FTB_CHECK(ts != nullptr, "MakeImmortal needs an attached thread state");
  const int kind = static_cast<int>(KindOf(op));
  auto add = [](std::int64_t& slot, std::int64_t delta) {
    std::atomic_ref<std::int64_t> v(slot);
    v.store(v.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  };
  // Counted as freed now, as if it had never been counted (immortal objects are not).
  add(ts->objects.frees[kind], 1);
  add(ts->objects.free_bytes[kind], static_cast<std::int64_t>(ObjectBytes(op)));
  op->hdr = Policy::ImmortalHeader();
}

Object* ImmortalFunction(const char* name, NativeFunction fn) {
  Object* op = Function(name, fn).release();
  MakeImmortal(op);
  return op;
}

bool CheckArgs(std::string_view name, std::size_t n, std::size_t min, std::size_t max) {
  if (n >= min && n <= max) return true;
  std::string message(name);
  auto plural = [](std::size_t k) { return k == 1 ? " argument" : " arguments"; };
  if (min == max) {
    if (min == 0)
      message += "() takes no arguments";
    else if (min == 1)
      message += "() takes exactly one argument";
    else
      message += "() takes exactly " + std::to_string(min) + plural(min);
  } else if (n < min) {
    message += "() takes at least " + std::to_string(min) + plural(min);
  } else {
    message += "() takes at most " + std::to_string(max) + plural(max);
  }
  message += " (" + std::to_string(n) + " given)";
  Raise(ExcType::kTypeError, std::move(message));
  return false;
}

bool CheckArgsExpected(std::string_view name, std::size_t n, std::size_t min, std::size_t max) {
  if (n >= min && n <= max) return true;
  std::string message(name);
  std::size_t bound = n < min ? min : max;
  message += min == max ? " expected " : (n < min ? " expected at least " : " expected at most ");
  message += std::to_string(bound) + (bound == 1 ? " argument" : " arguments") + ", got " + std::to_string(n);
  Raise(ExcType::kTypeError, std::move(message));
  return false;
}

Ref LookupInClass(TypeObject* cls, Object* name) {
  for (TypeObject* t = cls; t != nullptr; t = t->base) {
    if (t->dict == nullptr) continue;
    if (Ref value = DictGet(t->dict, name)) return value;
  }
  return {};
}

// ---- the exception classes -----------------------------------------------------------------------

namespace {

struct ExcSpec {
  const char* name;
  ExcType base;
};
constexpr ExcSpec kExcSpecs[] = {
    {"BaseException", ExcType::kBaseException},  // its own base: none (handled below)
    {"Exception", ExcType::kBaseException},
    {"ArithmeticError", ExcType::kException},
    {"ZeroDivisionError", ExcType::kArithmeticError},
    {"OverflowError", ExcType::kArithmeticError},
    {"LookupError", ExcType::kException},
    {"IndexError", ExcType::kLookupError},
    {"KeyError", ExcType::kLookupError},
    {"TypeError", ExcType::kException},
    {"ValueError", ExcType::kException},
    {"AttributeError", ExcType::kException},
    {"NameError", ExcType::kException},
    {"UnboundLocalError", ExcType::kNameError},
    {"AssertionError", ExcType::kException},
    {"RuntimeError", ExcType::kException},
    {"RecursionError", ExcType::kRuntimeError},
    {"NotImplementedError", ExcType::kRuntimeError},
    {"StopIteration", ExcType::kException},
    {"OSError", ExcType::kException},
    {"ImportError", ExcType::kException},
};
static_assert(std::size(kExcSpecs) == static_cast<std::size_t>(ExcType::kCount));

constinit Object* g_exc_classes[static_cast<int>(ExcType::kCount)] = {};

Object* ArgsName() {
  static Object* const name = InternStr("args").release();
  return name;
}

// BaseException.__init__(self, *args): self.args = args.
Ref ExceptionInit(std::span<Object* const> args) {
  if (args.empty() || !IsExceptionInstance(args[0]))
    return Raise(ExcType::kTypeError, "BaseException.__init__ needs an exception instance");
  Ref tuple = Tuple(args.subspan(1));
  SetAttr(args[0], ArgsName(), tuple.get());
  return None();
}

// InterpThread's thread_local holder. At thread exit the thread is normally detached already and
// both references are empty (the eval loop clears them before returning to C++); whatever is left
// is let go of rather than freed without a thread state.
struct InterpThreadHolder {
  InterpThread state;
  ~InterpThreadHolder() {
    if (CurrentThreadState() == nullptr) {
      (void)state.pending.release();
      (void)state.handled.release();
    }
  }
};
thread_local InterpThreadHolder t_interp_thread;

}  // namespace

void InitExceptionClasses() {
  Object* init = ImmortalFunction("__init__", ExceptionInit);
  for (std::size_t i = 0; i < std::size(kExcSpecs); ++i) {
    // Every built-in class has __init__ in its own dict, so that calling one through the
    // runtime's Call (which looks only at the class's own dict) sets `args` too.
    Ref cls = Class(kExcSpecs[i].name, {{"__init__", init}});
    auto* type = static_cast<TypeObject*>(cls.get());
    type->base = i == 0 ? nullptr : static_cast<TypeObject*>(g_exc_classes[static_cast<int>(kExcSpecs[i].base)]);
    // The class, its dict and the dict's values (the __name__ str; __init__ is immortal already)
    // live as long as the process, as CPython's static exception types do.
    std::size_t pos = 0;
    Ref key, value;
    while (DictNext(type->dict, pos, key, value)) MakeImmortal(value.get());
    MakeImmortal(type->dict);
    MakeImmortal(type);
    g_exc_classes[i] = cls.release();
  }
}

Object* ExceptionClass(ExcType type) noexcept {
  Object* cls = g_exc_classes[static_cast<int>(type)];
  if (cls == nullptr) [[unlikely]] {
    InitInterpreter();
    cls = g_exc_classes[static_cast<int>(type)];
  }
  return cls;
}

bool IsSubclass(const TypeObject* cls, const TypeObject* base) noexcept {
  for (const TypeObject* t = cls; t != nullptr; t = t->base)
    if (t == base) return true;
  return false;
}

bool IsExceptionClass(const Object* op) noexcept {
  return IsClass(op) &&
         IsSubclass(static_cast<const TypeObject*>(op),
                    static_cast<const TypeObject*>(ExceptionClass(ExcType::kBaseException)));
}

bool IsExceptionInstance(const Object* op) noexcept {
  return KindOf(op) == Kind::kInstance && IsExceptionClass(op->type);
}

InterpThread& CurrentInterpThread() noexcept { return t_interp_thread.state; }

namespace {
Ref NewException(ExcType type, Object* arg) {
  Ref exc = AllocInstance(ExceptionClass(type));
  Ref args = arg != nullptr ? Tuple({arg}) : Tuple(std::span<Object* const>());
  SetAttr(exc.get(), ArgsName(), args.get());
  return exc;
}
}  // namespace

Ref Raise(ExcType type, std::string message) {
  Ref text = message.empty() ? Ref() : Str(message);
  CurrentInterpThread().pending = NewException(type, text.get());
  return {};
}

Ref RaiseWithArg(ExcType type, Object* arg) {
  CurrentInterpThread().pending = NewException(type, arg);
  return {};
}

Ref RaiseKeyError(Object* key) { return RaiseWithArg(ExcType::kKeyError, key); }

Ref RaiseObject(Object* exc) {
  if (IsExceptionClass(exc)) {
    Ref instance = CallClass(exc, std::span<Object* const>());
    if (ErrorPending()) return {};  // its __init__ raised
    if (!instance) return {};
    if (!IsExceptionInstance(instance.get()))
      return Raise(ExcType::kTypeError, "calling " + std::string(static_cast<TypeObject*>(exc)->name) +
                                            " should have returned an instance of BaseException, not " +
                                            TypeNameOf(instance.get()));
    CurrentInterpThread().pending = std::move(instance);
    return {};
  }
  if (IsExceptionInstance(exc)) {
    CurrentInterpThread().pending = Ref::New(exc);
    return {};
  }
  return Raise(ExcType::kTypeError, "exceptions must derive from BaseException");
}

bool ErrorPending() noexcept { return static_cast<bool>(CurrentInterpThread().pending); }

Ref FetchError() noexcept { return std::move(CurrentInterpThread().pending); }

bool PendingErrorMatches(ExcType type) noexcept {
  const Ref& pending = CurrentInterpThread().pending;
  return pending && IsSubclass(pending->type, static_cast<const TypeObject*>(ExceptionClass(type)));
}

Ref ExceptionArgs(Object* exc) {
  if (KindOf(exc) != Kind::kInstance) return {};
  Ref args = DictGet(static_cast<InstanceObject*>(exc)->dict, ArgsName());
  if (args && args->type == &g_tuple_type) return args;
  return {};
}

std::string ExceptionMessage(Object* exc) {
  // A pending exception (from the formatting below) must not replace the caller's.
  Ref saved = FetchError();
  std::string out;
  Ref args = ExceptionArgs(exc);
  std::size_t n = args ? TupleSize(args.get()) : 0;
  if (n == 1) {
    Object* arg = static_cast<TupleObject*>(args.get())->items()[0];
    // KeyError's str is its key's repr (CPython's KeyError_str).
    bool key_error = IsSubclass(exc->type, static_cast<const TypeObject*>(ExceptionClass(ExcType::kKeyError)));
    if (key_error) {
      AppendRepr(out, arg);
    } else if (Ref s = StrOf(arg)) {
      out = StrView(s.get());
    }
  } else if (n > 1) {
    AppendRepr(out, args.get());
  }
  (void)FetchError();
  CurrentInterpThread().pending = std::move(saved);
  return out;
}

}  // namespace interp
FTB_NAMESPACE_END
