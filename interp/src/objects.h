// objects.h (internal to interp/): the interpreter's own object types and the contract between
// the eval loop (eval.cc, frames, functions, classes, the Module API) and the object library
// (errors.cc, ops.cc, builtins.cc, iterators.cc, modules.cc: exceptions, Python semantics of the
// operators, iterators, built-in functions and methods, the `time` and `os` modules).
//
// Error convention, CPython's: a function that returns a Ref returns an empty Ref when it raised,
// with the exception pending on the calling thread (Raise below); one that returns int returns
// -1. Native functions called from Python (builtins, methods of built-in types) are the runtime's
// FunctionObjects with the same convention: an empty Ref means "raised".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "ftb/extend.h"
#include "ftb/interp/opcodes.h"
#include "ftb/runtime.h"
#include "ftb/stackref.h"

FTB_NAMESPACE_BEGIN
namespace interp {

// ---- exceptions ---------------------------------------------------------------------------------
// Exception classes are ordinary classes (runtime Class objects, TypeObject::base linking the
// hierarchy); an exception is an instance of one, with `args` (a tuple) in its attribute dict
// and, once raised through frames, `__traceback__`: a list of (filename, line, function name)
// tuples, outermost first. User code may subclass them.
enum class ExcType : std::uint8_t {
  kBaseException,
  kException,
  kArithmeticError,
  kZeroDivisionError,
  kOverflowError,
  kLookupError,
  kIndexError,
  kKeyError,
  kTypeError,
  kValueError,
  kAttributeError,
  kNameError,
  kUnboundLocalError,
  kAssertionError,
  kRuntimeError,
  kRecursionError,
  kNotImplementedError,
  kStopIteration,
  kOSError,
  kImportError,
  kCount,
};
// The built-in exception class (immortal, made once per process by InitInterpreter).
Object* ExceptionClass(ExcType type) noexcept;
// Whether `cls` is `base` or derives from it (walks TypeObject::base).
bool IsSubclass(const TypeObject* cls, const TypeObject* base) noexcept;
bool IsExceptionClass(const Object* op) noexcept;     // BaseException or a subclass
bool IsExceptionInstance(const Object* op) noexcept;

// Raises: makes the exception and makes it the thread's pending exception. Always returns an
// empty Ref, so that `return Raise(...)` reads like CPython's `return PyErr_Format(...)`.
Ref Raise(ExcType type, std::string message);
// Raises `type` with one argument object: KeyError(key), whose str is the key's repr.
Ref RaiseWithArg(ExcType type, Object* arg);
// Raises an exception instance (or a class, which is called with no arguments first).
Ref RaiseObject(Object* exc);
// The exception's `args` tuple; empty when it has none (an instance made without __init__).
Ref ExceptionArgs(Object* exc);
bool ErrorPending() noexcept;
Ref FetchError() noexcept;  // takes the pending exception (empty if none)
bool PendingErrorMatches(ExcType type) noexcept;
// str(exc): its single argument's str, or "" / the args tuple's str, as CPython prints them.
std::string ExceptionMessage(Object* exc);

// The interpreter's per-thread state (a thread_local, created on first use).
struct InterpThread {
  Ref pending;              // the raised exception being propagated (PyErr_Occurred)
  Ref handled;              // the exception being handled by an except clause (sys.exception())
  int depth = 0;            // Python call depth; RecursionError past kMaxDepth
  struct Frame* frame = nullptr;  // innermost frame (eval.cc)
};
inline constexpr int kMaxDepth = 1000;  // sys.getrecursionlimit()'s default
InterpThread& CurrentInterpThread() noexcept;

// ---- the interpreter's object types ----------------------------------------------------------------

// A module made by the object library (time, os): attributes in a dict.
struct ModuleObject : Object {
  DictObject* dict;
  const char* name;
};
extern TypeObject g_module_type;

// range(start, stop, step).
struct RangeObject : Object {
  std::int64_t start, stop, step;
};
extern TypeObject g_range_type;

// A bound method: the function and the instance (LOAD_ATTR of a method that is not called at once).
struct MethodObject : Object {
  Object* function;
  Object* self;
};
extern TypeObject g_method_type;
Ref NewMethod(Object* function, Object* self);

// ---- operations with Python's semantics (ops.cc) -----------------------------------------------------
// Ints are 64-bit: a result that does not fit raises OverflowError (ftbench's one documented
// deviation from Python). Errors raise TypeError, ZeroDivisionError, ... with CPython's messages.
Ref BinaryOp(bc::BinaryOp op, Object* a, Object* b);
Ref UnaryNegative(Object* v);
Ref UnaryInvert(Object* v);
int IsTrueObject(Object* v);  // 1, 0, or -1 with an exception pending
Ref RichCompare(bc::CompareOp op, Object* a, Object* b);  // a bool
int Contains(Object* container, Object* item);            // `item in container`: 1, 0, -1
Ref GetItem(Object* container, Object* key);
int SetItem(Object* container, Object* key, Object* value);
int DelItem(Object* container, Object* key);
Ref GetSlice(Object* container, Object* start, Object* stop);  // None for an omitted bound
Ref Repr(Object* v);
Ref StrOf(Object* v);  // str(v): floats as CPython's repr (shortest round-trip)
// Checks that `key` can be a dict key (raises TypeError "unhashable type: 'list'").
int CheckHashable(Object* key);

// ---- iteration (iterators.cc) -------------------------------------------------------------------------
Ref GetIter(Object* iterable);  // range, list, tuple, str, dict (keys), dict views, iterators
// The next item; an empty Ref with no exception pending when the iterator is exhausted, an empty
// Ref with one pending on error.
Ref IterNext(Object* iterator);
// Unpacks exactly n items of `seq` into out[0..n) (out[0] the first item). -1 with ValueError
// ("not enough values to unpack (expected 3, got 2)") otherwise.
int UnpackSequence(Object* seq, std::size_t n, StackRef* out);

// ---- built-ins (builtins.cc) -----------------------------------------------------------------------------
// The builtins dict: len, range, min, max, sum, abs, int, float, str, list, dict, tuple, bool,
// isinstance, enumerate, zip, sorted, print, and the exception classes. Immortal.
Object* BuiltinsDict() noexcept;
// The method `name` of a built-in type's object (list, dict, str, ...): a function taking the
// object first, or an empty Ref with nothing pending when the type has no such method.
Ref LookupBuiltinMethod(Object* obj, Object* name);
// Calling a built-in type: int(x), float(x), str(x), bool(x), list(it), tuple(it), dict(),
// dict(mapping) (the type objects are the runtime's static types; isinstance takes them too).
Ref CallBuiltinType(Object* type, std::span<Object* const> args);
// Instantiating a class: an instance without __init__ (AllocInstance), then __init__ found
// through the base chain, called with the instance first (TypeError if it returns non-None). An
// exception class's instance gets `args` (the call's arguments) first, as BaseException.__new__
// does, so that a subclass whose __init__ takes other parameters still prints them.
Ref CallClass(Object* cls, std::span<Object* const> args);
// InitInterpreter sets the call slot of the runtime's `type` type, so that ftb::Call() on a
// static type object calls CallBuiltinType (and on a class, CallClass, though the runtime's Call
// makes classes itself, looking __init__ up in the class's own dict only).
// `import time` / `import os`: the module, or ImportError ("No module named 'x'").
Ref ImportBuiltinModule(Object* name);

// Makes the built-in classes, functions and modules; idempotent; called by Module::Load with the
// calling thread attached.
void InitInterpreter();

}  // namespace interp
FTB_NAMESPACE_END
