// ftb/types.h: the built-in types and the C-API-like surface workloads program against.
//
// Conventions, CPython's: every function that returns an object returns a new reference (a Ref);
// arguments are borrowed. A missing key or an index out of range returns an empty Ref (where
// CPython would raise). Misuse that is a bug in the caller (a str where an int is required, an
// unhashable key) stops the process with a message naming the types.
//
// Containers in the free-threaded variants:
//   - every write takes the object's lock (a critical section);
//   - atomic: reads take it too;
//   - brc: list and dict reads do not, as in CPython 3.13t: the reader loads the item, takes a
//     reference only if the object is not being freed (TryIncref), then re-checks that the slot
//     still holds it, falling back to the locked path otherwise. Item arrays replaced by a resize
//     are freed only after every attached thread has passed a quiescent point (QSBR), and so are
//     the items of containers that another thread has touched (CPython relies on mimalloc keeping
//     freed pages type-stable instead; see README "Deliberate simplifications").
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <utility>

#include "ftb/object.h"
#include "ftb/thread_state.h"

FTB_NAMESPACE_BEGIN

struct BoolObject : Object {
  bool value;
};
struct IntObject : Object {
  std::int64_t value;
};
struct FloatObject : Object {
  double value;
};
struct StrObject : Object {
  std::uint64_t hash;
  std::size_t length;
  char* data() { return reinterpret_cast<char*>(this + 1); }  // length bytes, then a NUL
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
};
struct TupleObject : Object {
  std::size_t size;
  Object** items() { return reinterpret_cast<Object**>(this + 1); }
};
// A list's item array; replaced (and retired) when the list grows.
struct ListItems {
  std::size_t capacity;
  Object** items() { return reinterpret_cast<Object**>(this + 1); }
};
struct ListObject : Object {
  std::size_t size;   // written under the lock; read with atomic_ref by lock-free readers
  ListItems* array;   // likewise; null while empty
};
struct DictKeys;  // runtime/src/dict.cc
struct DictObject : Object {
  DictKeys* keys;
  std::size_t used;
};
using NativeFunction = Ref (*)(std::span<Object* const> args);
struct FunctionObject : Object {
  const char* name;
  NativeFunction fn;
};
struct InstanceObject : Object {
  DictObject* dict;  // attributes
};

// The built-in type objects and singletons are immortal statics.
extern TypeObject g_type_type, g_none_type, g_bool_type, g_int_type, g_float_type, g_str_type,
    g_tuple_type, g_list_type, g_dict_type, g_function_type;
extern Object g_none;
extern BoolObject g_true, g_false;
inline constexpr std::int64_t kSmallIntMin = -5;   // CPython's _PY_NSMALLNEGINTS
inline constexpr std::int64_t kSmallIntMax = 256;  // CPython's _PY_NSMALLPOSINTS - 1
extern std::array<IntObject, kSmallIntMax - kSmallIntMin + 1> g_small_ints;

inline Kind KindOf(const Object* op) { return op->type->kind; }
const char* TypeName(const Object* op) noexcept;

// ---- scalars ----
inline Ref None() { return Ref::Steal(&g_none); }  // immortal: no incref needed
inline Ref Bool(bool v) { return Ref::Steal(v ? &g_true : &g_false); }
Ref Int(std::int64_t value);
Ref Float(double value);
bool IsTrue(Object* op);
std::int64_t AsInt(Object* op);  // int or bool
double AsFloat(Object* op);      // float, int or bool

// ---- arithmetic and comparison (int, float; str for Add and Mul) ----
Ref Add(Object* a, Object* b);
Ref Sub(Object* a, Object* b);
Ref Mul(Object* a, Object* b);
Ref FloorDiv(Object* a, Object* b);  // ints only; division by zero is a bug in the caller
Ref Mod(Object* a, Object* b);
Ref TrueDiv(Object* a, Object* b);
bool Eq(Object* a, Object* b);        // value equality of None, bool, int, float, str, tuple
int Compare(Object* a, Object* b);    // -1, 0, 1 for int/float, str, tuple
std::uint64_t Hash(Object* op);       // None, bool, int, float, str, tuple of those

