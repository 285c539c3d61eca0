// object_support.h (private to the object library: errors.cc, ops.cc, iterators.cc, builtins.cc,
// modules.cc): small helpers they share.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "objects.h"

FTB_NAMESPACE_BEGIN
namespace interp {

// The header of a static (immortal, constant-initialised) object, as the runtime's own static
// types have it.
constexpr Object StaticHeader(TypeObject* type) { return Object{Policy::ImmortalHeader(), type}; }

// Makes a freshly made object immortal and takes it out of the live tallies (as the runtime does
// for its interned strings), so that objects made once per process (the exception classes, the
// builtins, the methods of built-in types, the modules) are never counted as leaks. The object
// must not be shared yet; the calling thread is attached.
void MakeImmortal(Object* op) noexcept;
// A native function made once per process: immortal.
Object* ImmortalFunction(const char* name, NativeFunction fn);

inline bool IsIntLike(const Object* op) { return op->type == &g_int_type || op->type == &g_bool_type; }
inline bool IsNumber(const Object* op) { return IsIntLike(op) || op->type == &g_float_type; }
inline std::int64_t IntOf(const Object* op) {  // int or bool
  return op->type == &g_int_type ? static_cast<const IntObject*>(op)->value
                                 : (static_cast<const BoolObject*>(op)->value ? 1 : 0);
}
inline double FloatOf(const Object* op) {  // float, int or bool
  return op->type == &g_float_type ? static_cast<const FloatObject*>(op)->value : static_cast<double>(IntOf(op));
}
inline std::string_view StrView(const Object* op) {
  auto* s = static_cast<const StrObject*>(op);
  return {s->data(), s->length};
}
inline bool IsClass(const Object* op) {
  return op->type == &g_type_type && static_cast<const TypeObject*>(op)->dict != nullptr;
}
// An object of a built-in type's class (int, str, ...): the static type objects.
inline bool IsStaticType(const Object* op) {
  return op->type == &g_type_type && static_cast<const TypeObject*>(op)->dict == nullptr;
}

// The type name CPython puts in messages ('int', 'str', 'Point').
inline std::string TypeNameOf(const Object* op) { return TypeName(op); }
inline std::string QuotedTypeName(const Object* op) {
  std::string out(1, '\'');
  out += TypeName(op);
  out += '\'';
  return out;
}

// Argument-count checks of native functions: raise TypeError with CPython's wording and return
// false when `n` is outside [min, max].
// CheckArgs: "len() takes exactly one argument (2 given)" (CPython's METH_O/METH_VARARGS style);
// CheckArgsExpected: "pop expected at most 1 argument, got 2" (Argument Clinic's style).
bool CheckArgs(std::string_view name, std::size_t n, std::size_t min, std::size_t max);
bool CheckArgsExpected(std::string_view name, std::size_t n, std::size_t min, std::size_t max);

// Value equality with Python's semantics (1, 0, -1 with an exception pending); `a is b` counts
// as equal, as in containers.
int EqualObjects(Object* a, Object* b);
// `a < b` for sorting and min/max (1, 0, -1).
int LessThan(Object* a, Object* b);
// repr(v) appended to `out`; false with an exception pending.
bool AppendRepr(std::string& out, Object* v);
std::string FloatRepr(double v);
// The length of a sized object (str, list, tuple, dict, range, dict views), -1 with TypeError.
std::int64_t LengthOf(Object* v);
// A list of the items of an iterable; empty with an exception pending.
Ref ListFromIterable(Object* iterable);
// Raises KeyError(key) (its message is the key's repr, as CPython prints it).
Ref RaiseKeyError(Object* key);
// Looks `name` up in a class and its bases; empty if absent.
Ref LookupInClass(TypeObject* cls, Object* name);

Ref NewRange(std::int64_t start, std::int64_t stop, std::int64_t step);
// Range length, as CPython computes it.
std::int64_t RangeLength(std::int64_t start, std::int64_t stop, std::int64_t step);
// Dict views (iterators.cc): d.keys(), d.values(), d.items().
enum class DictViewKind : std::uint8_t { kKeys, kValues, kItems };
Ref NewDictView(Object* dict, DictViewKind kind);
bool IsDictView(const Object* op);
Object* DictViewDict(Object* view, DictViewKind* kind);
Ref NewEnumerate(Object* iterable, std::int64_t start);
Ref NewZip(std::span<Object* const> iterables);

// OverflowError for an int result outside 64 bits (ftbench's documented deviation).
Ref RaiseIntOverflow();
inline constexpr const char* kIntOverflowMessage = "int too large for ftbench's 64-bit ints";

// The parts of InitInterpreter (builtins.cc), each run once, in this order.
void InitExceptionClasses();  // errors.cc
void InitBuiltinObjects();    // builtins.cc
void InitModules();           // modules.cc

}  // namespace interp
FTB_NAMESPACE_END