// ---- str ----
Ref Str(std::string_view text);
// Interned strings are immortal and unique per content (attribute names, constants).
Ref InternStr(std::string_view text);
std::string_view AsStr(Object* op);
Ref ToStr(Object* op);                                    // str(x)
Ref Concat(Object* a, Object* b);                         // a + b for str
Ref Join(Object* sep, Object* items);                     // sep.join(list or tuple of str)
Ref Format(std::string_view format, std::span<Object* const> args);  // "{}" placeholders

// ---- tuple ----
Ref Tuple(std::span<Object* const> items);
inline Ref Tuple(std::initializer_list<Object*> items) {
  return Tuple(std::span<Object* const>(items.begin(), items.size()));
}
std::size_t TupleSize(Object* tuple);
Ref TupleGet(Object* tuple, std::size_t index);

// ---- list ----
Ref List();
std::size_t ListSize(Object* list);
void ListAppend(Object* list, Object* item);
Ref ListGet(Object* list, std::int64_t index);  // negative indexes count from the end
bool ListSet(Object* list, std::int64_t index, Object* item);
Ref ListPop(Object* list, std::int64_t index = -1);
void ListSort(Object* list);                  // stable, by Compare
void ListExtend(Object* list, Object* other);  // locks both, in address order
Ref ListCopy(Object* list);
// list.insert(index, item): one critical section for the whole shift (CPython's ins1); the index
// is clamped to [0, size] after adding the size to a negative one, as list.insert does.
void ListInsert(Object* list, std::int64_t index, Object* item);
// list[i] = items[i] for every i below both lengths, under one critical section (list.sort's
// write-back: CPython sorts a list in place under one).
void ListSetItems(Object* list, std::span<Object* const> items);
// Appends to a list that no other thread can reach yet: the caller made it and holds its only
// reference (a list display, a comprehension's list on the value stack, a builtin's result). No
// critical section, as CPython's BUILD_LIST, LIST_APPEND (_PyList_AppendTakeRef) and
// PyList_SET_ITEM on a new list take none. Debug builds check that the count is 1 (the test
// CPython's _Py_CRITICAL_SECTION_ASSERT_OBJECT_LOCKED accepts instead of the lock).
void ListAppendNew(Object* list, Object* item);

// ---- dict (str, int, bool, None, float and tuple keys) ----
Ref Dict();
std::size_t DictSize(Object* dict);
Ref DictGet(Object* dict, Object* key);
void DictSet(Object* dict, Object* key, Object* value);
bool DictDel(Object* dict, Object* key);
// Iteration in insertion order: start with pos = 0; returns false at the end.
bool DictNext(Object* dict, std::size_t& pos, Ref& key, Ref& value);
void DictUpdate(Object* dict, Object* other);  // locks both, in address order
// DictSet on a dict that no other thread can reach yet (a dict display, a builtin's result): no
// critical section, as CPython's _PyDict_FromItems; the contract of ListAppendNew.
void DictSetNew(Object* dict, Object* key, Object* value);

// ---- functions, classes, instances ----
Ref Function(const char* name, NativeFunction fn);
Ref Call(Object* callable, std::span<Object* const> args);  // a function, or a class
inline Ref Call(Object* callable, std::initializer_list<Object*> args) {
  return Call(callable, std::span<Object* const>(args.begin(), args.size()));
}
// A class: a type object whose dict holds the given attributes (typically functions). Calling it
// creates an instance and calls its __init__, if any, with the arguments.
Ref Class(std::string_view name, std::initializer_list<std::pair<std::string_view, Object*>> attrs);
Ref NewInstance(Object* cls, std::span<Object* const> args = {});
// An instance of `cls` with an empty attribute dict, without calling __init__ (object.__new__;
// the interpreter calls __init__ itself so that an exception in it can propagate).
Ref AllocInstance(Object* cls);
Ref GetAttr(Object* obj, Object* name);  // instance dict, then the class dict
void SetAttr(Object* obj, Object* name, Object* value);
// obj.name(*args): the method is looked up through the type (a new reference to the function,
// as the interpreter's LOAD_ATTR does), called with obj first, then released.
Ref CallMethod(Object* obj, Object* name, std::span<Object* const> args = {});
inline Ref CallMethod(Object* obj, Object* name, std::initializer_list<Object*> args) {
  return CallMethod(obj, name, std::span<Object* const>(args.begin(), args.size()));
}

FTB_NAMESPACE_END
